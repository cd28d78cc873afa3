/**
 * The Netty strategy: Netty's native datagram channels (epoll, io_uring, the 4.1 incubator's io_uring, kqueue), which
 * send and receive from native code on their own socket, around every JDK class the NIO and legacy strategies
 * instrument. Epoll (Netty 4.1 and 4.2) and io_uring (Netty 4.2, and the 4.1 incubator's) are tunnelled; kqueue and any
 * layout the agent does not know fail closed (nothing reaches a proxied destination).
 *
 * <p>Call chain: {@code NettyTransformer} (a name check on every class the JVM defines) → {@code DispatchCalls}
 * (static calls inlined with ASM where {@code NettyLayout}, read from the class file, says: see {@code NettyMember})
 * → bootstrap {@code NettyDispatch} (found by every loader through parent delegation) → {@code NettyTunnels}
 * (framing, unwrapping, connect; the association, recovery and release are the shared {@code AssociatedSocket}'s,
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
 * paths, so the framing is done there: a direct buffer from the channel's allocator with the SOCKS5 header and the
 * payload, the relay as recipient (for a segmented packet a header per segment and the segment size grown by the
 * header), the app's message released. The framed packet and its buffer are the channel's own and reused ({@code
 * FramePool}: handed out again once Netty has released them, which its reference count tells), so a steady stream of
 * writes allocates nothing beyond what Netty allocates without the agent. Reads come from {@code recvmsg}
 * (unconnected, or UDP_GRO, whose coalesced segments Netty splits before firing them), from {@code connectedRead}
 * (connected: the sender taken from {@code remoteAddress()}), or from {@code scatteringRead} ({@code recvmmsg} into
 * slots of {@code MAX_DATAGRAM_PAYLOAD_SIZE}); all of them end in {@code pipeline.fireChannelRead(packet)} ({@code
 * processPacket}, {@code processPacketList}, or inline), which is replaced by a call that checks the source (only the
 * relay, or a bypassed source), takes the header off (the payload moved down in place to where the datagram began:
 * Netty's decoders, its DNS codec's compression pointers for one, read absolute indices from 0) and fires the packet
 * with the peer as sender: a new one where Netty named the relay (UDP_GRO segments), the same one where Netty named
 * the peer already ({@code connectedRead}'s {@code remoteAddress()}, as without the agent). {@code recvmsg}'s packet
 * is built before that: its {@code NativeDatagramPacket.newDatagramPacket(buffer, local)} call is replaced by one that
 * compares the native source's bytes with the relay's, vets the header in the buffer and builds the packet itself,
 * its content after the header and the peer (cached) as sender, so Netty never turns the relay into an address and
 * the read allocates no more than without the agent (anything else, a UDP_GRO datagram or another source, is Netty's
 * own packet, judged where it is fired; a vetted one is not vetted twice there). {@code recvmmsg} is turned
 * off for a tunnelled channel (the read loop, {@code EpollDatagramChannel$EpollDatagramChannelUnsafe}, gets 0 for
 * the slot size): its fixed slots would cut a maximal payload short by its header. The buffer a read loop reads
 * into ({@code RecvByteBufAllocator.Handle.allocate}) is, for a tunnelled channel (and every io_uring channel, whose
 * reads are submitted before its first send), the handle's guess plus the longest SOCKS header, and the packet fired
 * is cut back to the guess ({@code ReadBuffers}): a payload of the application's buffer size arrives whole, a longer
 * one is cut where the kernel cuts it without the agent. A connect to a proxied peer
 * connects the OS socket to the relay ({@code doConnect}'s argument replaced) and then sets
 * {@code AbstractEpollChannel.remote} to the peer, so {@code remoteAddress()} (and {@code connectedRead}'s sender) is
 * the peer.
 *
 * <p>A write made while the channel's association is being set up must not wait on the event loop (every channel of
 * that loop would wait with it). Epoll: {@code filterOutboundMessage} frames it at once (the header names the
 * destination) and addresses it to {@code 0.0.0.0:0}, which the kernel refuses to send to, so the datagram waits in
 * Netty's own {@code ChannelOutboundBuffer}, in the order written, and could never leave by a path the agent missed;
 * a hook first in {@code EpollDatagramChannel.doWrite} (the only caller is {@code flush0}, also on {@code EPOLLOUT})
 * returns at once while such a datagram is there and the set-up runs, leaving {@code EPOLLOUT} alone (no busy
 * loop). The set-up's end ({@code PendingAssociation.whenDone}, on the set-up thread) hands the channel's event loop
 * a task that runs {@code flush0}: the hook then readdresses each held datagram to the relay in place (the entry's
 * message replaced; its content moves to the new packet) or, when the set-up failed, fails the flushed writes up to
 * the last held one with its IOException ({@code ChannelOutboundBuffer.remove(Throwable)}), as a write that waited
 * would have failed. A close fails and releases the buffer as Netty does. io_uring's writes and every connect still
 * wait: io_uring's {@code scheduleWriteIfNeeded} is also called from write completions, and a connect's relay must be
 * known when the connect starts.
 *
 * <p>What the io_uring tunnel covers, from Netty 4.2.18's and the incubator 0.0.26's sources (the same shape under other
 * names): {@code IoUringDatagramChannel.filterOutboundMessage} sees each message written, as epoll's does, before
 * {@code scheduleWrite} turns it into an {@code IORING_OP_SENDMSG} entry (one per message of a flush; a {@code
 * SegmentedDatagramPacket}'s segment size in a UDP_SEGMENT control message), so the framing is epoll's, except that
 * the framed datagram is always an envelope addressed to the relay: for a bare buffer io_uring's {@code sendmsg} names
 * {@code remoteAddress()}, which is the peer on a tunnelled channel. Reads are submitted ahead as {@code
 * IORING_OP_RECVMSG} entries and completed in the channel's unsafe ({@code IoUringDatagramChannelUnsafe.readComplete0};
 * the incubator's {@code recvmsgComplete}, and {@code readComplete} for a connected channel's plain {@code recv}, whose
 * sender is {@code remoteAddress()}), which fires each packet: that unsafe is the read loop whose {@code
 * fireChannelRead} calls are replaced (one that has none refuses the channel), and whose {@code
 * getMaxDatagramPayloadSize()} becomes 0 (no linked {@code recvmsg} entries into fixed slots; always, since the first
 * reads are submitted before the channel's first send). A {@code recvmsg} completion's packet is built by {@code
 * MsgHdrMemory} ({@code get} in 4.2, {@code read} in the incubator; both take the channel first): the sender argument
 * of its {@code new DatagramPacket(content, local, sender)} goes through a hook that, for a datagram from the relay,
 * vets the header, skips it in {@code content} and returns the peer (cached), so Netty's own packet is the one
 * delivered, with nothing allocated beyond it. No multishot receive and no UDP_GRO for datagrams in either
 * version. There is no {@code doConnect}: {@code AbstractUringUnsafe.connect} (shared with io_uring's stream channels,
 * which the hook lets through by class name) submits {@code IORING_OP_CONNECT} asynchronously, so the relay is given
 * to it at its entry (the channel from the unsafe's {@code this$0}), and the peer is recorded where {@code
 * AbstractIoUringChannel.computeRemote} stores {@code computeRemoteAddr(requested, actual)}, which runs once the connect
 * has completed and before its promise is notified. A connected channel re-associated after a loss has its socket
 * re-pointed with a plain {@code connect(2)} on the channel's {@code LinuxSocket}, outside the ring, as on epoll.
 */
package io.socksudp.agent.intercept.netty;
