package io.socksudp.agent.probe;

import io.socksudp.agent.socks.Command;
import io.socksudp.agent.socks.CommandReply;
import io.socksudp.agent.socks.ReplyCode;
import io.socksudp.agent.socks.Socks5;
import io.socksudp.agent.socks.SocksAddress;
import io.socksudp.agent.socks.UdpHeader;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whether an association of one form relays datagrams both ways: opens it, sends a token from the client socket
 * through the relay to the {@link Far} side, and waits for the answer to come back through the relay; or, from
 * behind a NAT, two associations through each other's relay ({@link #cross}). The {@code probe} command runs it
 * for every form and for the variations that tell servers' quirks apart. {@code associate=auto} has its own check
 * inside the agent ({@code association.FormLearner}); why the two are not one class is in the README.
 */
public final class FormCheck {

    /** How to reach and authenticate with the proxy. */
    public static final class Proxy {
        final InetSocketAddress address;
        final int timeoutMillis;
        final byte[] user;
        final byte[] password;

        /** {@code user} and {@code password} both null for no authentication. */
        public Proxy(InetSocketAddress address, int timeoutMillis, byte[] user, byte[] password) {
            this.address = address;
            this.timeoutMillis = timeoutMillis;
            this.user = user;
            this.password = password;
        }

        /** A new control connection, authenticated: ready for a request. */
        public SocksControl connect() throws IOException {
            SocksControl c = SocksControl.open(address, timeoutMillis);
            boolean ok = false;
            try {
                int method = c.negotiate(user == null ? Socks5.NO_AUTH : Socks5.USERNAME_PASSWORD);
                if (method == Socks5.NO_ACCEPTABLE_METHODS) {
                    throw new IOException(user == null ? "the server requires authentication (give --user)"
                            : "the server does not accept username/password authentication");
                }
                if (user != null && !c.authenticate(user, password.clone())) {
                    throw new IOException("the server rejected the username and password");
                }
                ok = true;
                return c;
            } finally {
                if (!ok) {
                    c.close();
                }
            }
        }
    }

    /** What one attempt showed. */
    public static final class Outcome {
        /** The UDP ASSOCIATE reply (any REP), or null when the handshake failed before it ({@link #error}). */
        public CommandReply reply;
        public String error;
        /** Where datagrams were sent: BND (the proxy's address for a wildcard), or the override. */
        public InetSocketAddress relay;
        /** The far side saw the token (only known for far sides that observe), from {@link #external}. */
        public boolean outbound;
        public InetSocketAddress external;
        /** The answer came back through the relay, naming the far side as its sender. */
        public boolean inbound;
        /** The control connection, still open when the attempt was asked to keep it; else closed. */
        public SocksControl control;

        public boolean accepted() {
            return reply != null && reply.isSuccess();
        }

        /** Both ways (for an echo far side: the round trip). */
        public boolean works() {
            return inbound;
        }
    }

    private final Proxy proxy;
    private final Far far;
    private final int waitMillis;

    public FormCheck(Proxy proxy, Far far, int waitMillis) {
        this.proxy = proxy;
        this.far = far;
        this.waitMillis = waitMillis;
    }

    /**
     * One association requesting {@code dst}; the token goes from {@code sender} and the answer is awaited on
     * {@code receiver} (the same socket, unless checking where the server sends replies). {@code relayOverride}
     * replaces BND.ADDR (null: BND, or the proxy's address for a wildcard).
     */
    public Outcome attempt(SocksAddress dst, DatagramSocket sender, DatagramSocket receiver,
                           InetAddress relayOverride, boolean keepOpen) {
        Outcome o = new Outcome();
        SocksControl control = null;
        try {
            control = proxy.connect();
            o.reply = control.request(Command.UDP_ASSOCIATE, dst);
            if (!o.reply.isSuccess()) {
                return o;
            }
            SocksAddress bound = o.reply.bound();
            o.relay = relayOf(control, o.reply, relayOverride);
            if (bound.port() == 0) {
                o.error = "the reply names relay port 0";
                return o;
            }
            exchange(o, sender, receiver);
            if (keepOpen) {
                o.control = control;
                control = null;
            }
        } catch (IOException | RuntimeException e) {
            o.error = e.getMessage() == null ? e.toString() : e.getMessage();
        } finally {
            if (control != null) {
                control.close();
            }
        }
        return o;
    }

    /** Where the association's datagrams go: BND, the proxy's address for a wildcard, or the override. */
    private static InetSocketAddress relayOf(SocksControl control, CommandReply reply, InetAddress relayOverride)
            throws IOException {
        SocksAddress bound = reply.bound();
        InetAddress relayIp = relayOverride != null ? relayOverride
                : bound.isWildcard() ? control.remoteAddress().getAddress()
                : bound.type() == Socks5.ATYP_DOMAIN ? InetAddress.getByName(bound.host())
                : bound.toInetSocketAddress().getAddress();
        return new InetSocketAddress(relayIp, bound.port());
    }

    /** What {@link #cross} showed. */
    public static final class Cross {
        /** Why the two associations could not be opened, or null. */
        public String error;
        /** The token socket A sent through relay A to relay B's address reached socket B, through relay B. */
        public boolean aToB;
        /** B's answer, sent through relay B to where relay B said the token came from, reached A through relay A. */
        public boolean bToA;

