package io.socksudp.agent;

import io.socksudp.agent.association.AssociationManager;
import io.socksudp.agent.association.ProxyClient;
import io.socksudp.agent.bootstrap.Dispatch;
import io.socksudp.agent.config.Config;
import io.socksudp.agent.config.ProxyEndpoint;
import io.socksudp.agent.config.ProxySettings;
import io.socksudp.agent.config.LazyLogger;
import io.socksudp.agent.config.OnUnavailable;
import io.socksudp.agent.config.StartupException;
import io.socksudp.agent.intercept.AdviceWeaver;
import io.socksudp.agent.intercept.TunnelHooks;
import io.socksudp.agent.intercept.PrivilegedHooks;
import io.socksudp.agent.metrics.Metrics;
import io.socksudp.agent.intercept.DatagramInstrumentation;
import io.socksudp.agent.intercept.Routing;
import io.socksudp.agent.intercept.StrategyWatch;
import io.socksudp.agent.intercept.WovenClassCache;
import org.slf4j.Logger;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Everything the agent does once the application first loads a datagram class: created by the first watched
 * class, never in a JVM that has none.
 *
 * <p>For each {@link StrategyWatch}, on the first sight of one of its classes: resolve the strategy from that class's
 * bytes (refuse, stopping the JVM, if the JDK is not what the strategy expects: the class is not defined yet, so not
 * one datagram has gone; an attach is rolled back instead), open the JDK packages it reaches into, create the hooks
 * and install them in the bootstrap bridge (once, for all strategies), and wire the strategy into them. Then, for each
 * of its target classes: the instrumented bytes from the {@link WovenClassCache}, or woven by Byte Buddy (and cached).
 * The hooks are in place before the instrumented class is returned, so its advice never runs without them.
 */
final class Activation {

    /** Creates the activation on first need (its construction reads the build id; nothing heavier). */
    interface Factory {
        Activation activation() throws StartupException, IOException;
    }

    private static final Logger LOG = LazyLogger.getLogger("socksudp");

    private final Config config;
    private final Instrumentation inst;
    private final WovenClassCache cache;
    private final Map<StrategyWatch, DatagramInstrumentation> resolved =
            new IdentityHashMap<StrategyWatch, DatagramInstrumentation>();
    private final Map<DatagramInstrumentation, AdviceWeaver> weavers =
            new IdentityHashMap<DatagramInstrumentation, AdviceWeaver>();
    private TunnelHooks hooks;

    Activation(Config config, Instrumentation inst) throws IOException {
        this.config = config;
        this.inst = inst;
        String buildId = AgentJar.buildId();
        this.cache = new WovenClassCache(buildId == null ? null : config.cacheDirectory(), buildId);
    }

    /**
     * The instrumented bytes of a watched class, or null to define it as it is (a watched class the resolved
     * strategy does not transform, or a strategy that does not apply here). Serialised: resolving and weaving
     * happen once, and a class loaded meanwhile on the same thread re-enters (the lock is re-entrant).
     */
    synchronized byte[] transform(StrategyWatch watch, ClassLoader loader, String internalName, byte[] classfile)
            throws Exception {
        String className = internalName.replace('/', '.');
        DatagramInstrumentation strategy = resolve(watch, loader, className, classfile);
        if (strategy == null || !isTarget(strategy, className)) {
            return null;
        }
        requireSameLayout(watch, strategy, loader, className, classfile);
        String variant = strategy.name();
        long start = System.nanoTime();
        byte[] woven = cache.get(className, variant, classfile);
        boolean hit = woven != null;
        if (!hit) {
            AdviceWeaver weaver = weavers.get(strategy);
            if (weaver == null) {
                weaver = new AdviceWeaver(strategy);
                weavers.put(strategy, weaver);
            }
            woven = weaver.weave(loader, className, classfile);
            cache.put(className, variant, classfile, woven);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("instrumented " + className + " in " + (System.nanoTime() - start) / 1000000 + " ms ("
                    + (hit ? "from the class cache " + cache.directory() : "woven by Byte Buddy; class cache: "
                    + (cache.problem() == null ? String.valueOf(cache.directory()) : cache.problem())) + ")");
        }
        return woven;
    }

    private DatagramInstrumentation resolve(StrategyWatch watch, ClassLoader loader, String className,
                                            byte[] classfile) throws IOException, StartupException {
        DatagramInstrumentation known = resolved.get(watch);
        if (known != null) {
            return known;
        }
        DatagramInstrumentation strategy = watch.resolve(loader, className, classfile);
        if (strategy == null) {
            return null; // nothing to do for this class; the watch decides again on its next class
        }
        String missing = strategy.missingOnThisJdk();
        if (missing != null) {
            throw unsupported(missing);
        }
        activate(strategy);
        resolved.put(watch, strategy);
        return strategy;
    }

    /**
     * A strategy is resolved from the first of its classes to load, reading the others from the JDK's class files;
     * but the bytes of a class being defined are what counts (another agent may have changed them, and an attach
     * retransforms the loaded classes in no set order, so the channel's socket adaptor may come first). So each
     * target class is checked again from its own bytes before it is instrumented: advice for a method that is not
     * there would silently not apply.
     */
    private void requireSameLayout(StrategyWatch watch, DatagramInstrumentation strategy, ClassLoader loader,
            String className, byte[] classfile) throws IOException, StartupException {
        String mismatch = StrategyWatch.layoutMismatch(strategy, className,
                watch.resolve(loader, className, classfile));
        if (mismatch != null) {
            throw unsupported(mismatch);
        }
    }

    private static StartupException unsupported(String missing) {
        return new StartupException("this JDK (" + System.getProperty("java.version") + ") is not supported ("
                + missing + "); refusing to run unproxied");
    }

    private void activate(DatagramInstrumentation strategy) throws StartupException {
        for (String pkg : strategy.javaBasePackages()) {
            BootstrapInjector.openJavaBase(inst, pkg);
        }
        strategy.wire(hooks());
        if (LOG.isDebugEnabled()) {
            LOG.debug("socksudp active with " + strategy.name() + " (" + config + ")");
        }
    }

    /**
     * The hooks, created and installed in the bootstrap bridge on first need: by the first strategy, or by the
     * Netty strategy's first tunnel when a Netty native channel is the application's first UDP.
     */
    synchronized TunnelHooks hooks() {
        if (hooks == null) {
            ProxySettings settings = config.proxySettings();
            java.util.List<ProxyEndpoint> proxies = settings.proxies();
            ProxyClient[] clients = new ProxyClient[proxies.size()];
            for (int i = 0; i < clients.length; i++) {
                clients[i] = new ProxyClient(settings, proxies.get(i));
            }
            hooks = new TunnelHooks(new AssociationManager(clients),
                    new Routing(config.nonProxyHosts()), null, null,
                    config.onUnavailable() == OnUnavailable.DROP);
            Metrics.proxy(config.proxyNames());
            Metrics.drops(hooks.drops());
            Dispatch.install(new PrivilegedHooks(hooks));
        }
        return hooks;
    }

    /**
     * Undoes what activating did that could act, for an attach rolled back: the bridge's hooks are removed (advice
     * left in a class that could not be restored then sends directly, as without the agent) and the socket registry's reaper thread
     * ends. The bridge classes stay defined in the boot loader, unused.
     */
    synchronized void stop() {
        if (hooks != null) {
            Dispatch.install(null);
            hooks.stop();
        }
    }

    private static boolean isTarget(DatagramInstrumentation strategy, String className) {
        for (String target : strategy.targetClasses()) {
            if (target.equals(className)) {
                return true;
            }
        }
        return false;
    }
}
