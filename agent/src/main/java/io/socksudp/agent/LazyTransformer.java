package io.socksudp.agent;

import io.socksudp.agent.config.StartupException;
import io.socksudp.agent.intercept.StrategyWatch;

import java.io.IOException;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.function.Supplier;

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
    private final Supplier<ClassFileTransformer> nettyFactory;
    private final Object nettyLock = new Object();
    private volatile Activation activation;
    /** Netty's transformer, created at the first class whose name may be one of Netty's native channels. */
    private volatile ClassFileTransformer netty;
    /** Under nettyLock: the Netty transformer is being created on the thread holding it. */
    private boolean creatingNetty;

    LazyTransformer(List<StrategyWatch> watches, JmxHook jmx, Activation.Factory factory, Refusal refusal,
            Supplier<ClassFileTransformer> nettyFactory) {
        this.watches = watches.toArray(new StrategyWatch[0]);
        this.jmx = jmx;
        this.factory = factory;
        this.refusal = refusal;
        this.nettyFactory = nettyFactory;
    }

    /**
     * Whether {@code name} (slashes or dots) may be one of the classes of Netty's native datagram transports that the
     * Netty strategy instruments: a superset of {@code NettyStrategy.isWatched} (LazyTransformerTest holds it to that),
     * which premain must not load (the strategy's classes and its transport enum: six classes for every JVM). Simple
     * names only, as that check: shaded copies keep them.
     */
    static boolean mayBeNetty(String name) {
        if (name.endsWith("DatagramChannel")) {
            // Netty's are EpollDatagramChannel and the like: not the JDK's java.nio.channels.DatagramChannel
            int before = name.length() - "DatagramChannel".length() - 1;
            return before >= 0 && name.charAt(before) != '/' && name.charAt(before) != '.';
        }
        return name.endsWith("DatagramChannelUnsafe") || name.endsWith("UringChannel") || name.endsWith("UringUnsafe")
                || name.endsWith("MsgHdrMemory"); // io_uring's received packets are built there
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
                            ProtectionDomain protectionDomain, byte[] classfile) throws IllegalClassFormatException {
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
            return null;
        }
        if (mayBeNetty(internalName)) {
            ClassFileTransformer n = netty();
            if (n != null) {
                return n.transform(loader, internalName, classBeingRedefined, protectionDomain, classfile);
            }
        }
        return null;
    }

    /**
     * Netty's transformer, created once; null while this thread is creating it (a class that creating it loads is
     * the agent's or the JDK's, never Netty's: the agent loads no Netty class), or when it could not be created
     * (then the JVM is stopped: a Netty channel class left as it is would send around the proxy).
     */
    private ClassFileTransformer netty() {
        ClassFileTransformer n = netty;
        if (n != null) {
            return n;
        }
        synchronized (nettyLock) {
            if (netty == null && !creatingNetty) {
                creatingNetty = true;
                try {
                    netty = nettyFactory.get();
                } catch (Throwable t) {
                    refusal.refuse("could not set up the check for Netty's native datagram channels (" + t
                            + "); refusing to run unproxied");
                } finally {
                    creatingNetty = false;
                }
            }
            return netty;
        }
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
