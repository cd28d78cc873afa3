/**
 * {@code socksudp.dns}: the JVM's name look-ups asked of a DNS server through the proxy, so that they leave the host
 * the way its datagrams do. Fail closed: a look-up that cannot be answered through the proxy is an
 * {@code UnknownHostException} naming the proxy and the DNS server, never a fallback to the system resolver.
 *
 * <p>Dependencies: {@code dns.message} (the DNS wire format, pure), {@code association} ({@code ProxyConnector},
 * for TCP) and {@code config}. It never refers to {@code intercept}: its UDP queries go out on ordinary JDK datagram
 * channels, which the agent's own interception tunnels like any application's; nor to {@code dns.jdk}, which hooks
 * the JDK and refers to this package one way. Loaded only when the setting is there: {@code Installer} reaches
 * {@code dns.jdk.DnsSetup} through a method of its own.
 *
 * <h2>Types, one job each</h2>
 * <ul>
 * <li>{@link io.socksudp.agent.dns.ProxiedResolver}: made for this machine ({@code forThisMachine}: the hosts file,
 *     {@code resolv.conf}, a {@code DnsTransport}); one look-up in the system resolver's order: IP literals never
 *     sent, the hosts file, {@code localhost}, names left to the system (the bypass list, the proxy's and relay's own
 *     names, look-ups made while an exchange runs), then DNS with the search list and {@code ndots}.</li>
 * <li>{@code DnsTransport} (package-private): asks the DNS server, over UDP on a few pooled channels of its own,
 *     each with its own association; believes an answer only from the server (as the relay reports it), well formed,
 *     with an open ID and the question echoed; asks again over TCP (SOCKS5 CONNECT) when the answer is truncated.</li>
 * <li>{@link io.socksudp.agent.dns.DnsDrops}: answers not believed, counted by reason.</li>
 * <li>{@link io.socksudp.agent.dns.HostsFile}, {@link io.socksudp.agent.dns.ResolvConf}: what glibc reads from
 *     {@code /etc/hosts} and {@code /etc/resolv.conf} (search list, ndots, timeout, attempts; not its servers).</li>
 * <li>{@link io.socksudp.agent.dns.AddressOrder}: which families a look-up returns, in which order, as the JDK would.
 *     </li>
 * </ul>
 *
 * <h2>Call chain</h2>
 * Start (in premain, only with {@code socksudp.dns}): {@code Installer} opens {@code java.base/java.net} →
 * {@code dns.jdk.DnsSetup.install} (steps aside when {@code jdk.net.hosts.file} is set on JDK 9+) →
 * {@code ProxiedResolver.forThisMachine}: {@code ResolvConf.read}, {@code new DnsTransport(server, new
 * ProxyConnector(config.proxySettings()), ...)}, {@code new ProxiedResolver(...)} → {@code dns.jdk.NameServiceHooks.install}, which puts the resolver where this
 * JDK's {@code InetAddress} asks (see {@code io.socksudp.agent.dns.jdk}) → a background
 * {@code DatagramChannel.open()}, so that the first look-up does not wait for the datagram class's activation.
 *
 * <p>A look-up: {@code InetAddress.getAllByName} → the JDK's resolver, now the agent's hook → {@code
 * ProxiedResolver.lookup} (null: the hook asks the JDK's own resolver) → {@code DnsTransport.ask} →
 * {@code DatagramChannel.send} to the DNS server → the agent's interception (see {@code io.socksudp.agent.intercept}:
 * the channel's own association, the query framed for the relay) → the answer, vetted by the interception (only the
 * relay) and then by {@code DnsTransport} (only the server, only open IDs, the question echoed) → truncated:
 * {@code ProxyConnector.connect(server)} (SOCKS5 CONNECT) and the same question over TCP.
 */
package io.socksudp.agent.dns;
