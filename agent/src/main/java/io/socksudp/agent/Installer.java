package io.socksudp.agent;

import io.socksudp.agent.association.AssociationManager;
import io.socksudp.agent.association.ProxyClient;
import io.socksudp.agent.bootstrap.Dispatch;
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

    static void install(Config config, Instrumentation inst) throws StartupException {
        // Before Byte Buddy and SLF4J load: Byte Buddy must not reach for sun.misc.Unsafe (JDK 24+ warns).
        System.setProperty("net.bytebuddy.safe", "true");
        Logging.configure(config.logLevel());
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
        Dispatch.install(new ChannelTunnels(associations, new Routing(config.nonProxyHosts()),
                strategies.channelAccess(), strategies.packetAccess(), config.onUnavailable() == OnUnavailable.DROP));

        for (DatagramInstrumentation strategy : strategies.all()) {
            instrument(inst, strategy);
            if (strategy.usedByDefault()) {
                log.debug("socksudp active with {} ({})", strategy.name(), config);
            } else {
                // JDK 15 to 17 without -Djdk.net.usePlainDatagramSocketImpl: advised in case the application sets it
                log.debug("socksudp ready for {} should this JDK be switched to it", strategy.name());
            }
        }
        if (config.dns() != null) {
            // After the datagram interception, through which the DNS client's own queries go to the relay.
            BootstrapInjector.openJavaBase(inst, "java.net");
            installDns(config);
        }
    }

    /** Apart, so that a JVM without socksudp.dns never loads the DNS code (classes link lazily). */
    private static void installDns(Config config) throws StartupException {
        io.socksudp.agent.dns.DnsSetup.install(config);
    }

    /**
     * Transforms the strategy's classes when they load, with advice prepared in the background meanwhile (if
     * the JDK uses them by default; else on first load);
     * classes loaded already are retransformed now, and a failure then stops the start-up.
     */
    private static void instrument(Instrumentation inst, DatagramInstrumentation strategy) throws StartupException {
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