        public boolean works() {
            return aToB && bToA;
        }
    }

    /**
     * Whether two associations of this proxy relay to each other, both ways: the check that needs nobody's help and
     * works from behind a NAT, where the proxy cannot reach a socket of the probe's own. Socket {@code b} first
     * sends a datagram through relay B towards relay A (so that relay B knows its client, and b's NAT lets relay B's
     * datagrams in); then {@code a} sends a token through relay A to relay B's address, which relay B, if it takes
     * datagrams from anyone at its relay address as from a remote host, delivers to b naming relay A as the sender;
     * b answers through relay B to that sender, and relay A delivers the answer to a. A server that takes
     * datagrams at its relay address only from its own client (Dante, which has a separate socket for the far side)
     * drops the token: then nothing is shown either way. {@code dstA} and {@code dstB} are the requests' DST.
     */
    public Cross cross(SocksAddress dstA, DatagramSocket a, SocksAddress dstB, DatagramSocket b) {
        Cross x = new Cross();
        SocksControl controlA = null;
        SocksControl controlB = null;
        try {
            controlA = proxy.connect();
            CommandReply replyA = controlA.request(Command.UDP_ASSOCIATE, dstA);
            controlB = proxy.connect();
            CommandReply replyB = controlB.request(Command.UDP_ASSOCIATE, dstB);
            if (!replyA.isSuccess() || !replyB.isSuccess()) {
                x.error = "UDP ASSOCIATE refused: " + ReplyCode.describe((replyA.isSuccess() ? replyB : replyA).rep());
                return x;
            }
            InetSocketAddress relayA = relayOf(controlA, replyA, null);
            InetSocketAddress relayB = relayOf(controlB, replyB, null);
            String token = "socksudp-probe-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
            sendThrough(b, relayB, relayA, ("prime:" + token).getBytes(Far.ASCII), 0);
            sendThrough(a, relayA, relayB, token.getBytes(Far.ASCII), 0);
            InetSocketAddress sender = awaitRelayedFrom(b, relayB, token);
            if (sender == null) {
                return x;
            }
            x.aToB = true;
            sendThrough(b, relayB, sender, ("re:" + token).getBytes(Far.ASCII), 0);
            x.bToA = awaitRelayed(a, relayA, "re:" + token);
        } catch (IOException | RuntimeException e) {
            x.error = e.getMessage() == null ? e.toString() : e.getMessage();
        } finally {
            if (controlA != null) {
                controlA.close();
            }
            if (controlB != null) {
                controlB.close();
            }
        }
        return x;
    }

    /** Sends one token through {@code o.relay} and follows it (both sockets must be unconnected). */
    void exchange(Outcome o, DatagramSocket sender, DatagramSocket receiver) throws IOException {
        String token = "socksudp-probe-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        sendThrough(sender, o.relay, far.target(), token.getBytes(Far.ASCII), 0);
        if (far.observes()) {
            o.external = far.awaitAndAnswer(token, waitMillis);
            o.outbound = o.external != null;
            if (!o.outbound) {
                return;
            }
        }
        o.inbound = awaitRelayed(receiver, o.relay, far.answerFor(token));
        if (!far.observes()) {
            o.outbound = o.inbound;
        }
    }

    /** Frames {@code payload} for {@code dst} (FRAG as given) and sends it to {@code relay}. */
    static void sendThrough(DatagramSocket socket, InetSocketAddress relay, InetSocketAddress dst, byte[] payload,
                            int frag) throws IOException {
        byte[] header = UdpHeader.encode(dst);
        header[2] = (byte) frag;
        byte[] datagram = Arrays.copyOf(header, header.length + payload.length);
        System.arraycopy(payload, 0, datagram, header.length, payload.length);
        socket.send(new DatagramPacket(datagram, datagram.length, relay));
    }

    /** Waits for a datagram from {@code relay} carrying a valid header and {@code expected} as payload. */
    boolean awaitRelayed(DatagramSocket socket, InetSocketAddress relay, String expected) throws IOException {
        return awaitRelayedFrom(socket, relay, expected) != null;
    }

    /** As {@link #awaitRelayed}; the sender the header names, or null when nothing came. */
    InetSocketAddress awaitRelayedFrom(DatagramSocket socket, InetSocketAddress relay, String expected)
            throws IOException {
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        byte[] buffer = new byte[65536];
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        while (Far.receiveBefore(socket, p, deadline)) {
            if (!p.getSocketAddress().equals(relay)) {
                continue;
            }
            ByteBuffer datagram = ByteBuffer.wrap(buffer, 0, p.getLength());
            int headerLength = UdpHeader.parse(datagram);
            if (headerLength < 0) {
                continue;
            }
            String payload = new String(buffer, headerLength, p.getLength() - headerLength, Far.ASCII);
            if (payload.equals(expected)) {
                return UdpHeader.decodeAddress(datagram);
            }
        }
        return null;
    }

    public int waitMillis() {
        return waitMillis;
    }

    public Far far() {
        return far;
    }

    public Proxy proxy() {
        return proxy;
    }
}
