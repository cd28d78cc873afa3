package io.socksudp.demo.relay;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Decides which datagrams on an association's client port really come from its client (RFC 1928 section 7).
 * The IP is the one the request named, or else the control connection's peer. A zero DST.PORT in the request
 * means "not known yet": like Dante, lock onto the port of the first datagram from that IP. A non-zero
 * DST.PORT is enforced exactly.
 */
final class ClientFilter {
    /** The outcome for one datagram; {@code null} reason means "from the client". */
    record Verdict(DropReason reason) {
        boolean accepted() {
            return reason == null;
        }
    }

    private static final Verdict ACCEPT = new Verdict(null);

    private final InetAddress expectedIp;
    private volatile int port;

    /**
     * @param requested   DST.ADDR:DST.PORT from the UDP ASSOCIATE request (resolved or all zeros)
     * @param controlPeer the control connection's peer, whose IP stands in for an all-zero DST.ADDR
     */
    ClientFilter(InetSocketAddress requested, InetSocketAddress controlPeer) {
        InetAddress named = requested.getAddress();
        this.expectedIp = named == null || named.isAnyLocalAddress() ? controlPeer.getAddress() : named;
        this.port = requested.getPort();
    }

    /** Called only from the thread that reads the client port, so locking needs no further care. */
    Verdict check(InetSocketAddress source) {
        if (!expectedIp.equals(source.getAddress())) {
            return new Verdict(DropReason.FOREIGN_HOST);
        }
        if (port == 0) {
            port = source.getPort();
            return ACCEPT;
        }
        return port == source.getPort() ? ACCEPT : new Verdict(DropReason.FOREIGN_PORT);
    }

    /** Where replies go: known once the request named it or the first datagram locked it, else null. */
    InetSocketAddress client() {
        int p = port;
        return p == 0 ? null : new InetSocketAddress(expectedIp, p);
    }
}
