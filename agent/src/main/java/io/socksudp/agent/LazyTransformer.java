package io.socksudp.agent;

import io.socksudp.agent.intercept.StrategyWatch;

import java.io.IOException;
import java.lang.instrument.ClassFileTransformer;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.security.ProtectionDomain;
import java.util.List;

/**
 * The one transformer premain registers. It is asked about every class the JVM defines, and for all but the few
 * that a {@link StrategyWatch} watches it returns at once; so this class links nothing but JDK types and the watch
 * interface (and, once, puts the {@link JmxHook} in place when the JDK's MBean server factory loads). The first
 * watched class to load creates the {@link Activation}, which does the real work (resolve
 * the strategy from the class bytes, wire the tunnels, instrument from the cache or with Byte Buddy).
 *
 * <p>The JVM ignores a transformer's exceptions and defines the class unchanged, which would let datagrams go
 * out directly; so any failure on a watched class stops the JVM instead (fail closed), except while an attach is
 * being tried: then it is recorded, and the attach is rolled back ({@link Refusal}).
 */
final class LazyTransformer implements ClassFileTransformer {

    private final StrategyWatch[] watches;
    private final JmxHook jmx;
    private final Activation.Factory factory;
    private final Refusal refusal;
    private volatile Activation activation;

    LazyTransformer(List<StrategyWatch> watches, JmxHook jmx, Activation.Factory factory, Refusal refusal) {
        this.watches = watches.toArray(new StrategyWatch[0]);
        this.jmx = jmx;
        this.factory = factory;
        this.refusal = refusal;
    }

    /** The class names the watches watch, for an attach, which resolves and instruments them all at once. */
    List<String> watchedClasses() {
        List<String> names = new java.util.ArrayList<String>();
        for (StrategyWatch watch : watches) {
            for (String name : watch.watchedClasses()) {
                names.add(name);
            }
        }
        return names;
    }

    /** The activation if one was created (null: no watched class loaded and no Netty tunnel asked yet). */
    Activation activationIfAny() {
        return activation;
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfile) {
        if (internalName == null) {
            return null;
        }
        for (StrategyWatch watch : watches) {
            if (watch.watches(loader, internalName)) {
                return transformWatched(watch, loader, internalName, classfile);
            }
        }
        if (jmx.isTrigger(loader, internalName)) {
            jmx.install(); // the class itself stays as it is
        }
        return null;
    }

    /** Whether any watch wants the class: for classes loaded before premain, which are retransformed. */
    boolean watches(ClassLoader loader, String internalName) {
        for (StrategyWatch watch : watches) {
            if (watch.watches(loader, internalName)) {
                return true;
            }
        }
        return false;
    }

    /** The activation, created on first need (a watched class, or the Netty strategy's first tunnel). */
    Activation activation() throws StartupException, IOException {
        Activation a = activation;
        if (a == null) {
            // Once: two threads loading their first datagram classes at the same moment must not both
            // define the bridge and install tunnels. Creating it loads no datagram class, so this lock
            // never waits for a class another thread is loading.
            synchronized (this) {
                a = activation;
                if (a == null) {
                    a = factory.activation();
                    activation = a;
                }
            }
        }
        return a;
    }

    private byte[] transformWatched(final StrategyWatch watch, final ClassLoader loader, final String internalName,
            final byte[] classfile) {
        if (System.getSecurityManager() == null) {
            return activateAndTransform(watch, loader, internalName, classfile);
        }
        try {
            // the application may have installed the SecurityManager after premain
            SecurityManagerCheck.requireAllPermission();
        } catch (StartupException e) {
            refusal.refuse(e.getMessage());
            return null;
        }
        // The class loads on an application thread, with the application's frames on the stack: under a
        // SecurityManager the agent's own work (defining the bridge, Byte Buddy, the cache, threads) must be
        // checked against the agent's permissions alone, not the application's.
        return AccessController.doPrivileged(new PrivilegedAction<byte[]>() {
            @Override
            public byte[] run() {
                return activateAndTransform(watch, loader, internalName, classfile);
            }
        });
    }

    private byte[] activateAndTransform(StrategyWatch watch, ClassLoader loader, String internalName,
            byte[] classfile) {
        try {
            return activation().transform(watch, loader, internalName, classfile);
        } catch (StartupException e) {
            refusal.refuse(e.getMessage());
            return null;
        } catch (Throwable t) {
            refusal.refuse("could not instrument " + internalName.replace('/', '.') + " (" + t
                    + "); refusing to run unproxied");
            return null;
        }
    }
}
