package io.socksudp.agent.intercept.netty;

import io.socksudp.agent.intercept.ClassFileInventory;

/**
 * The table of Netty internals this strategy relies on: each member is named once, and both the layout check (from
 * the class file, before anything is transformed) and the choice of methods to advise ({@link DispatchCalls}) are
 * derived from it, so the two cannot disagree.
 */
enum NettyMember {
    /**
     * {@code protected Object filterOutboundMessage(Object msg)}: {@code AbstractChannel.AbstractUnsafe.write} passes
     * every message written to the channel through it, on the writer's thread, before it is queued; an exception
     * there fails the write's promise and releases the message. Every native datagram channel of Netty 4.1 and 4.2
     * overrides it (to copy heap buffers into direct ones), so it is declared in the channel class itself.
     */
    FILTER_OUTBOUND("filterOutboundMessage", "(Ljava/lang/Object;)Ljava/lang/Object;"),
    /** {@code protected boolean doConnect(SocketAddress remote, SocketAddress local)} (epoll and kqueue). */
    DO_CONNECT("doConnect", "(Ljava/net/SocketAddress;Ljava/net/SocketAddress;)Z"),
    /** {@code protected void doDisconnect()}: the socket is being disconnected (epoll declares it). */
    DO_DISCONNECT("doDisconnect", "()V"),
    /** {@code protected void doClose()}: the socket is being closed (epoll declares it). */
    DO_CLOSE("doClose", "()V");

    /**
     * The one call every read path of {@code EpollDatagramChannel} hands each received packet to ({@code
     * processPacket}, {@code processPacketList}, {@code connectedRead}), and io_uring's read loop too ({@code
     * readComplete0} in 4.2, {@code readComplete} and {@code recvmsgComplete} in the incubator): {@code
     * ChannelPipeline.fireChannelRead(Object)}, matched by name and the shape of its descriptor (the pipeline's package
     * may be relocated).
     */
    static boolean isFireChannelRead(String name, String descriptor) {
        return name.equals("fireChannelRead") && descriptor.startsWith("(Ljava/lang/Object;)L")
                && descriptor.endsWith("/ChannelPipeline;");
    }

    /**
     * Epoll's {@code NativeDatagramPacketArray.NativeDatagramPacket.newDatagramPacket(ByteBuf, InetSocketAddress)}
     * (Netty 4.1 and 4.2): what {@code recvmsg} turns a received datagram and its native source into a packet with.
     */
    static boolean isNewDatagramPacket(String owner, String name, String descriptor) {
        return name.equals("newDatagramPacket") && owner.endsWith("NativeDatagramPacketArray$NativeDatagramPacket")
                && descriptor.startsWith("(L") && descriptor.endsWith("/channel/socket/DatagramPacket;")
                && descriptor.contains("/buffer/ByteBuf;Ljava/net/InetSocketAddress;)");
    }

    /**
     * {@code DatagramPacket(ByteBuf content, InetSocketAddress recipient, InetSocketAddress sender)}: how io_uring's
     * {@code MsgHdrMemory} builds a received packet (4.2 and the incubator).
     */
    static boolean isReceivedPacketConstructor(String owner, String name, String descriptor) {
        return name.equals("<init>") && owner.endsWith("/channel/socket/DatagramPacket")
                && descriptor.endsWith("/buffer/ByteBuf;Ljava/net/InetSocketAddress;Ljava/net/InetSocketAddress;)V")
                && descriptor.startsWith("(L");
    }

    /**
     * What the read loop ({@code EpollDatagramChannel$EpollDatagramChannelUnsafe.epollInReady}) asks its config
     * before choosing {@code recvmmsg}: {@code EpollDatagramChannelConfig.getMaxDatagramPayloadSize()}.
     */
    static boolean isMaxDatagramPayloadSize(String name, String descriptor) {
        return name.equals("getMaxDatagramPayloadSize") && descriptor.equals("()I");
    }

    /**
     * The call every read loop ({@code EpollDatagramChannelUnsafe.epollInReady}, io_uring's {@code scheduleRead0})
     * makes for the buffer it reads its next datagram(s) into: {@code RecvByteBufAllocator.Handle.allocate(
     * ByteBufAllocator)} (io_uring calls it on its own handle class), matched by name and descriptor shape.
     */
    static boolean isReadBufferAllocate(String name, String descriptor) {
        return name.equals("allocate") && descriptor.startsWith("(L")
                && descriptor.contains("/buffer/ByteBufAllocator;)L") && descriptor.endsWith("/buffer/ByteBuf;");
    }

    /**
     * io_uring's {@code AbstractUringUnsafe.connect(SocketAddress remote, SocketAddress local, ChannelPromise)}: every
     * connect of an io_uring channel starts there (the pipeline's head calls it), before it submits {@code
     * IORING_OP_CONNECT} (or, for TCP fast open, a {@code sendmsg}) with {@code remote}.
     */
    static boolean isUringConnect(String name, String descriptor) {
        return name.equals("connect") && descriptor.startsWith("(Ljava/net/SocketAddress;Ljava/net/SocketAddress;L")
                && descriptor.endsWith("/ChannelPromise;)V");
    }

    /**
     * What io_uring's {@code AbstractIoUringChannel.computeRemote()} (run once the connect has completed, before the
     * connect promise is notified) stores as the channel's remote address: {@code UnixChannelUtil.computeRemoteAddr(
     * requested, socket.remoteAddress())}.
     */
    static boolean isComputeRemoteAddr(String name, String descriptor) {
        return name.equals("computeRemoteAddr") && descriptor.equals(
                "(Ljava/net/InetSocketAddress;Ljava/net/InetSocketAddress;)Ljava/net/InetSocketAddress;");
    }

    /**
     * Epoll's {@code EpollDatagramChannel.doWrite(ChannelOutboundBuffer)}: every flush's sends start there ({@code
     * AbstractEpollUnsafe.flush0}, also on {@code EPOLLOUT}), on the event loop; declared by the channel class in Netty
     * 4.1 and 4.2. A write whose association is still being set up is held in the buffer by a hook first in it.
     */
    static boolean isDoWrite(String name, String descriptor) {
        return name.equals("doWrite") && descriptor.startsWith(DO_WRITE_START) && descriptor.endsWith(DO_WRITE_END);
    }

    static boolean doWriteDeclaredIn(ClassFileInventory type) {
        return type.declaresMethod("doWrite", DO_WRITE_START, DO_WRITE_END);
    }

    private static final String DO_WRITE_START = "(L";
    private static final String DO_WRITE_END = "/ChannelOutboundBuffer;)V";

    /** The field of an inner class that holds its outer instance (javac's name): an unsafe's channel. */
    static final String OUTER_INSTANCE = "this$0";

    private final String name;
    private final String descriptor;

    NettyMember(String name, String descriptor) {
        this.name = name;
        this.descriptor = descriptor;
    }

    boolean declaredIn(ClassFileInventory type) {
        return type.missing(name, descriptor) == null;
    }

    boolean is(String methodName, String methodDescriptor) {
        return name.equals(methodName) && descriptor.equals(methodDescriptor);
    }

    @Override
    public String toString() {
        return name + descriptor;
    }
}
