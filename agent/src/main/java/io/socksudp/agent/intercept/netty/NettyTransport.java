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

    private static boolean isSeparator(char c) {
        return c == '/' || c == '.';
    }

    /** For messages: "Netty's epoll transport". */
    String description() {
        return "Netty's " + description + " transport";
    }
}
