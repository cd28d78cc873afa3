/**
 * The NIO strategy: {@code sun.nio.ch.DatagramChannelImpl}, behind every {@code DatagramChannel} on every JDK and
 * behind {@code DatagramSocket} and {@code MulticastSocket} from JDK 15 on (JEP 373); on JDK 8 to 14 also the timed
 * receive of its socket adaptor, {@code sun.nio.ch.DatagramSocketAdaptor}.
 *
 * <p>Dependencies: {@code intercept} (the strategy and access interfaces it implements) and {@code bootstrap} (what
 * its advice calls); Byte Buddy only in the advice builder and the advice itself. The advice is inlined into a
 * {@code java.base} class and runs with the bootstrap loader: it may reference JDK types and
 * {@code io.socksudp.agent.bootstrap} only, and holds no logic.
 *
 * <h2>Types, one job each</h2>
 * <ul>
 * <li>{@link io.socksudp.agent.intercept.nio.NioChannelWatch}: the {@code StrategyWatch}; wants the channel class
 *     (and the adaptor) from the bootstrap loader and resolves the strategy from the first one's bytes.</li>
 * <li>{@code NioInternals}: the table of {@code sun.nio.ch} members the strategy relies on (advised, read by the
 *     advice, reached reflectively), each named once as a {@code JdkMember}; everything below derives from it.</li>
 * <li>{@link io.socksudp.agent.intercept.nio.NioDatagramChannelInstrumentation}: the
 *     {@code DatagramInstrumentation}; tells the two layouts apart from the class file ({@code SOURCE_METHOD}, JDK 17+:
 *     the sender comes from {@code sourceSocketAddress()}; {@code SENDER_FIELD}, JDK 8 to 14: the native receive
 *     stores it in the field {@code sender}), checks every member of the layout's table at start, and builds the
 *     advice's matchers from the same members' names and descriptors.</li>
 * <li>{@code DatagramChannelAdvice}: one nested class per advised method (send, public send, write, gathering write,
 *     receive, sender, read, scattering read, connect, disconnect, close, the adaptor's timed receive); each swaps
 *     the buffer or address the JDK is about to use for the tunnel's, through {@code Dispatch}.</li>
 * <li>{@link io.socksudp.agent.intercept.nio.NioChannelAccess}: the {@code ChannelAccess}; reaches into the channel
 *     with method handles looked up from the table on first use (the datagram's real source, a bound local address, polling the fd
 *     for the adaptor's timed receive, the multicast registry, and {@code reconnect}: {@code sun.nio.ch.Net.connect}
 *     on the channel's fd, which leaves the JDK's record of the peer alone).</li>
 * </ul>
 *
 * <h2>Call chain</h2>
 * Start: {@code NioChannelWatch.resolve} → {@code NioDatagramChannelInstrumentation.forClassFiles} (the bytes in
 * hand, the JDK's class files for the companion class) → {@code Activation} opens {@code java.base/sun.nio.ch} →
 * {@code wire}: {@code TunnelHooks.useChannelAccess(new NioChannelAccess(...))} → {@code advice()} on a cache miss.
 * Data: {@code DatagramChannelAdvice.*} → {@code Dispatch} → {@code TunnelHooks} → {@code ChannelFrontEnd}, as
 * described in {@code io.socksudp.agent.intercept}. Recovery of a connected channel ends here, in
 * {@code NioChannelAccess.reconnect}.
 *
 * <p>Every member {@code NioChannelAccess} reaches by reflection ({@code registry}, {@code fd}, {@code family},
 * {@code Net.poll}, {@code Net.connect}, the sender's source) is in the table, so a JDK that changed one is refused
 * at start, not at the first datagram ({@code NioLayoutTest} takes each out of real JDK 8, 11 and 17 class files).
 */
package io.socksudp.agent.intercept.nio;
