/**
 * The legacy strategy: {@code DatagramSocket} and {@code MulticastSocket} on the JDK's
 * {@code java.net.AbstractPlainDatagramSocketImpl}, always on JDK 8 and 11, on JDK 15 to 17 only with
 * {@code -Djdk.net.usePlainDatagramSocketImpl} (the impl is gone from JDK 18).
 *
 * <p>Dependencies: {@code intercept} (the strategy and access interfaces it implements) and {@code bootstrap} (what
 * its advice calls); Byte Buddy only in the advice builder and the advice itself. The advice is inlined into
 * {@code java.base} classes: it may reference JDK types and {@code io.socksudp.agent.bootstrap} only, and holds no
 * logic.
 *
 * <h2>Types, one job each</h2>
 * <ul>
 * <li>{@link io.socksudp.agent.intercept.legacy.LegacySocketWatch}: the {@code StrategyWatch}; wants the impl,
 *     {@code DatagramSocket} and {@code MulticastSocket}. A {@code DatagramSocket} that delegates to the NIO channel
 *     (JDK 15+: it has a {@code delegate} field) decides nothing; the impl, if it ever loads, does.</li>
 * <li>{@code LegacyInternals}: the table of {@code java.net} members the strategy relies on (advised, read by the
 *     advice, reached reflectively), each named once as a {@code JdkMember}; the check, the matchers and the handles
 *     derive from it.</li>
 * <li>{@link io.socksudp.agent.intercept.legacy.LegacyDatagramSocketInstrumentation}: the
 *     {@code DatagramInstrumentation}; two variants from the class files: the impl's {@code send} is Java and calls
 *     a native {@code send0} (JDK 11, 17: the impl's send is advised), or {@code send} itself is native (JDK 8:
 *     {@code DatagramSocket.send} and {@code MulticastSocket.send(DatagramPacket, byte)} are advised instead).</li>
 * <li>{@code LegacySocketAdvice}: send, receive (repeated after a drop within the caller's {@code SO_TIMEOUT}),
 *     connect, disconnect, join, close; each swaps the packet the JDK is about to use for the tunnel's, through
 *     {@code Dispatch.packetTunnel}.</li>
 * <li>{@link io.socksudp.agent.intercept.legacy.LegacyImplAccess}: the {@code PacketAccess}; the impl's and
 *     {@code DatagramPacket}'s private members through handles looked up together on first use, and
 *     {@code reconnect}: the impl's {@code connect0} to the new relay.</li>
 * </ul>
 *
 * <h2>Call chain</h2>
 * Start: {@code LegacySocketWatch.resolve} → {@code LegacyDatagramSocketInstrumentation.forClassFiles} →
 * {@code Activation} opens {@code java.base/java.net} → {@code wire}: {@code TunnelHooks.usePacketAccess(new
 * LegacyImplAccess())} → {@code advice()} on a cache miss. Data: {@code LegacySocketAdvice.*} →
 * {@code Dispatch.packetTunnel} → {@code TunnelHooks.packetTunnel} (an impl that is not the JDK's own fails the
 * send: the agent cannot see into it) → {@code PacketFrontEnd}, as described in {@code io.socksudp.agent.intercept}.
 *
 * <p>Every member {@code LegacyImplAccess} reaches by reflection (the impl's {@code connected},
 * {@code connectedAddress}, {@code connectedPort}, {@code receive0}, {@code connect0}, {@code dataAvailable},
 * {@code isClosed}; {@code DatagramSocketImpl.localPort}; {@code DatagramPacket}'s fields) is in the table and checked
 * at start ({@code LegacyLayoutTest} takes each out of real JDK 8 and 17 class files).
 */
package io.socksudp.agent.intercept.legacy;
