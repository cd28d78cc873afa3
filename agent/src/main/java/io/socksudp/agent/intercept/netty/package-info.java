/**
 * The Netty strategy: Netty's native datagram channels (epoll, io_uring, the 4.1 incubator's io_uring, kqueue), which
 * send and receive from native code on their own socket, around every JDK class the NIO and legacy strategies
 * instrument. Today they fail closed (nothing reaches a proxied destination); tunnelling them is the next step.
 *
 * <p>Call chain: {@code NettyTransformer} (a name check on every class the JVM defines) → {@code DispatchCalls}
 * (one static call inlined at the entry of the methods named in {@code NettyMember}, chosen by {@code NettyLayout}
 * from the class file) → bootstrap {@code NettyDispatch} (found by every loader through parent delegation) →
 * {@code NettyGuard} (routing decision, the IOException, the warning once per class).
 *
 * <p>What tunnelling epoll will have to cover, from Netty 4.1.118's and 4.2.18's sources (the two agree on all of
 * it): writes reach the socket in {@code EpollDatagramChannel.doWrite}, either one by one through
 * {@code AbstractEpollChannel.doWriteOrSendBytes} ({@code LinuxSocket.sendToAddress}/{@code sendToAddresses}/
 * {@code sendTo} unconnected, {@code sendAddress}/{@code writevAddresses}/{@code send} connected: memory address, iovec
 * array or NIO buffer, by the ByteBuf's kind) or batched through {@code NativeDatagramPacketArray} and
 * {@code sendmmsg} when more than one message is flushed, always for a {@code SegmentedDatagramPacket} (UDP GSO).
 * Since {@code filterOutboundMessage} sees each message before any of those paths, framing there (a new direct buffer
 * with the SOCKS5 header, the relay as recipient; for a segmented packet a header per segment and the segment size
 * grown by the header) would cover them all at once. Reads come from {@code recvmsg} (unconnected, or UDP_GRO), from
 * {@code connectedRead} (connected: {@code recvAddress}/{@code recv}, the sender taken from {@code remoteAddress()},
 * which would be the relay), or from {@code scatteringRead} ({@code recvmmsg} into slots of
 * {@code MAX_DATAGRAM_PAYLOAD_SIZE}); the first and last build each packet in
 * {@code NativeDatagramPacket.newDatagramPacket(ByteBuf, InetSocketAddress)} (a retained slice of {@code count}
 * bytes, the sender from native fields) and all of them end in {@code pipeline.fireChannelRead(packet)}
 * ({@code processPacket}, {@code processPacketList}, or inline). io_uring submits sends as submission queue entries
 * from its own {@code doWrite}; its connect is asynchronous ({@code IORING_OP_CONNECT}).
 */
package io.socksudp.agent.intercept.netty;
