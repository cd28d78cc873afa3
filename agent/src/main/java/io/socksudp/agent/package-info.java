/**
 * The agent's entry points and its start-up: what the JVM calls ({@code premain}, {@code agentmain}), the one
 * transformer registered then, and the activation that does the real work when the application first touches UDP.
 * This package wires the others together; it owns nothing on the per-datagram path.
 *
 * <p>Dependencies: it may use every agent package but {@code cli} and {@code probe}, the operator's tools, which the
 * {@code -javaagent} path never loads ({@code cli} reads {@link io.socksudp.agent.Agent#STATE_PROPERTY} from here,
 * never the reverse). {@code Agent} and {@code LazyTransformer} must link no bootstrap bridge type and no Byte Buddy
 * type: the bridge has to be defined in the boot loader before the agent's own loader links against it, and a JVM
 * that never opens a datagram socket should load neither. The DNS and JMX code are reached through methods of their
 * own in {@code Installer}, so that classes linking lazily keeps them unloaded unless used. No package refers back
 * to this one: what a refusal throws, {@code config.StartupException}, lives with the configuration.
 *
 * <h2>Types, one job each</h2>
 * <ul>
 * <li>{@link io.socksudp.agent.Agent}: {@code premain} and {@code agentmain}; loads the configuration, defines the
 *     calls the installer, records the state in a system property; {@code refuse} stops the JVM with one
 *     sentence (exit status 2), since running on unproxied would send around the proxy.</li>
 * <li>{@code Installer}: registers the one transformer, retransforms watched classes loaded before premain, installs
 *     the Netty name check and the DNS resolver (with {@code socksudp.dns}). {@code Strategies}: the JDK strategies'
 *     watches (NIO, legacy) it hands the transformer; here rather than in {@code intercept}, which they build on.</li>
 * <li>{@code JmxHook}: defines {@code bootstrap.MBeanServerHook} and names it in
 *     {@code javax.management.builder.initial} when the JDK loads {@code MBeanServerFactory} (the transformer tells
 *     it), so that programs without JMX do not pay for a bootstrap definition at start.</li>
 * <li>{@code LazyTransformer}: asked about every class the JVM defines; for the few a {@code StrategyWatch} wants it
 *     creates the {@code Activation} once and hands over; any failure on such a class stops the JVM.</li>
 * <li>{@code Activation}: per strategy, resolve it from the class bytes and wire it to the tunnels; per target class,
 *     the instrumented bytes from the class cache or from Byte Buddy.</li>
 * <li>{@code BootstrapInjector}: defines bridge classes in the boot loader ({@code Unsafe.defineClass}, with
 *     {@code jdk.internal.misc} opened through {@code Instrumentation.redefineModule}; {@code sun.misc.Unsafe} on
 *     JDK 8) and opens {@code java.base} packages to the agent for reflection.</li>
 * <li>{@code AgentJar}: reads entries of the agent's own jar (bridge class files, the build id) without going
 *     through a class loader's resource search.</li>
 * <li>{@code Refusal}: what a failure on a watched class does: halt (premain), or be recorded while an attach is
 *     tried, for its rollback.</li>
 * <li>{@code Logging}: configures the shaded slf4j-simple (level, {@code socksudp.logFile}) before the first
 *     logger exists.</li>
 * </ul>
 *
 * <h2>Start-up, as the code runs it</h2>
 * In {@code premain} (or {@code agentmain}), through {@code Agent.start}:
 * <ol>
 * <li>{@code ConfigLoader.load(agent arguments, System.getProperties(), System.getenv())}: a bad setting is a
 *     {@code ConfigException} whose one sentence {@code Agent.refuse} prints before halting.</li>
 * <li>{@code Installer.install}: {@code net.bytebuddy.safe=true}; {@code Logging.configure}; the configuration's
 *     warnings logged; {@code new LazyTransformer(Strategies.watches(), jmxHook, factory, refusal, nettyFactory)}
 *     added as a retransforming transformer ({@code NioChannelWatch}, {@code LegacySocketWatch}, and a name check for
 *     Netty's native channels that creates {@code NettyStrategy}'s transformer at the first class it lets through, see
 *     {@code intercept.netty}); then one scan of the loaded classes:
 *     watched ones (another agent, an AOT cache, Netty before an attach) retransformed now, and the JMX hook put in
 *     place at once if {@code MBeanServerFactory} is loaded already; with {@code socksudp.dns}, {@code java.base/java.net} opened and
 *     {@code dns.jdk.DnsSetup.install} (see {@code dns}).</li>
 * <li>{@code Agent.STATE_PROPERTY} set to {@code installed VERSION by premain, proxy HOST:PORT}. Nothing else of the
 *     agent has loaded.</li>
 * </ol>
 * At the first watched class to load ({@code sun.nio.ch.DatagramChannelImpl} when the application opens a
 * {@code DatagramChannel}, or a {@code DatagramSocket} on JDK 15+; the legacy impl or {@code DatagramSocket} on JDK 8
 * to 14), on the loading thread:
 * <ol>
 * <li>{@code LazyTransformer.transform} → {@code StrategyWatch.watches} → once, under the transformer's lock, the
 *     factory in {@code Installer}: {@code BootstrapInjector.inject(inst, Agent.BOOTSTRAP_CLASSES)} (before
 *     {@code Activation} is even linked: it links {@code TunnelHooks}, which implements the bridge's interfaces), then
 *     {@code new Activation(config, inst)} (reads the build id, {@code AgentJar.buildId}, opens the
 *     {@code WovenClassCache}).</li>
 * <li>{@code Activation.transform} → {@code resolve}: {@code StrategyWatch.resolve(loader, name, class bytes)} picks
 *     the {@code DatagramInstrumentation} from what the class file declares ({@code ClassFileInventory}), never from
 *     the version number; {@code missingOnThisJdk()} not null → a {@code StartupException} for the refusal (the
 *     class is not defined yet, so not one datagram has gone).</li>
 * <li>{@code activate}: {@code BootstrapInjector.openJavaBase} for the strategy's packages; once for all
 *     strategies, {@code new TunnelHooks(new AssociationManager(new ProxyClient(config.proxySettings(), proxy)...),
 *     new Routing(nonProxyHosts), ...)}, {@code Metrics.proxy}, {@code Metrics.drops},
 *     {@code Dispatch.install(hooks)}; then {@code strategy.wire(hooks)}, which gives the hooks the strategy's
 *     {@code ChannelAccess} or {@code PacketAccess}.</li>
 * <li>For each of the strategy's target classes: {@code WovenClassCache.get(class, variant, original bytes)}, or on a
 *     miss {@code AdviceWeaver.weave} (the only place Byte Buddy loads) and {@code WovenClassCache.put}. The hooks are
 *     in place before the woven bytes are returned, so no advice runs without them.</li>
 * </ol>
 * Any exception on a watched class ends in {@code Refusal.refuse}, which after premain is {@code Agent.refuse}: the JVM
 * would otherwise define the class unchanged and the application's datagrams would go out directly. Each target class
 * is checked from its own bytes too ({@code Activation.requireSameLayout}), not only the class the strategy was
 * resolved from. {@code agentmain} ({@code Installer.install(config, inst, true)}) runs the same steps with a
 * recording {@code Refusal}, and within the attach: the watched classes already loaded are retransformed, those not
 * loaded yet are loaded ({@code Class.forName(name, false, null)}), so every strategy is resolved and every target
 * instrumented now; a failure recorded then, or any exception until the DNS set-up is done, rolls back
 * ({@code Installer.rollBack}: transformers removed, the changed classes retransformed back, {@code Activation.stop}
 * takes the hooks out of the bridge and ends the socket registry's reaper thread) and becomes {@code attach failed: SENTENCE} in
 * {@code Agent.STATE_PROPERTY}, which the CLI's {@code attach} reports; the JVM runs on as before. After the commit a
 * refusal halts, as after premain; the JMX hook waits for the commit. The agent argument
 * {@code Agent.REGISTER_MBEAN} only registers the MBean. What happens to a datagram afterwards is in
 * {@code io.socksudp.agent.intercept}.
 */
package io.socksudp.agent;

import io.socksudp.agent.config.StartupException;
