package io.socksudp.agent.intercept;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.security.AccessController;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;

/**
 * One member of a JDK class that a strategy relies on (advises, reads in advice, or reaches reflectively), named
 * once: by its class's binary name, its name and its JVM descriptor. A strategy's table of these is what its start-up
 * check verifies in the class files ({@link JdkClassFiles#firstMissing}), what its Byte Buddy matchers match (name and
 * descriptor), and what its access looks its handles up from ({@link #handle()}, {@link #setter()}), so the three
 * cannot disagree and a JDK that changed a member is refused at start, not at the first datagram.
 *
 * <p>Handles are made accessible in {@code doPrivileged}: they are looked up on an application thread (the first
 * datagram that needs them), whose frames a SecurityManager would otherwise check too (accessDeclaredMembers,
 * suppressAccessChecks, accessClassInPackage.sun.nio.ch).
 */
public final class JdkMember {

    private final String owner;
    private final String name;
    private final String descriptor;

    private JdkMember(String owner, String name, String descriptor) {
        this.owner = owner;
        this.name = name;
        this.descriptor = descriptor;
    }

    /** Method {@code name} of class {@code owner} (binary name) with the JVM method descriptor {@code descriptor}. */
    public static JdkMember method(String owner, String name, String descriptor) {
        if (descriptor.charAt(0) != '(') {
            throw new IllegalArgumentException("not a method descriptor: " + descriptor);
        }
        return new JdkMember(owner, name, descriptor);
    }

    /** Field {@code name} of class {@code owner} (binary name) of the JVM type {@code descriptor}. */
    public static JdkMember field(String owner, String name, String descriptor) {
        if (descriptor.charAt(0) == '(') {
            throw new IllegalArgumentException("not a field descriptor: " + descriptor);
        }
        return new JdkMember(owner, name, descriptor);
    }

    public String owner() {
        return owner;
    }

    public String name() {
        return name;
    }

    public String descriptor() {
        return descriptor;
    }

    public boolean isField() {
        return descriptor.charAt(0) != '(';
    }

    /** Null when {@code inventory} (the class file of {@link #owner()}) declares this member, else what is missing. */
    public String missingFrom(ClassFileInventory inventory) {
        return isField() ? inventory.missingField(name, descriptor) : inventory.missing(name, descriptor);
    }

    /** The method, or the field's getter, as a handle of its own type (a getter of an instance field takes the owner). */
    public MethodHandle handle() throws ReflectiveOperationException {
        return isField() ? MethodHandles.lookup().unreflectGetter(reflectField())
                : MethodHandles.lookup().unreflect(reflectMethod());
    }

    /** The field's setter as a handle of its own type. */
    public MethodHandle setter() throws ReflectiveOperationException {
        if (!isField()) {
            throw new IllegalStateException(this + " is a method");
        }
        return MethodHandles.lookup().unreflectSetter(reflectField());
    }

    private Field reflectField() throws ReflectiveOperationException {
        return privileged(new PrivilegedExceptionAction<Field>() {
            @Override
            public Field run() throws ReflectiveOperationException {
                Field f = Class.forName(owner).getDeclaredField(name);
                if (!type(descriptor).equals(f.getType())) {
                    throw new NoSuchFieldException(JdkMember.this + " is " + f.getType().getName() + " here");
                }
                f.setAccessible(true);
                return f;
            }
        });
    }

    private Method reflectMethod() throws ReflectiveOperationException {
        return privileged(new PrivilegedExceptionAction<Method>() {
            @Override
            public Method run() throws ReflectiveOperationException {
                MethodType type = MethodType.fromMethodDescriptorString(descriptor, null);
                Method m = Class.forName(owner).getDeclaredMethod(name, type.parameterArray());
                if (!type.returnType().equals(m.getReturnType())) {
                    throw new NoSuchMethodException(JdkMember.this + " returns " + m.getReturnType().getName() + " here");
                }
                m.setAccessible(true);
                return m;
            }
        });
    }

    /** The class of a field descriptor (a method type's return type parses it, primitives and arrays included). */
    private static Class<?> type(String fieldDescriptor) {
        return MethodType.fromMethodDescriptorString("()" + fieldDescriptor, null).returnType();
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

    /**
     * What a handle's {@code invokeExact} threw, as the IOException a datagram call may throw: an IOException as it
     * is, an unchecked exception or error rethrown as it is, anything else (a checked exception the JDK method
     * declares) wrapped. Usage: {@code catch (Throwable t) { throw JdkMember.asIOException(t); }}.
     */
    public static IOException asIOException(Throwable t) {
        if (t instanceof IOException) {
            return (IOException) t;
        }
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        return new IOException(t);
    }

    /** {@code sun.nio.ch.Net.poll(Ljava/io/FileDescriptor;IJ)I}: as a class file names it. */
    @Override
    public String toString() {
        return owner + "." + name + (isField() ? ":" : "") + descriptor;
    }
}
