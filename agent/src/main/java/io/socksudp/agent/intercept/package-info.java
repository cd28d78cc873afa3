/**
 * The agent's side of the bootstrap bridge, shared by every strategy: per application socket, the tunnel that
 * decides where each datagram goes, frames and unframes it, and keeps the socket's association; plus the machinery
 * that turns a strategy into instrumented JDK classes (watches, class-file checks, weaving, the class cache).
 *
 * <p>Layers: {@code intercept} → {@code association} → {@code socks} and {@code config}; {@code intercept} also uses
 * {@code bootstrap} (it implements {@code DatagramHooks}, and its front ends extend {@code ChannelTunnel} and
 * {@code PacketTunnel}) and {@code metrics}. Nothing in those packages may refer back to it. The per-JDK strategies
 * live in {@code nio}, {@code legacy} and {@code netty}; they see this package's interfaces ({@link
 * io.socksudp.agent.intercept.DatagramInstrumentation}, {@link io.socksudp.agent.intercept.StrategyWatch}, {@link
 * io.socksudp.agent.intercept.ChannelAccess}, {@link io.socksudp.agent.intercept.PacketAccess}) and
 * {@link io.socksudp.agent.intercept.Routing}, never its tunnels.
 * The list of strategies ({@code io.socksudp.agent.Strategies}) lives in the root package, so no strategy package
 * and this one refer to each other ({@code PackageCyclesTest}).
 *
 * <h2>Types, one job each</h2>
 * <ul>
 * <li>{@link io.socksudp.agent.intercept.TunnelHooks}: the implementation of {@code DatagramHooks} that
 *     {@code Dispatch} calls; finds or creates each socket's front end and turns our own unexpected exceptions into
 *     IOExceptions (the datagram is not sent).</li>
 * <li>{@code SocketRegistry}: each socket's front end, by identity, held weakly ({@link
 *     io.socksudp.agent.intercept.WeakIdentityMap}); its {@code socksudp-reaper} thread releases the association of a
 *     socket collected without {@code close()}.</li>
 * <li>{@code ChannelFrontEnd} ({@code DatagramChannelImpl}, ByteBuffers) and {@code PacketFrontEnd} (the legacy
 *     impl, DatagramPackets): what the advice calls; route, frame, unframe and account for one socket's datagrams
 *     without allocating on the repeat path. Both implement {@code TunnelFrontEnd}; {@code PacketSendSlot} is the
 *     legacy side's reusable send state.</li>
 * <li>{@code NativeFrontEnd}: the same decisions for a socket whose I/O native code does on buffers of its own
 *     (Netty's epoll channel, see {@code intercept.netty}): the strategy frames and unwraps, this answers where to
 *     send, what header to write and whether a received datagram is believed.</li>
 * <li>{@code AssociatedSocket}: one socket with its association (a {@code SelfHealingAssociation}: opened lazily,
 *     re-established when lost, released on close) and the peer of a socket connected through it.
 *     {@code SendRoute}: its answer to "where does this send go": through the relay, pending (a set-up runs and the
 *     caller must not wait), or discarded (onUnavailable=drop); one per association, so a send allocates nothing.</li>
 * <li>{@code RelayedDatagrams}: vets what came from the relay: SOCKS header, sender, the connected socket's filter.
 *     </li>
 * <li>{@code ThreadBuffers}: the buffers datagrams are framed and received into, one set per thread, not per socket
 *     (a receive buffer holds any datagram: 64 KiB); {@code PeerHeader}: a peer's address and SOCKS header, shared
 *     by the sockets that talk to the same peer.</li>
 * <li>{@link io.socksudp.agent.intercept.Routing}: which destinations go direct (multicast, broadcast, the bypass
 *     list).</li>
 * <li>{@link io.socksudp.agent.intercept.DropCounters}, {@link io.socksudp.agent.intercept.DropReason}: every
 *     datagram not delivered or not sent, counted by cause (the first of each cause logged at info).</li>
 * <li>{@link io.socksudp.agent.intercept.StrategyWatch} (listed by the root package's {@code Strategies}): the
 *     strategies before they are chosen. {@link io.socksudp.agent.intercept.DatagramInstrumentation}: a chosen
 *     strategy (target classes, its check, its advice). {@link io.socksudp.agent.intercept.ClassFileInventory}: the
 *     members a class file declares, read without ASM. {@link io.socksudp.agent.intercept.JdkMember}: one JDK member a
 *     strategy relies on, named once (class, name, descriptor): each strategy's table of them yields its start-up
 *     check ({@link io.socksudp.agent.intercept.JdkClassFiles#firstMissing}), its matchers and its handles; also
 *     {@code JdkMember.asIOException}, what a handle threw as the datagram call's IOException.
 *     {@link io.socksudp.agent.intercept.JdkClassFiles}: the class files one check reads, each once.
 *     {@link io.socksudp.agent.intercept.ClassFiles}: class files as bytes. {@link io.socksudp.agent.intercept.AdviceWeaver}: Byte Buddy's redefinition of one class.
 *     {@link io.socksudp.agent.intercept.WovenClassCache}: the per-user cache of woven classes, its format and its
 *     safety rules (also what the CLI's {@code cache} command lists and cleans through it).</li>
 * <li>{@link io.socksudp.agent.intercept.SocketAccess}, {@link io.socksudp.agent.intercept.ChannelAccess},
 *     {@link io.socksudp.agent.intercept.PacketAccess}: what the tunnels need from the JDK's internals, implemented by
 *     {@code nio.NioChannelAccess} and {@code legacy.LegacyImplAccess}.</li>
 * </ul>
 *
 * <h2>A send</h2>
 * A proxied {@code DatagramChannel.send(buffer, target)} on JDK 17 (the other sends differ only in their first and
 * last steps):
 * <ol>
 * <li>The advice inlined in the JDK class: on the public {@code send}, {@code DatagramChannelAdvice.PublicSend}
 *     steps aside (the channel is not connected, the target is resolved); on the private
 *     {@code send(FileDescriptor, ByteBuffer, InetSocketAddress)} that the JDK then calls,
 *     {@code DatagramChannelAdvice.Send} calls the bootstrap {@code Dispatch.sendTunnel(channel, target)}. (Connected
 *     and named sends: {@code PublicSend}, {@code Write}, {@code GatheringWrite}; legacy sockets:
 *     {@code LegacySocketAdvice.ImplSend}, or {@code SocketSend} on JDK 8, through {@code Dispatch.packetTunnel}.)
 *     </li>
 * <li>{@code Dispatch} → {@code TunnelHooks.sendTunnel} → the socket's front end, created on first use with its
 *     {@code AssociatedSocket} → {@code ChannelFrontEnd.forSend}: {@code Routing.isDirect} (decided once per
 *     destination and cached; direct: counted, null returned, the JDK sends as it would without the agent).</li>
 * <li>{@code readyToSend} → {@code AssociatedSocket.route} (a {@code SendRoute}: the relay, pending, or discarded):
 *     an open association's relay at once; otherwise its {@code association.SelfHealingAssociation.setUp} →
 *     {@code AssociationManager.openLater} (fails at once while backing off) → on a
 *     {@code socksudp-associate} thread {@code ProxyClient.associate}: TCP connect, greeting, RFC 1929 and UDP
 *     ASSOCIATE in one write, the reply's relay address, within one deadline → {@code ControlMonitor.watch} → the
 *     completion {@code SelfHealingAssociation.completed} puts the association in place (the socket follows its
 *     relay: {@code AssociatedSocket.relayChanged}). The sender meanwhile waits on the
 *     {@code PendingAssociation}: a blocking channel interruptibly, a legacy socket uninterruptibly, a non-blocking
 *     channel not at all (the send reports 0 bytes, as when the socket buffer is full). No association and
 *     {@code onUnavailable=drop}: the send is skipped, counted as {@code PROXY_UNAVAILABLE}, and reported as done;
 *     otherwise the {@code ProxyUnavailableException} reaches the application's send.</li>
 * <li>Back in the advice: {@code tunnel.frame(payload, target)} writes {@code socks.UdpHeader.encode(target)} (cached
 *     per destination) and the payload into the thread's direct frame buffer, and the advice replaces the target with
 *     {@code tunnel.relay()}.</li>
 * <li>The JDK's own send puts the framed datagram on the application's own socket, to the relay (locks, blocking,
 *     interrupts all the JDK's); the exit advice's {@code tunnel.sent} consumes the caller's payload, reports the
 *     payload length and counts it in {@code Metrics}.</li>
 * </ol>
 * A {@code connect} to a proxied peer associates first ({@code TunnelHooks.connectTunnel} →
 * {@code AssociatedSocket.relayForConnect}), connects the OS socket to the relay, and records the peer; the JDK keeps
 * the application's peer as its own record. {@code close()} → {@code Dispatch.closed} → {@code TunnelHooks.closed}
 * (the front end leaves the {@code SocketRegistry}) → {@code AssociatedSocket.close} →
 * {@code SelfHealingAssociation.close}: a set-up in progress is cancelled (its waiters fail at once), the association
 * released. A socket collected without {@code close()} is released the same way by the registry's reaper.
 *
 * <h2>A receive</h2>
 * <ol>
 * <li>Entry advice ({@code DatagramChannelAdvice.Receive}; {@code ReceiveIntoSenderField} on JDK 8 to 14;
 *     {@code LegacySocketAdvice.Receive}) → {@code Dispatch.receiveTunnel} (or {@code packetTunnel}): the JDK
 *     receives into the thread's buffer or packet, large enough for any datagram, instead of the caller's.</li>
 * <li>The JDK's own receive, on the application's socket.</li>
 * <li>Exit advice → {@code ChannelFrontEnd.received} ({@code PacketFrontEnd.receivedPacket}): the real source is
 *     read ({@code ChannelAccess.actualSource}; the legacy packet's address). From the current relay →
 *     {@code RelayedDatagrams.accept}: a malformed or fragmented header, an unknown address type, a sender named by host
 *     name, or a sender other than a connected socket's peer is dropped and counted; otherwise the sender is the peer
 *     named in the header. Not from the relay: delivered only if the socket never had an association, the bypass list
 *     accepts the source, or the socket joined a multicast group (a legacy socket: only while not connected); else
 *     dropped and counted ({@code NOT_FROM_RELAY}). Only the relay is believed.</li>
 * <li>Delivered: the payload is copied into the caller's buffer (truncated as the JDK truncates) and counted; the
 *     JDK's {@code sourceSocketAddress()} is answered by {@code DatagramChannelAdvice.SourceAddress} →
 *     {@code Dispatch.sender} (the peer, not the relay; on JDK 8 to 14 the exit advice sets the sender field, on the
 *     legacy impl the packet's address). The application sees the payload and the peer. Dropped: the JDK is told
 *     "nothing there" ({@code ChannelTunnel.UNAVAILABLE}) and a blocking receive waits for the next datagram, within
 *     the caller's timeout.</li>
 * </ol>
 *
 * <h2>Recovery</h2>
 * One owner, in {@code association}: each {@code AssociatedSocket} has an {@code association.SelfHealingAssociation},
 * which handles the loss, the backoffs and the retries (see {@code association/package-info.java}), and is its
 * {@code SelfHealingAssociation.Owner}: it gives the socket's local address ({@code localAddress}), follows a new
 * relay ({@code relayChanged}: for a connected socket {@code SocketAccess.reconnect}, i.e.
 * {@code NioChannelAccess.reconnect}: {@code sun.nio.ch.Net.connect} on the channel's fd, or
 * {@code LegacyImplAccess.reconnect}: the impl's {@code connect0}, or for Netty's native channels
 * {@code NettyTunnels}' socket access: the channel's {@code LinuxSocket.connect}) and says
 * whether the socket is gone. Nothing in this package schedules or retries. A port-unreachable on a socket connected
 * to the relay enters the same path from the application's thread ({@code UdpTunnel.relayFailed} →
 * {@code Association.lost}); the datagram is lost, as UDP may lose it.
 */
package io.socksudp.agent.intercept;
