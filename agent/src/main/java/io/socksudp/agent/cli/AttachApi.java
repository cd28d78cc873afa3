package io.socksudp.agent.cli;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Properties;

/**
 * The JDK's Attach API ({@code com.sun.tools.attach.VirtualMachine}) by reflection, since the agent compiles
 * against Java 8's API without tools.jar: module {@code jdk.attach} on JDK 9+, the JDK's {@code lib/tools.jar}
 * on JDK 8. A JRE has neither.
 */
final class AttachApi implements AutoCloseable {

    private static final String VM_CLASS = "com.sun.tools.attach.VirtualMachine";

    private final Object vm;
    private final Class<?> vmClass;

    private AttachApi(Object vm, Class<?> vmClass) {
        this.vm = vm;
        this.vmClass = vmClass;
    }

    /** Attaches to {@code pid}; fails with one sentence (no JDK, no such JVM, not allowed). */
    static AttachApi attach(String pid) throws AttachFailure {
        Class<?> c = vmClass();
        try {
            return new AttachApi(c.getMethod("attach", String.class).invoke(null, pid), c);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new AttachFailure("cannot attach to JVM " + pid + ": " + describe(cause) + " (is it a running JVM"
                    + " of the same user, started without -XX:+DisableAttachMechanism?)");
        } catch (ReflectiveOperationException e) {
            throw new AttachFailure("cannot use the Attach API of this Java runtime (" + e + ")");
        }
    }

    private static Class<?> vmClass() throws AttachFailure {
        try {
            return Class.forName(VM_CLASS);
        } catch (ClassNotFoundException notOnClassPath) {
            // JDK 8: lib/tools.jar beside jre/
        }
        String home = System.getProperty("java.home");
        for (String candidate : new String[] {home + "/../lib/tools.jar", home + "/lib/tools.jar"}) {
            File jar = new File(candidate);
            if (jar.isFile()) {
                try {
                    URLClassLoader loader = new URLClassLoader(new URL[] {jar.toURI().toURL()},
                            AttachApi.class.getClassLoader());
                    return Class.forName(VM_CLASS, true, loader);
                } catch (Exception | LinkageError e) {
                    throw new AttachFailure("cannot load the Attach API from " + jar + " (" + e + ")");
                }
            }
        }
        throw new AttachFailure("this Java runtime (" + home + ") has no Attach API: run the command with a JDK's"
                + " java (JDK 8: one with lib/tools.jar; JDK 9+: one with the jdk.attach module)");
    }

    Properties systemProperties() throws AttachFailure {
        return (Properties) call("getSystemProperties", new Class<?>[0]);
    }

    void loadAgent(String jar, String args) throws AttachFailure {
        call("loadAgent", new Class<?>[] {String.class, String.class}, jar, args);
    }

    /** The local JMX connector's address (starting the JVM's management agent if needed). */
    String startLocalManagementAgent() throws AttachFailure {
        return (String) call("startLocalManagementAgent", new Class<?>[0]);
    }

    private Object call(String name, Class<?>[] types, Object... args) throws AttachFailure {
        try {
            Method m = vmClass.getMethod(name, types);
            return m.invoke(vm, args);
        } catch (InvocationTargetException e) {
            throw new AttachFailure(name + " failed: " + describe(e.getCause()));
        } catch (ReflectiveOperationException e) {
            throw new AttachFailure(name + " is not available in this Attach API (" + e + ")");
        }
    }

    private static String describe(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": "
                + t.getMessage();
    }

    @Override
    public void close() {
        try {
            vmClass.getMethod("detach").invoke(vm);
        } catch (ReflectiveOperationException ignored) {
            // the connection goes away with this process anyway
        }
    }

    /** The attach operation failed; the message is one sentence. */
    static final class AttachFailure extends Exception {
        private static final long serialVersionUID = 1L;

        AttachFailure(String message) {
            super(message);
        }
    }
}
