package io.socksudp.agent;

import io.socksudp.agent.config.StartupException;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Defines the bridge classes of {@code io.socksudp.agent.bootstrap} in the bootstrap class loader, where
 * advice inlined into {@code java.base} can see them.
 *
 * <p>Why not {@link Instrumentation#appendToBootstrapClassLoaderSearch}: on JDK 17+ it makes the JVM print
 * "Sharing is only supported for boot loader classes because bootstrap classpath has been appended" on
 * every start. Instead, JDK 9+ uses the agent's right to {@code redefineModule} to open
 * {@code jdk.internal.misc} to itself and calls its {@code Unsafe.defineClass}, which defines the classes
 * quietly; JDK 8 has the same method on {@code sun.misc.Unsafe}. Both are reached reflectively because the
 * agent compiles against the Java 8 API.
 */
final class BootstrapInjector {

    private BootstrapInjector() {
    }

    /** Defines {@code classNames} (in dependency order: supertypes first) in the bootstrap loader. */
    static void inject(Instrumentation inst, String... classNames) throws StartupException {
        Definer definer;
        try {
            definer = isModular() ? modernUnsafe(inst) : legacyUnsafe();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new StartupException("cannot define the agent's bootstrap classes on this JVM (" + e + ")", e);
        }
        AgentJar jar = AgentJar.open();
        try {
            for (String name : classNames) {
                try {
                    if (findBootstrapClass(name)) {
                        continue; // a second agent instance (premain after agentmain) found them already
                    }
                    byte[] bytes = jar.read(name.replace('.', '/') + ".class");
                    if (bytes == null) {
                        throw new IOException(name + " is missing from the agent jar");
                    }
                    definer.define(name, bytes);
                } catch (IOException | ReflectiveOperationException | RuntimeException e) {
                    throw new StartupException("cannot define bootstrap class " + name + " (" + e + ")", e);
                }
            }
        } finally {
            jar.close();
        }
    }

    /** Opens {@code packageName} of {@code java.base} to the agent, for reflection into the JDK's internals. */
    static void openJavaBase(Instrumentation inst, String packageName) throws StartupException {
        if (!isModular()) {
            return;
        }
        try {
            Object base = moduleOf(Object.class);
            Object agent = moduleOf(BootstrapInjector.class);
            redefineModule(inst, base, Collections.<String, Set<Object>>emptyMap(),
                    Collections.singletonMap(packageName, Collections.singleton(agent)));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new StartupException("cannot open java.base/" + packageName + " to the agent (" + e + ")", e);
        }
    }

    private interface Definer {
        void define(String name, byte[] bytes) throws ReflectiveOperationException;
    }

    private static boolean isModular() {
        try {
            Class.forName("java.lang.Module");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static Definer modernUnsafe(Instrumentation inst) throws ReflectiveOperationException {
        Object base = moduleOf(Object.class);
        Object agent = moduleOf(BootstrapInjector.class);
        redefineModule(inst, base, Collections.singletonMap("jdk.internal.misc", Collections.singleton(agent)),
                Collections.<String, Set<Object>>emptyMap());
        Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
        return unsafeDefiner(unsafeClass, unsafe);
    }

    private static Definer legacyUnsafe() throws ReflectiveOperationException {
        Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
        Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
        theUnsafe.setAccessible(true);
        return unsafeDefiner(unsafeClass, theUnsafe.get(null));
    }

    private static Definer unsafeDefiner(Class<?> unsafeClass, final Object unsafe) throws NoSuchMethodException {
        final Method defineClass = unsafeClass.getMethod("defineClass", String.class, byte[].class, int.class,
                int.class, ClassLoader.class, ProtectionDomain.class);
        return new Definer() {
            @Override
            public void define(String name, byte[] bytes) throws ReflectiveOperationException {
                defineClass.invoke(unsafe, name, bytes, 0, bytes.length, null, null);
            }
        };
    }

    private static Object moduleOf(Class<?> type) throws ReflectiveOperationException {
        return Class.class.getMethod("getModule").invoke(type);
    }

    private static void redefineModule(Instrumentation inst, Object module, Map<String, Set<Object>> exports,
                                       Map<String, Set<Object>> opens) throws ReflectiveOperationException {
        Class<?> moduleClass = Class.forName("java.lang.Module");
        Method redefine = Instrumentation.class.getMethod("redefineModule", moduleClass, Set.class, Map.class,
                Map.class, Set.class, Map.class);
        redefine.invoke(inst, module, Collections.emptySet(), new HashMap<String, Set<Object>>(exports),
                new HashMap<String, Set<Object>>(opens), Collections.emptySet(), Collections.emptyMap());
    }

    private static boolean findBootstrapClass(String name) {
        try {
            Class.forName(name, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
