/**
 * The Netty strategy: Netty's native datagram channels (epoll, io_uring, the 4.1 incubator's io_uring, kqueue), which
 * send and receive from native code on their own socket, around every JDK class the NIO and legacy strategies
 * instrument. Epoll (Netty 4.1 and 4.2) is tunnelled; the others fail closed (nothing reaches a proxied destination).
 *
 * <p>Call chain: {@code NettyTransformer} (a name check on every class the JVM defines) → {@code DispatchCalls}
 * (static calls inlined with ASM where {@code NettyLayout}, read from the class file, says: see {@code NettyMember})
 * → bootstrap {@code NettyDispatch} (found by every loader through parent delegation) → {@code NettyTunnels}
 * (epoll: framing, unwrapping, connect; the association, recovery and release are the shared {@code SocketTunnel}'s,
 * behind an {@code intercept.NativeFrontEnd}) or {@code NettyGuard} (the refusals, the warning once per class).
 * Netty's API is reached through {@code NettyApi}: method handles found in the channel's own loader under its own
 * package root, so shaded and multiple copies work and the agent never links a Netty class.
 *
 * <p>What the epoll tunnel covers, from Netty 4.1.118's and 4.2.18's sources (the two agree on all of it): writes
 * reach the socket in {@code EpollDatagramChannel.doWrite}, either one by one through
 * {@code AbstractEpollChannel.doWriteOrSendBytes} ({@code LinuxSocket.sendToAddress}/{@code sendToAddresses}/
 * {@code sendTo} unconnected, {@code sendAddress}/{@code writevAddresses}/{@code send} connected) or batched through
 * {@code NativeDatagramPacketArray} and {@code sendmmsg} when more than one message is flushed, always for a
 * {@code SegmentedDatagramPacket} (UDP GSO). {@code filterOutboundMessage} sees each message before any of those
 * paths, so the framing is done there: a new direct buffer with the SOCKS5 header and the payload, the relay as
 * recipient (for a segmented packet a header per segment and the segment size grown by the header), the app's
 * message released. Reads come from {@code recvmsg} (unconnected, or UDP_GRO, whose coalesced segments Netty splits
 * before firing them), from {@code connectedRead} (connected: the sender taken from {@code remoteAddress()}), or from
 * {@code scatteringRead} ({@code recvmmsg} into slots of {@code MAX_DATAGRAM_PAYLOAD_SIZE}); all of them end in
 * {@code pipeline.fireChannelRead(packet)} ({@code processPacket}, {@code processPacketList}, or inline), which is
 * replaced by a call that checks the source (only the relay, or a bypassed source), takes the header off (the
 * buffer's reader index moves past it) and fires a new packet whose sender is the peer. {@code recvmmsg} is turned
 * off for a tunnelled channel (the read loop, {@code EpollDatagramChannel$EpollDatagramChannelUnsafe}, gets 0 for
 * the slot size): its fixed slots would cut a maximal payload short by its header. A connect to a proxied peer
 * connects the OS socket to the relay ({@code doConnect}'s argument replaced) and then sets
 * {@code AbstractEpollChannel.remote} to the peer, so {@code remoteAddress()} (and {@code connectedRead}'s sender) is
 * the peer. io_uring submits sends as submission queue entries from its own {@code doWrite} and connects
 * asynchronously ({@code IORING_OP_CONNECT}): not tunnelled yet, guarded like kqueue.
 */
package io.socksudp.agent.intercept.netty;
