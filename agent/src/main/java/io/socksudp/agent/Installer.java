package io.socksudp.agent;

import io.socksudp.agent.association.AssociationManager;
import io.socksudp.agent.association.ProxyClient;
import io.socksudp.agent.bootstrap.Dispatch;
import io.socksudp.agent.bootstrap.MBeanServerHook;
import io.socksudp.agent.config.Config;
import io.socksudp.agent.config.OnUnavailable;
import io.socksudp.agent.intercept.ChannelTunnels;
import io.socksudp.agent.intercept.DatagramInstrumentation;
import io.socksudp.agent.intercept.Routing;
import io.socksudp.agent.intercept.Strategies;
import io.socksudp.agent.intercept.AdviceTransformer;
import io.socksudp.agent.intercept.PreparedAdvice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.socksudp.agent.metrics.Metrics;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** Wires the agent together and instruments the JDK; fails the start-up rather than run half-instrumented. */
final class Installer {

    private Installer() {
    }

    static void install(Config config, Instrumentation inst, boolean mbeanHook) throws StartupException {
        // Before Byte Buddy and SLF4J load: Byte Buddy must not reach for sun.misc.Unsafe (JDK 24+ warns).
        System.setProperty("net.bytebuddy.safe", "true");
        Logging.configure(config.logLevel(), config.logFile(), config.logFileSource());
        Logger log = LoggerFactory.getLogger("socksudp");
        for (String warning : config.warnings()) {
            log.warn(warning);
        }

        Strategies strategies;
        try {
            strategies = Strategies.forThisJdk();
        } catch (java.io.IOException e) {
            throw new StartupException("cannot read the JDK's datagram class files (" + e + ")", e);
        }
        for (DatagramInstrumentation strategy : strategies.all()) {
            String missing = strategy.missingOnThisJdk();
            if (missing != null) {
                throw new StartupException("this JDK (" + System.getProperty("java.version") + ") is not supported: "
                        + missing + "; refusing to run unproxied");
            }
        }
        BootstrapInjector.openJavaBase(inst, "sun.nio.ch");
        if (strategies.packetAccess() != null) {
            BootstrapInjector.openJavaBase(inst, "java.net");
        }

        AssociationManager associations = new AssociationManager(new ProxyClient(config));
        ChannelTunnels tunnels = new ChannelTunnels(associations, new Routing(config.nonProxyHosts()),
                strategies.channelAccess(), strategies.packetAccess(), config.onUnavailable() == OnUnavailable.DROP);
        Metrics.proxy(config.proxy().toString());
        Metrics.drops(tunnels.drops());
        Dispatch.install(tunnels);

        List<ClassFileTransformer> added = new ArrayList<ClassFileTransformer>();
        try {
            for (DatagramInstrumentation strategy : strategies.all()) {
                instrument(inst, strategy, added);
                if (strategy.usedByDefault()) {
                    log.debug("socksudp active with {} ({})", strategy.name(), config);
                } else {
                    // JDK 15 to 17 without -Djdk.net.usePlainDatagramSocketImpl: advised in case the application sets it
                    log.debug("socksudp ready for {} should this JDK be switched to it", strategy.name());
                }
            }
        } catch (StartupException e) {
            // Nothing half-installed (this matters when attached to a running JVM, which goes on without us):
            // a failed retransformation changed no class, and no transformer stays behind for later loads.
            for (ClassFileTransformer t : added) {
                inst.removeTransformer(t);
            }
            Dispatch.install(null);
            throw e;
        }
        if (mbeanHook && System.getProperty(MBeanServerHook.PROPERTY) == null) {
            // A name only: nothing of JMX initialises until somebody creates the platform MBean server, if ever.
            MBeanServerHook.install(new MBeanRegistration());
            System.setProperty(MBeanServerHook.PROPERTY, MBeanServerHook.class.getName());
        }
        if (jmxInUse()) {
            registerMBeanInBackground(); // the JVM's JMX agent may have created the server before we came
        }
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

    /** Registers the agent's MBean in a new platform MBean server (see MBeanServerHook). */
    private static final class MBeanRegistration implements java.util.function.Consumer<javax.management.MBeanServer> {
        @Override
        public void accept(javax.management.MBeanServer server) {
            io.socksudp.agent.jmx.AgentMBeans.registerIn(server);
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
     * Transforms the strategy's classes when they load, with advice prepared in the background meanwhile (if
     * the JDK uses them by default; else on first load);
     * classes loaded already are retransformed now, and a failure then stops the start-up.
     */
    private static void instrument(Instrumentation inst, DatagramInstrumentation strategy,
                                   List<ClassFileTransformer> added) throws StartupException {
        PreparedAdvice advice = new PreparedAdvice(strategy);
        if (strategy.usedByDefault()) {
            advice.prepareInBackground();
        }
        final List<String> failures = new CopyOnWriteArrayList<String>();
        final AtomicBoolean started = new AtomicBoolean();
        AdviceTransformer transformer = new AdviceTransformer(strategy.targetClasses(), advice,
                new AdviceTransformer.FailureHandler() {
                    @Override
                    public void failed(String className, Throwable cause) {
                        String sentence = "could not instrument " + className + " (" + cause
                                + "); refusing to run unproxied";
                        if (started.get()) {
                            Agent.refuse(sentence); // at first use: stop rather than send directly
                        }
                        failures.add(sentence);
                    }
                });
        inst.addTransformer(transformer, true);
        added.add(transformer);
        List<Class<?>> loaded = loadedTargets(inst, strategy.targetClasses());
        if (!loaded.isEmpty()) {
            try {
                inst.retransformClasses(loaded.toArray(new Class<?>[0]));
            } catch (UnmodifiableClassException | RuntimeException e) {
                throw new StartupException("cannot retransform the JDK's datagram classes (" + e + ")", e);
            }
        }
        if (!failures.isEmpty()) {
            throw new StartupException(failures.get(0));
        }
        started.set(true);
    }

    private static List<Class<?>> loadedTargets(Instrumentation inst, String[] targetClasses) {
        List<String> names = Arrays.asList(targetClasses);
        List<Class<?>> loaded = new ArrayList<Class<?>>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (c.getClassLoader() == null && names.contains(c.getName())) {
                loaded.add(c);
            }
        }
        return loaded;
    }
}
