package io.socksudp.agent;

import io.socksudp.agent.config.Config;
import io.socksudp.agent.config.StartupException;
import io.socksudp.agent.intercept.Routing;
import io.socksudp.agent.intercept.netty.NettyStrategy;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Registers the agent's one transformer, and nothing else: whatever the agent needs beyond that (the bootstrap
 * bridge, the strategy, the tunnels, Byte Buddy, SLF4J) is done when the first datagram class loads (see
 * {@link Activation}), so a JVM that never uses UDP pays for the agent little more than for an empty one.
 */
final class Installer {

    private Installer() {
    }

    /**
     * Premain ({@code attach} false): registers the transformer, and any failure later stops the JVM. Attached to a
     * running JVM ({@code attach} true): everything that can fail is done now, within the attach, and a failure
     * undoes it ({@link #rollBack}) and is thrown as one sentence for the {@code attach} command; the JVM goes on as
     * it was before, its sockets direct.
     */
    static void install(final Config config, final Instrumentation inst, boolean attach) throws StartupException {
        // Before Byte Buddy and SLF4J ever load: Byte Buddy must not reach for sun.misc.Unsafe (JDK 24+ warns).
        System.setProperty("net.bytebuddy.safe", "true");
        Logging.configure(config.logLevel(), config.logFile(), config.logFileSource());
        for (String warning : config.warnings()) {
            LoggerFactory.getLogger("socksudp").warn(warning); // SLF4J starts only if there is one
        }

        JmxHook jmx = new JmxHook(inst);
        if (attach) {
            jmx.defer(); // a rolled-back attach must not leave its MBeanServerBuilder named
        }
        final Refusal refusal = attach ? Refusal.recording() : Refusal.halting();
        // The Netty strategy's host asks the transformer for the hooks: it is created later, from inside it.
        final LazyTransformer[] self = new LazyTransformer[1];
        final LazyTransformer transformer = new LazyTransformer(Strategies.watches(), jmx, new Activation.Factory() {
            @Override
            public Activation activation() throws StartupException, IOException {
                // First, and before Activation is even linked (it links TunnelHooks, which implements the
                // bridge's interfaces): see Agent.BOOTSTRAP_CLASSES.
                BootstrapInjector.inject(inst, Agent.BOOTSTRAP_CLASSES);
                return new Activation(config, inst);
            }
        }, refusal, new Supplier<ClassFileTransformer>() {
            @Override
            public ClassFileTransformer get() {
                return NettySetup.transformer(config, inst, self[0], refusal);
            }
        });
        self[0] = transformer;
        // Before the one scan of the loaded classes: a class loaded meanwhile (an attach, with the application
        // running) is seen by the transformer or found by the scan. Netty's name check is in it too.
        inst.addTransformer(transformer, true);
        try {
            retransformLoaded(inst, transformer, jmx);
            if (attach) {
                activateNow(transformer);
                failIfRecorded(refusal.recorded());
            }
            if (attach) {
                failIfRecorded(refusal.commit()); // from here on a failure on a class stops the JVM, as at start
            }
            if (config.dns() != null) {
                // The DNS client's own queries go to the relay through the datagram interception registered above.
                BootstrapInjector.openJavaBase(inst, "java.net");
                installDns(config);
            }
        } catch (StartupException | RuntimeException | Error e) {
            if (!attach) {
                throw e;
            }
            rollBack(inst, transformer);
            throw e instanceof StartupException ? (StartupException) e
                    : new StartupException("could not start in this JVM (" + e + ")", e);
        }
        if (attach) {
            jmx.resume();
        }
        if (jmxInUse()) {
            registerMBeanInBackground(); // the JVM's JMX agent may have created the server before we came
        }
    }

