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
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.utility.JavaModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.instrument.Instrumentation;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static net.bytebuddy.matcher.ElementMatchers.none;

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
        Set<String> expected = new HashSet<String>(Arrays.asList(strategy.targetClasses()));
        TransformationReport report = new TransformationReport(expected);
        for (String name : expected) {
            try {
                Class.forName(name); // load now, so it is retransformed and checked here rather than later
            } catch (ClassNotFoundException e) {
                throw new StartupException("cannot load " + name + " (" + e + ")", e);
            }
        }
        AgentBuilder builder = new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                // The default ignores bootstrap classes; the JDK's own classes are exactly our targets.
                .ignore(none())
                .with(report);
        strategy.instrument(builder).installOn(inst);
        String failure = report.failure();
        if (failure != null) {
            throw new StartupException("could not instrument the JDK's datagram I/O (" + failure
                    + "); refusing to run unproxied");
        }
    }

    /** Records what was transformed and every error; Byte Buddy swallows errors unless a listener reports them. */
    private static final class TransformationReport extends AgentBuilder.Listener.Adapter {

        private final Set<String> pending;
        private final Map<String, Throwable> errors =
                Collections.synchronizedMap(new LinkedHashMap<String, Throwable>());

        TransformationReport(Set<String> expected) {
            this.pending = Collections.synchronizedSet(new HashSet<String>(expected));
        }

        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                                     DynamicType dynamicType) {
            pending.remove(type.getName());
        }

        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded,
                            Throwable throwable) {
            errors.put(typeName, throwable);
        }

        String failure() {
            if (!errors.isEmpty()) {
                Map.Entry<String, Throwable> first = errors.entrySet().iterator().next();
                return first.getKey() + ": " + first.getValue();
            }
            if (!pending.isEmpty()) {
                return "not transformed: " + pending;
            }
            return null;
        }
    }
}
