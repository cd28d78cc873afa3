package io.socksudp.agent.intercept.netty;

/**
 * Netty's native datagram channels and the few classes of theirs the agent instruments beside them, recognised by
 * their simple class name: shading (maven-shade, gRPC's {@code io.grpc.netty.shaded.io.netty...}) relocates packages
 * but never renames classes, so a copy under any package is caught. The check runs for every class the JVM loads and
 * must stay a few string compares, loading nothing.
 */
enum NettyTransport {
    /** Epoll: reads fired by the channel itself, connect in its {@code doConnect}. */
    EPOLL("EpollDatagramChannel", "epoll", "channel.epoll.", "EpollDatagramChannel$EpollDatagramChannelUnsafe", null),
    /**
     * Netty 4.2's io_uring: reads fired by the read loop (the channel's unsafe, {@code readComplete0}), connect
     * submitted by the unsafe its stream channels share ({@code AbstractIoUringChannel$AbstractUringUnsafe.connect})
     * and its peer recorded by the base class ({@code AbstractIoUringChannel.computeRemote}).
     */
    IO_URING("IoUringDatagramChannel", "io_uring", "channel.uring.",
            "IoUringDatagramChannel$IoUringDatagramChannelUnsafe", "AbstractIoUringChannel"),
    /** Netty 4.1's incubator io_uring (0.0.x): the same shape as 4.2's, under other names. */
    INCUBATOR_IO_URING("IOUringDatagramChannel", "incubator io_uring", "incubator.channel.uring.",
            "IOUringDatagramChannel$IOUringDatagramChannelUnsafe", "AbstractIOUringChannel"),
    KQUEUE("KQueueDatagramChannel", "kqueue", "channel.kqueue.", null, null);

    /** What one of a transport's classes is to the agent. */
    enum Role {
        /** The datagram channel. */
        CHANNEL,
        /** The channel's unsafe: the read loop ({@code MAX_DATAGRAM_PAYLOAD_SIZE}; io_uring's reads too). */
        READ_LOOP,
        /** io_uring's abstract channel, every io_uring channel's base: it records the connected peer. */
        BASE,
        /** io_uring's abstract unsafe ({@code BASE$AbstractUringUnsafe}): its {@code connect} submits the connect. */
        BASE_UNSAFE,
        /**
         * io_uring's {@code MsgHdrMemory}: builds each packet a {@code recvmsg} completion fires ({@code get} in 4.2,
         * {@code read} in the incubator), from the source the kernel wrote.
         */
        MSG_HDR
    }

    private static final NettyTransport[] ALL = values();
    /** The shortest simple name above: nothing shorter can match. */
    private static final int SHORTEST = "EpollDatagramChannel".length();

    private final String simpleName;
    private final String description;
    private final String packageSuffix;
    private final String readLoop;
    private final String base;
    private final String baseUnsafe;

    NettyTransport(String simpleName, String description, String packageSuffix, String readLoop, String base) {
        this.simpleName = simpleName;
        this.description = description;
        this.packageSuffix = packageSuffix;
        this.readLoop = readLoop;
        this.base = base;
        this.baseUnsafe = base == null ? null : base + "$AbstractUringUnsafe";
    }

    /**
     * The transport whose datagram channel {@code internalName} is (with slashes, or dots: a binary name), or null
     * for any other class.
     */
    static NettyTransport ofInternalName(String internalName) {
        int n = internalName.length();
        if (n < SHORTEST || internalName.charAt(n - 1) != 'l' || !internalName.endsWith("DatagramChannel")) {
            return null; // the common case: two compares
        }
        for (NettyTransport t : ALL) {
            if (named(internalName, t.simpleName)) {
                return t;
            }
        }
        return null;
    }

    /** The transport {@code internalName} (slashes or dots) is one of the instrumented classes of, or null. */
    static NettyTransport owning(String internalName) {
        int n = internalName.length();
        if (n == 0) {
            return null;
        }
        char last = internalName.charAt(n - 1);
        if (last == 'y') {
            return named(internalName, MSG_HDR_MEMORY) ? IO_URING : null; // both io_uring transports: one rule
        }
        if (n < SHORTEST) {
            return null;
        }
        if (last == 'l' ? !internalName.endsWith("Channel") : last != 'e' || !internalName.endsWith("Unsafe")) {
            return null; // the common case: two compares
        }
        for (NettyTransport t : ALL) {
            if (t.roleOf(internalName) != null) {
                return t;
            }
        }
        return null;
    }

    /** io_uring's receive-side message header class, the same simple name in 4.2 and in the incubator. */
    private static final String MSG_HDR_MEMORY = "MsgHdrMemory";

    /** What {@code internalName} is to this transport, or null when it is none of its instrumented classes. */
    Role roleOf(String internalName) {
        if (base != null && named(internalName, MSG_HDR_MEMORY)) {
            return Role.MSG_HDR;
        }
        if (named(internalName, simpleName)) {
            return Role.CHANNEL;
        }
        if (readLoop != null && named(internalName, readLoop)) {
            return Role.READ_LOOP;
        }
        if (base != null && named(internalName, base)) {
            return Role.BASE;
        }
        if (baseUnsafe != null && named(internalName, baseUnsafe)) {
            return Role.BASE_UNSAFE;
        }
        return null;
    }

    /**
     * True when the channel's packets are fired by its read loop (io_uring), not by the channel class itself (epoll);
     * its connect goes through {@link Role#BASE_UNSAFE} and {@link Role#BASE} then, not a {@code doConnect}.
     */
    boolean readsInReadLoop() {
        return base != null;
    }

    /**
     * True when a bare ByteBuf written to a connected channel is sent with {@code sendmsg} naming {@code
     * remoteAddress()} (io_uring, both versions, when it batches): a tunnelled channel's {@code remoteAddress()} is the
     * peer, so its framed datagrams must name the relay themselves (an envelope), never be bare buffers.
     */
    boolean namesRemoteForBareBuffers() {
        return base != null;
    }

    /** The channel class's binary name after the package root, e.g. {@code channel.epoll.EpollDatagramChannel}. */
    String channelSuffix() {
        return packageSuffix + simpleName;
    }

    /** {@code internalName} ends with {@code simple} right after a package separator (or is it). */
    private static boolean named(String internalName, String simple) {
        int n = internalName.length();
        int s = simple.length();
        return internalName.endsWith(simple) && (n == s || isSeparator(internalName.charAt(n - s - 1)));
    }

    private static boolean isSeparator(char c) {
        return c == '/' || c == '.';
    }

    /** For messages: "Netty's epoll transport". */
    String description() {
        return "Netty's " + description + " transport";
    }
}