    /**
     * A datagram class loaded before premain (another agent, an AOT cache), or before an attach, would otherwise never
     * be seen: retransforming it runs the same transformers now, which resolve, check and instrument it (or refuse).
     * The same for the JMX hook: MBeanServerFactory loaded already means an MBean server may exist soon. One scan for
     * the JDK's classes and Netty's (each costs every premain some milliseconds of CPU: 700 classes and more).
     */
    private static void retransformLoaded(Instrumentation inst, LazyTransformer transformer, JmxHook jmx)
            throws StartupException {
        List<Class<?>> loaded = new ArrayList<Class<?>>();
        List<Class<?>> netty = new ArrayList<Class<?>>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            String name = c.getName();
            ClassLoader loader = c.getClassLoader();
            if (loader == null && inWatchedJdkPackage(name)) {
                String internalName = name.replace('.', '/');
                if (transformer.watches(loader, internalName)) {
                    loaded.add(c);
                    continue;
                }
                if (jmx.isTrigger(loader, internalName)) {
                    jmx.install();
                    continue;
                }
            }
            if (LazyTransformer.mayBeNetty(name) && NettyStrategy.isWatched(name)) {
                netty.add(c);
            }
        }
        if (!loaded.isEmpty()) {
            try {
                inst.retransformClasses(loaded.toArray(new Class<?>[0]));
            } catch (UnmodifiableClassException | RuntimeException e) {
                throw new StartupException("cannot retransform the JDK's datagram classes (" + e + ")", e);
            }
        }
        if (!netty.isEmpty()) {
            try {
                inst.retransformClasses(netty.toArray(new Class<?>[0]));
            } catch (UnmodifiableClassException | RuntimeException e) {
                throw new StartupException("cannot retransform Netty's native datagram channels (" + e + ")", e);
            }
        }
    }

    /**
     * Whether a bootstrap class's package is one that the JDK watches and the JMX hook name classes of (StrategiesTest
     * holds them to it): the scan builds the internal names of those few only, not of some 700 classes, in the
     * interpreter, on every start.
     */
    static boolean inWatchedJdkPackage(String className) {
        return className.startsWith("java.net.") || className.startsWith("sun.nio.ch.")
                || className.startsWith("javax.management.");
    }

    /**
     * For an attach: loads every watched class the application has not loaded yet (without initialising it), so
     * that each strategy is resolved, checked and its classes instrumented now, while a failure can still be rolled
     * back, and not at some later first datagram, in a JVM that had been running fine.
     */
    private static void activateNow(LazyTransformer transformer) {
        for (String name : transformer.watchedClasses()) {
            try {
                Class.forName(name, false, null);
            } catch (ClassNotFoundException notInThisJdk) {
                // e.g. the legacy impl from JDK 18 on
            }
        }
    }

    private static void failIfRecorded(String failure) throws StartupException {
        if (failure != null) {
            throw new StartupException(failure);
        }
    }


    /**
     * Undoes a failed attach: no transformer of the agent's stays registered, and every class it may have changed
     * is retransformed without it, back to its own bytes. Should that fail, the bridge's hooks are gone anyway, and
     * advice without hooks sends directly, as the JVM did before. What stays is inert: the bridge classes in the boot
     * loader, java.base's packages opened to the agent, and the agent's settings for its own (relocated) SLF4J.
     */
    private static void rollBack(Instrumentation inst, LazyTransformer transformer) {
        inst.removeTransformer(transformer); // Netty's check with it
        Activation activation = transformer.activationIfAny();
        if (activation != null) {
            activation.stop();
        }
        List<Class<?>> changed = new ArrayList<Class<?>>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (transformer.watches(c.getClassLoader(), c.getName().replace('.', '/'))
                    || NettyStrategy.isWatched(c.getName())) {
                changed.add(c);
            }
        }
        if (!changed.isEmpty()) {
            try {
                inst.retransformClasses(changed.toArray(new Class<?>[0]));
            } catch (UnmodifiableClassException | RuntimeException | LinkageError e) {
                // the advice stays, without hooks: see above
            }
        }
    }

    /** Apart, so that a JVM without socksudp.dns never loads the DNS code (classes link lazily). */
    private static void installDns(Config config) throws StartupException {
        io.socksudp.agent.dns.jdk.DnsSetup.install(config);
    }

    /**
     * Registers the MBean ({@code io.socksudp:type=Agent}) now; for {@code status} and {@code attach}. Never
     * during start-up: creating the platform MBean server initialises JMX and java.util.logging, and an
     * application that sets {@code java.util.logging.manager} or its own JMX up in main must find them untouched.
     */
    static void registerMBean() {
        try {
            io.socksudp.agent.jmx.AgentMBeans.register();
        } catch (RuntimeException | LinkageError e) {
            LoggerFactory.getLogger("socksudp").warn("could not register the socksudp MBean: {}", e.toString());
        }
    }

    /** The JVM was started with its JMX agent (com.sun.management.jmxremote*): JMX is initialised anyway. */
    private static boolean jmxInUse() {
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("com.sun.management.jmxremote")) {
                return true;
            }
        }
        return false;
    }

    private static void registerMBeanInBackground() {
        Thread t = new Thread(new Runnable() {
            @Override
            public void run() {
                registerMBean();
            }
        }, "socksudp-jmx");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Netty's native channels live in application class loaders and may never load: the transformer's name check
     * ({@link LazyTransformer#mayBeNetty}) creates the Netty strategy's transformer at the first class whose name may
     * be one of theirs. A class of its own: Installer's verification would otherwise load the strategy's host
     * interface at every premain.
     */
    private static final class NettySetup {
        private NettySetup() {
        }

        static ClassFileTransformer transformer(Config config, final Instrumentation inst,
                final LazyTransformer transformer, final Refusal refusal) {
            return NettyStrategy.transformer(new Routing(config.nonProxyHosts()), new NettyStrategy.Host() {
                @Override
                public void defineBridge() throws StartupException {
                    BootstrapInjector.inject(inst, Agent.BOOTSTRAP_CLASSES);
                }

                @Override
                public io.socksudp.agent.intercept.TunnelHooks hooks() throws IOException {
                    try {
                        return transformer.activation().hooks();
                    } catch (StartupException e) {
                        throw new IOException(e.getMessage(), e);
                    }
                }

                @Override
                public void refuse(String sentence) {
                    refusal.refuse(sentence);
                }
            });
        }
    }
}
