package io.socksudp.agent.intercept;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.security.AccessController;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;

/**
 * Private members of JDK classes, made accessible in {@code doPrivileged}: they are looked up lazily, on the first
 * datagram that needs them, i.e. on an application thread, whose frames a SecurityManager would otherwise check too
 * (accessDeclaredMembers, suppressAccessChecks, accessClassInPackage.sun.nio.ch). Called once per member.
 */
public final class JdkMembers {

    private JdkMembers() {
    }

    public static Field field(final Class<?> type, final String name) throws ReflectiveOperationException {
        return privileged(new PrivilegedExceptionAction<Field>() {
            @Override
            public Field run() throws ReflectiveOperationException {
                Field f = type.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            }
        });
    }

    public static Method method(final Class<?> type, final String name, final Class<?>... parameters)
            throws ReflectiveOperationException {
        return privileged(new PrivilegedExceptionAction<Method>() {
            @Override
            public Method run() throws ReflectiveOperationException {
                Method m = type.getDeclaredMethod(name, parameters);
                m.setAccessible(true);
                return m;
            }
        });
    }

    /** A JDK-internal class by name (package access is checked against the caller's frames too). */
    public static Class<?> type(final String className) throws ReflectiveOperationException {
        return privileged(new PrivilegedExceptionAction<Class<?>>() {
            @Override
            public Class<?> run() throws ClassNotFoundException {
                return Class.forName(className);
            }
        });
    }

    private static <T> T privileged(PrivilegedExceptionAction<T> action) throws ReflectiveOperationException {
        try {
            return AccessController.doPrivileged(action);
        } catch (PrivilegedActionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ReflectiveOperationException) {
                throw (ReflectiveOperationException) cause;
            }
            throw (RuntimeException) cause;
        }
    }
}
