/**
 * Where the JDK asks names, per JDK generation, chosen by what the JDK has (never by its version number): the agent's
 * {@code ProxiedResolver} put there, the JDK's own resolver kept for the names the agent leaves to the system. A JDK
 * with none of the places refuses the start, naming what it lacks.
 *
 * <p>Dependencies: {@code dns} (the resolver it installs) and {@code config} ({@code StartupException}); the JDK's
 * {@code java.net} must be open to the agent ({@code Installer} opens it). Nothing of the agent's datagram path.
 *
 * <h2>Types, one job each</h2>
 * <ul>
 * <li>{@link io.socksudp.agent.dns.jdk.DnsSetup}: at start-up, the resolver for this machine installed here, and the
 *     datagram channel class warmed up in the background; looks nothing up.</li>
 * <li>{@link io.socksudp.agent.dns.jdk.NameServiceHooks}: installs the resolver. JDK 18+ (JEP 418): hands it to the
 *     {@code ResolverProvider}, then makes the JDK choose its resolver now (the private {@code
 *     InetAddress.resolver()}, which looks nothing up) and refuses the start unless the choice is the agent's
 *     (another provider found first, or a name looked up before the agent started). JDK 9 to 17: replaces the static
 *     {@code InetAddress.nameService} (the private interface {@code InetAddress$NameService}) with a
 *     {@code java.lang.reflect.Proxy}. JDK 8: replaces the static list {@code InetAddress.nameServices}
 *     ({@code sun.net.spi.nameservice.NameService}) with a list of one proxy.</li>
 * <li>{@link io.socksudp.agent.dns.jdk.ResolverProvider}: the {@code java.net.spi.InetAddressResolverProvider} that
 *     the JDK finds with {@code ServiceLoader} through the agent jar's
 *     {@code META-INF/services/java.net.spi.InetAddressResolverProvider}; in every JVM on JDK 18+ that runs the agent,
 *     so without {@code socksudp.dns} it hands back the JDK's built-in resolver and loads nothing more.</li>
 * <li>{@code Jdk18Resolver}: the JDK 18+ {@code InetAddressResolver} over {@code ProxiedResolver}, with the families
 *     the JDK's {@code LookupPolicy} asks for.</li>
 * </ul>
 *
 * <h2>Call chain</h2>
 * JDK 18+: {@code InetAddress} → {@code Jdk18Resolver.lookupByName} → {@code ProxiedResolver.lookup} (null: the
 * built-in resolver). JDK 8 to 17: {@code InetAddress} → the proxy's {@code lookupAllHostAddr} /
 * {@code getHostByAddr} → {@code NameServiceHooks.Handler} → {@code ProxiedResolver.lookup} / {@code reverse}
 * (null: the JDK's original name service). From there see {@code io.socksudp.agent.dns}.
 */
package io.socksudp.agent.dns.jdk;
