package io.socksudp.demo.relay;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;

/**
 * Decides which datagrams on an association's client port really come from its client (RFC 1928 section 7),
 * and where datagrams for the client go.
 *
 * <p>By default (Dante's reading, {@link Misbehaviour#STRICT_DST}): the IP is the one the request named, or
 * else the control connection's peer; a zero DST.PORT means "not known yet": lock onto the port of the first
 * datagram from that IP; a non-zero DST.PORT is enforced exactly. The other switches:
 * <ul>
 * <li>{@link Misbehaviour#IGNORE_DST}: DST is ignored entirely; the control peer's IP, first port locks.</li>
 * <li>{@link Misbehaviour#PORT_ZERO_IS_TCP_PORT}: a zero DST.PORT is taken to be the control connection's
 *     source port, and enforced.</li>
 * <li>{@link Misbehaviour#REPLY_TO_DST_PORT}: datagrams for the client go to the client IP and the request's
 *     DST.PORT, whatever port the client really sends from (0 when the request was zero-filled).</li>
 * </ul>
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
    private final int requestedPort;
    private final boolean replyToRequestedPort;
    private volatile int port;

    ClientFilter(InetSocketAddress requested, InetSocketAddress controlPeer) {
        this(requested, controlPeer, Set.of());
    }

    /**
     * @param requested     DST.ADDR:DST.PORT from the UDP ASSOCIATE request (resolved or all zeros)
     * @param controlPeer   the control connection's peer, whose IP stands in for an all-zero DST.ADDR
     * @param misbehaviours the relay's quirks; only the DST-related ones matter here
     */
    ClientFilter(InetSocketAddress requested, InetSocketAddress controlPeer, Set<Misbehaviour> misbehaviours) {
        InetAddress named = requested.getAddress();
        boolean ignore = misbehaviours.contains(Misbehaviour.IGNORE_DST);
        this.expectedIp = ignore || named == null || named.isAnyLocalAddress() ? controlPeer.getAddress() : named;
        int p = ignore ? 0 : requested.getPort();
        if (p == 0 && misbehaviours.contains(Misbehaviour.PORT_ZERO_IS_TCP_PORT)) {
            p = controlPeer.getPort();
        }
        this.port = p;
        this.requestedPort = requested.getPort();
        this.replyToRequestedPort = misbehaviours.contains(Misbehaviour.REPLY_TO_DST_PORT);
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

    /**
     * Where datagrams for the client go: known once the request named it or the first datagram locked it, else
     * null. With {@link Misbehaviour#REPLY_TO_DST_PORT}, always the client IP and the request's DST.PORT (port 0
     * for a zero-filled request: the caller treats that as undeliverable).
     */
    InetSocketAddress client() {
        if (replyToRequestedPort) {
            return new InetSocketAddress(expectedIp, requestedPort);
        }
        int p = port;
        return p == 0 ? null : new InetSocketAddress(expectedIp, p);
    }
}
