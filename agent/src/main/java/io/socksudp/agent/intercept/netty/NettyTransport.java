package io.socksudp.agent.intercept.netty;

/**
 * Netty's native datagram channels, recognised by their simple class name: shading (maven-shade, gRPC's
 * {@code io.grpc.netty.shaded.io.netty...}) relocates packages but never renames classes, so a copy under any
 * package is caught. The check runs for every class the JVM loads and must stay a few string compares, loading
 * nothing.
 */
enum NettyTransport {
    EPOLL("EpollDatagramChannel", "epoll"),
    IO_URING("IoUringDatagramChannel", "io_uring"),
    INCUBATOR_IO_URING("IOUringDatagramChannel", "incubator io_uring"),
    KQUEUE("KQueueDatagramChannel", "kqueue");

    /** The shortest simple name above: nothing shorter can match. */
    private static final int SHORTEST = "EpollDatagramChannel".length();

    private final String simpleName;
    private final String description;

    NettyTransport(String simpleName, String description) {
        this.simpleName = simpleName;
        this.description = description;
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
        for (NettyTransport t : values()) {
            if (internalName.endsWith(t.simpleName) && (n == t.simpleName.length()
                    || isSeparator(internalName.charAt(n - t.simpleName.length() - 1)))) {
                return t;
            }
        }
        return null;
    }

    /** The inner class of epoll's channel that holds its read loop ({@code epollInReady}), under any package. */
    static final String EPOLL_READ_LOOP = "EpollDatagramChannel$EpollDatagramChannelUnsafe";

    /** True when {@code internalName} (slashes or dots) is {@link #EPOLL_READ_LOOP}: one compare for other classes. */
    static boolean isEpollReadLoop(String internalName) {
        int n = internalName.length();
        return n > EPOLL_READ_LOOP.length() && internalName.charAt(n - 1) == 'e'
                && internalName.endsWith(EPOLL_READ_LOOP) && isSeparator(internalName.charAt(n - EPOLL_READ_LOOP.length() - 1));
    }

    private static boolean isSeparator(char c) {
        return c == '/' || c == '.';
    }

    /** For messages: "Netty's epoll transport". */
    String description() {
        return "Netty's " + description + " transport";
    }
}
