package io.socksudp.agent;

import io.socksudp.agent.association.AssociationManager;
import io.socksudp.agent.association.ProxyClient;
import io.socksudp.agent.bootstrap.Dispatch;
import io.socksudp.agent.config.Config;
import io.socksudp.agent.intercept.ChannelTunnels;
import io.socksudp.agent.intercept.DatagramInstrumentation;
import io.socksudp.agent.intercept.Routing;
import io.socksudp.agent.intercept.nio.NioDatagramChannelInstrumentation;
import io.socksudp.agent.intercept.nio.NioSourceAddressReader;
import io.socksudp.agent.intercept.AdviceTransformer;
import net.bytebuddy.asm.AsmVisitorWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Wires the agent together and instruments the JDK; fails the start-up rather than run half-instrumented. */
final class Installer {

    private Installer() {
    }

    static void install(Config config, Instrumentation inst) throws StartupException {
        // Before Byte Buddy and SLF4J load: Byte Buddy must not reach for sun.misc.Unsafe (JDK 24+ warns).
        System.setProperty("net.bytebuddy.safe", "true");
        Logging.configure(config.logLevel());
        Logger log = LoggerFactory.getLogger("socksudp");

        DatagramInstrumentation strategy = new NioDatagramChannelInstrumentation();
        String missing = strategy.missingOnThisJdk();
        if (missing != null) {
            throw new StartupException("this JDK (" + System.getProperty("java.version") + ") is not supported: "
                    + missing + "; refusing to run unproxied");
        }
        BootstrapInjector.openJavaBase(inst, "sun.nio.ch");

        NioSourceAddressReader sources;
        try {
            sources = new NioSourceAddressReader();
        } catch (ReflectiveOperationException e) {
            throw new StartupException("cannot read datagram sources on this JDK (" + e + ")", e);
        }
        AssociationManager associations = new AssociationManager(new ProxyClient(config));
        Dispatch.install(new ChannelTunnels(associations, new Routing(config.nonProxyHosts()), sources));

        instrument(inst, strategy);
        log.debug("socksudp active with {} ({})", strategy.name(), config);
    }

    private static void instrument(Instrumentation inst, DatagramInstrumentation strategy) throws StartupException {
        Map<String, AsmVisitorWrapper> advice = strategy.advice();
        List<Class<?>> loaded = new ArrayList<Class<?>>();
        for (String name : advice.keySet()) {
            try {
                // Load now, so it is transformed and checked here at start-up rather than at first use.
                loaded.add(Class.forName(name));
            } catch (ClassNotFoundException e) {
                throw new StartupException("cannot load " + name + " (" + e + ")", e);
            }
        }
        AdviceTransformer transformer = new AdviceTransformer(advice);
        inst.addTransformer(transformer, true);
        try {
            inst.retransformClasses(loaded.toArray(new Class<?>[0]));
        } catch (UnmodifiableClassException | RuntimeException e) {
            throw new StartupException("cannot retransform the JDK's datagram classes (" + e + ")", e);
        }
        String failure = transformer.failure();
        if (failure != null) {
            throw new StartupException("could not instrument the JDK's datagram I/O (" + failure
                    + "); refusing to run unproxied");
        }
    }
}
