/**
 * The agent's settings: read once, at start, from system properties, agent arguments, environment variables and the
 * JDK's own SOCKS properties (in that precedence, then defaults), validated, and held immutable. Also the small value
 * types other layers share (the proxy's address, the bypass matcher, IP literals) and the lazy logger.
 *
 * <p>The bottom layer with {@code socks}: it refers to no other agent package, and every other package may use it
 * ({@code intercept} → {@code association} → {@code socks}, {@code config}). It resolves no names: the proxy's host
 * is kept as text and resolved at each association ({@link io.socksudp.agent.config.ProxyAddress#resolve()}), and
 * {@link io.socksudp.agent.config.HostMatcher} never looks anything up. A bad setting is a
 * {@link io.socksudp.agent.config.ConfigException} whose message is one sentence naming the setting as the user
 * wrote it, what is wrong, and the fix; it never contains a password.
 *
 * <h2>Types, one job each</h2>
 * <ul>
 * <li>{@link io.socksudp.agent.config.StartupException}: the agent cannot run here (a bad setting, a JDK whose
 *     internals or resolver it cannot hook); its message is the sentence the user reads. Here, beside
 *     {@code ConfigException}, because every layer that may refuse the start uses this package and no other.</li>
 * <li>{@link io.socksudp.agent.config.Config}: the settings' values, immutable; it parses nothing.</li>
 * <li>{@link io.socksudp.agent.config.ConfigLoader}: reads the four sources (an instance is one load's sources) and
 *     validates them into a {@code Config}; the proxy list and the checks of setting names are its own.</li>
 * <li>{@code SettingParsers} (package-private): the parsers of the other settings, the agent-argument parser and the
 *     suggestions for mistyped names; apart so that a start with {@code socksudp.proxy} alone never loads it.</li>
 * <li>{@code Source} (package-private): where one value came from, and how to word errors about it.</li>
 * <li>{@link io.socksudp.agent.config.ProxySettings}: the part of {@code Config} the association side takes (the
 *     proxies, connect timeout, associate mode, relay host), made when the agent activates.</li>
 * <li>{@link io.socksudp.agent.config.ProxyAddress}: the proxy's host and port as configured, and the host and port
 *     syntax the other settings share.</li>
 * <li>{@link io.socksudp.agent.config.ProxyEndpoint}: one proxy of {@code proxy}'s ordered (failover) list, its
 *     address and the credentials it is used with; {@code ProxyUrl} parses one entry and splits the list,
 *     {@code Credentials} gives each entry its own.</li>
 * <li>{@link io.socksudp.agent.config.HostMatcher}: the {@code socksNonProxyHosts} syntax, matched without DNS and
 *     without regular expressions.</li>
 * <li>{@link io.socksudp.agent.config.IpLiteral} (public face) and {@code IpLiterals} (the parser): IP literals
 *     without any name service.</li>
 * <li>{@link io.socksudp.agent.config.AssociateMode}, {@link io.socksudp.agent.config.OnUnavailable}: the choices of
 *     {@code associate} and {@code onUnavailable}.</li>
 * <li>{@link io.socksudp.agent.config.LazyLogger}: an SLF4J logger that starts SLF4J only when a line passes the
 *     configured level; here because every layer logs and this is the package they all may use.</li>
 * </ul>
 *
 * <h2>Call chain</h2>
 * {@code Agent.start} (premain or agentmain) → {@link io.socksudp.agent.config.ConfigLoader#load} → a {@code Config} → the agent's parts,
 * each taking what it needs: {@code Logging} the log level and file; {@code Activation} the cache directory (for the
 * {@code WovenClassCache}) and {@code onUnavailable} (for {@code TunnelHooks}); {@code Routing} (intercept, and
 * the Netty guard) the bypass list; {@code Activation} one {@code ProxyClient} per {@code ProxyEndpoint} for the
 * {@code AssociationManager}, and {@code ProxyConnector} (association), each with the {@code ProxySettings}: the
 * proxies with their credentials, connect timeout, associate mode and relay host; {@code DnsSetup} the DNS server, and
 * {@code ProxiedResolver} the bypass list and the proxy's own names. The CLI's {@code attach} runs the same
 * {@code ConfigLoader.load} against the target JVM's properties and environment before loading the agent, and its
 * {@code help} lists {@code Config.KEYS}.
 */
package io.socksudp.agent.config;
