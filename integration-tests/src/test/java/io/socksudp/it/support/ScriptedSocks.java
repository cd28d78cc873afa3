package io.socksudp.it.support;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A SOCKS5 server and relay on loopback, in the test JVM, whose every step is scripted: the hostile-server suite's
 * adversary. One child JVM runs many cases against it in turn, so the case in force is chosen through a side door:
 * the child connects to {@link #selectPort()} (plain TCP, which the agent leaves alone), writes the case's name and a
 * newline and waits for {@code ok}; from then on every new control connection is served by that {@link Handshake}.
 * {@link Handshake#GOOD} grants the association (RFC 1929 with any user name and password, which the child sends);
 * its relay answers each datagram with {@link #relayAttack} and then one well-formed reply.
 *
 * <p>It never resolves a name and never forwards anything: the only host names it puts on the wire are 255 bytes of
 * one label, which no resolver can encode (a DNS label has at most 63), so even a client that tried to look one up
 * would send no query.
 */
public final class ScriptedSocks implements AutoCloseable, Diagnosable {

    /** A conversation on one control connection: the client's three pipelined messages and what is answered. */
    public interface Step {
        void run(Conversation c) throws IOException;
    }

    /** What a handshake case does; the name is what the child selects and what the test tables. */
    public enum Handshake {
        GOOD(c -> c.greeting().write(5, 2).auth().write(1, 0).request().write(c.reply(0)).hold()),
        // --- before anything is answered
        CLOSE_AT_ACCEPT(c -> c.close()),
        SILENCE_AT_ACCEPT(c -> c.hold()),
        GARBAGE(c -> c.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).hold()),
        GARBAGE_THEN_CLOSE(c -> c.write(0x47, 0x45, 0x54, 0x20, 0x2f).close()),
        // --- method selection
        SELECTION_WRONG_VERSION(c -> c.greeting().write(4, 2).hold()),
        SELECTION_TRUNCATED_CLOSE(c -> c.greeting().write(5).close()),
        SELECTION_TRUNCATED_SILENCE(c -> c.greeting().write(5).hold()),
        NO_ACCEPTABLE_METHOD(c -> c.greeting().write(5, 0xff).hold()),
        METHOD_NOT_OFFERED(c -> c.greeting().write(5, 0).hold()),
        METHOD_UNKNOWN(c -> c.greeting().write(5, 0x80).hold()),
        CLOSE_AFTER_SELECTION(c -> c.greeting().write(5, 2).close()),
        SILENCE_AFTER_SELECTION(c -> c.greeting().write(5, 2).hold()),
        // --- RFC 1929
        AUTH_REJECTED(c -> c.greeting().write(5, 2).auth().write(1, 1).hold()),
        AUTH_WRONG_VERSION(c -> c.greeting().write(5, 2).auth().write(5, 0).hold()),
        AUTH_TRUNCATED_CLOSE(c -> c.greeting().write(5, 2).auth().write(1).close()),
        CLOSE_AFTER_AUTH(c -> c.greeting().write(5, 2).auth().write(1, 0).close()),
        SILENCE_AFTER_AUTH(c -> c.greeting().write(5, 2).auth().write(1, 0).hold()),
        // --- the UDP ASSOCIATE reply: every REP code, assigned (1-8) and not
        REP_1(rep(1)), REP_2(rep(2)), REP_3(rep(3)), REP_4(rep(4)), REP_5(rep(5)), REP_6(rep(6)), REP_7(rep(7)),
        REP_8(rep(8)), REP_9(rep(9)), REP_127(rep(127)), REP_255(rep(255)),
        REPLY_WRONG_VERSION(granted(c -> with(c.reply(0), 0, 4))),
        ATYP_0(granted(c -> with(c.reply(0), 3, 0))),
        ATYP_2(granted(c -> with(c.reply(0), 3, 2))),
        ATYP_5(granted(c -> with(c.reply(0), 3, 5))),
        ATYP_255(granted(c -> with(c.reply(0), 3, 255))),
        REPLY_TRUNCATED_CLOSE(c -> c.greeting().write(5, 2).auth().write(1, 0).request().write(5, 0, 0, 1, 127, 0)
                .close()),
        REPLY_TRUNCATED_SILENCE(c -> c.greeting().write(5, 2).auth().write(1, 0).request().write(5, 0, 0, 1, 127, 0)
                .hold()),
        /** ATYP 3 announcing 255 bytes of name, of which 20 come. */
        NAME_LENGTH_OVERSIZED_CLOSE(c -> c.greeting().write(5, 2).auth().write(1, 0).request()
                .write(concat(new byte[] {5, 0, 0, 3, (byte) 255}, new byte[20])).close()),
        NAME_LENGTH_OVERSIZED_SILENCE(c -> c.greeting().write(5, 2).auth().write(1, 0).request()
                .write(concat(new byte[] {5, 0, 0, 3, (byte) 255}, new byte[20])).hold()),
        /** A complete reply naming the relay by a 255-byte name (one label: unresolvable, see the class comment). */
        RELAY_NAMED_255_BYTES(granted(c -> namedReply(LONG_NAME, c.relayPort()))),
        RELAY_PORT_ZERO(granted(c -> ipv4Reply(0, new byte[] {127, 0, 0, 1}, 0))),
        BYTES_AFTER_REPLY(granted(c -> concat(c.reply(0), "EXTRA".getBytes(StandardCharsets.US_ASCII)))),
        /** The reply is fine, then the proxy keeps talking on the control connection (RFC 1928 has nothing more). */
        BYTES_LATER_ON_CONTROL(c -> c.greeting().write(5, 2).auth().write(1, 0).request().write(c.reply(0))
                .pause(300).write("later".getBytes(StandardCharsets.US_ASCII)).hold()),
        /** BND names a UDP port of the proxy's host that is not its relay: a decoy that records what it gets. */
        RELAY_UNRELATED_PORT(granted(c -> ipv4Reply(0, new byte[] {127, 0, 0, 1}, c.decoyPort()))),
        /** BND names the client's own UDP socket (the request's DST.PORT, associate=port): its datagrams would loop. */
        RELAY_IS_THE_CLIENT(granted(c -> ipv4Reply(0, new byte[] {127, 0, 0, 1}, c.requestedPort()))),
        /** A reply as long as any can be (ATYP 3, 255 bytes), then 2 MB more: nothing may buffer it all. */
        HUGE_REPLY(c -> c.greeting().write(5, 2).auth().write(1, 0).request()
                .write(concat(new byte[] {5, 0, 0, 3, (byte) 255}, "x".repeat(2 << 20).getBytes(StandardCharsets.US_ASCII)))
                .hold());

        private final Step step;

        Handshake(Step step) {
            this.step = step;
        }

        public String id() {
            return name().toLowerCase().replace('_', '-');
        }

        static Handshake byId(String id) {
            return valueOf(id.toUpperCase().replace('-', '_'));
        }
    }

    static final String LONG_NAME = "x".repeat(255);

    private static Step rep(int code) {
        return granted(c -> c.reply(code));
    }

    /** Selection and authentication succeed; the request is answered with {@code reply}, and the line held. */
    private static Step granted(ReplyMaker reply) {
        return c -> c.greeting().write(5, 2).auth().write(1, 0).request().write(reply.make(c)).hold();
    }

    private interface ReplyMaker {
        byte[] make(Conversation c);
    }

    private static byte[] with(byte[] b, int index, int value) {
        b[index] = (byte) value;
        return b;
    }

    /** One control connection's conversation; the reading methods read what a pipelining client sent. */
    public final class Conversation {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;
        private int requestedPort;

        Conversation(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        Conversation greeting() throws IOException {
            int version = in.readUnsignedByte();
            int n = in.readUnsignedByte();
            in.readFully(new byte[n]);
            if (version != 5) {
                throw new IOException("greeting version " + version);
            }
            return this;
        }

        Conversation auth() throws IOException {
            in.readUnsignedByte();
            in.readFully(new byte[in.readUnsignedByte()]);
            in.readFully(new byte[in.readUnsignedByte()]);
            return this;
        }

        Conversation request() throws IOException {
            byte[] head = new byte[4];
            in.readFully(head);
            int length = switch (head[3]) {
                case 1 -> 4;
                case 4 -> 16;
                case 3 -> in.readUnsignedByte();
                default -> throw new IOException("request ATYP " + head[3]);
            };
            in.readFully(new byte[length]);
            requestedPort = in.readUnsignedShort();
            associations.incrementAndGet();
            return this;
        }

        Conversation write(int... bytes) throws IOException {
            byte[] b = new byte[bytes.length];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) bytes[i];
            }
            return write(b);
        }

        Conversation write(byte[] b) throws IOException {
            out.write(b);
            out.flush();
            return this;
        }

        Conversation pause(long ms) {
            Demos.sleep(ms);
            return this;
        }

        /** The successful reply shape, with {@code rep}, naming the relay at 127.0.0.1. */
        byte[] reply(int rep) {
            return ipv4Reply(rep, new byte[] {127, 0, 0, 1}, relay.getLocalPort());
        }

        int relayPort() {
            return relay.getLocalPort();
        }

        int decoyPort() {
            return decoy.getLocalPort();
        }

        int requestedPort() {
            return requestedPort;
        }

        /** Keeps the line open, reading whatever comes, until the client closes it. */
        void hold() throws IOException {
            while (in.read() >= 0) {
                // the client ends the association (or the test ends the server)
            }
        }

        void close() throws IOException {
            socket.close();
        }
    }

    private final ServerSocket server;
    private final ServerSocket select;
    private final DatagramSocket relay;
    private final DatagramSocket decoy;
    private final DatagramSocket forger;
    private final DatagramSocket forgerOtherAddress;
    private final DatagramSocket forgerRelayPort;
    private final List<Socket> controls = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger associations = new AtomicInteger();
    private final AtomicInteger decoyDatagrams = new AtomicInteger();
    private final Map<String, Integer> connectionsPerCase = new LinkedHashMap<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private volatile Handshake current = Handshake.GOOD;
    private volatile int floodSize = 1000;
    private volatile boolean closed;

    private ScriptedSocks() throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        server = new ServerSocket(0, 200, lo);
        select = new ServerSocket(0, 50, lo);
        relay = new DatagramSocket(new InetSocketAddress(lo, 0));
        decoy = new DatagramSocket(new InetSocketAddress(lo, 0));
        forger = new DatagramSocket(new InetSocketAddress(lo, 0));
        InetAddress other = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
        forgerOtherAddress = new DatagramSocket(new InetSocketAddress(other, 0));
        forgerRelayPort = new DatagramSocket(new InetSocketAddress(other, relay.getLocalPort()));
        daemon("scripted-socks-accept", this::accept);
        daemon("scripted-socks-select", this::selectLoop);
        daemon("scripted-socks-relay", this::relayLoop);
        daemon("scripted-socks-decoy", this::decoyLoop);
    }

    public static ScriptedSocks start() {
        try {
            return new ScriptedSocks();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many FRAG != 0 datagrams the relay floods the client with, per datagram it relays. */
    public ScriptedSocks floodSize(int n) {
        floodSize = n;
        return this;
    }

    /** "127.0.0.1:port", for socksudp.proxy. */
    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    public String selectAddress() {
        return "127.0.0.1:" + select.getLocalPort();
    }

    /** Control connections open now (the client's side not yet closed). */
    public int openControls() {
        return open.get();
    }

    /** Framed datagrams that reached the decoy port (RELAY_UNRELATED_PORT). */
    public int decoyDatagrams() {
        return decoyDatagrams.get();
    }

    /** Control connections each case was served on. */
    public synchronized Map<String, Integer> connectionsPerCase() {
        return new LinkedHashMap<>(connectionsPerCase);
    }

    private void accept() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            Handshake h = current;
            synchronized (this) {
                connectionsPerCase.merge(h.id(), 1, Integer::sum);
            }
            controls.add(s);
            open.incrementAndGet();
            daemon("scripted-socks-control", () -> {
                try (s) {
                    h.step.run(new Conversation(s));
                } catch (IOException e) {
                    // the client went away, or sent what this script does not expect: both end the conversation
                } finally {
                    open.decrementAndGet();
                    controls.remove(s);
                }
            });
        }
    }

    private void selectLoop() {
        while (!closed) {
            try (Socket s = select.accept()) {
                String id = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                current = Handshake.byId(id.trim());
                s.getOutputStream().write("ok\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            } catch (RuntimeException e) {
                events.add("select: " + e);
            }
        }
    }

    /**
     * The hostile relay: each datagram from a client is answered, in order, with what no client may deliver
     * ({@link #relayAttack}: {@link Attack}), ending in a flood of FRAG != 0 datagrams, then after a pause one
     * well-formed reply with payload {@code plain:<payload>} naming the datagram's destination as its sender,
     * repeated four times 250 ms apart.
     */
    private void relayLoop() {
        byte[] buf = new byte[65536];
        while (!closed) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                relay.receive(p);
                ByteBuffer b = ByteBuffer.wrap(buf, 0, p.getLength());
                if (p.getLength() < 10 || b.get(3) != 1) {
                    events.add("relay: datagram of " + p.getLength() + " bytes not IPv4-framed, ignored");
                    continue;
                }
                byte[] dst = Arrays.copyOfRange(buf, 4, 8);
                int port = ((buf[8] & 0xff) << 8) | (buf[9] & 0xff);
                byte[] payload = Arrays.copyOfRange(buf, 10, p.getLength());
                InetSocketAddress client = (InetSocketAddress) p.getSocketAddress();
                if (Arrays.equals(payload, bytes("probe"))) {
                    continue; // the client's probes between cases: its socket is gone already
                }
                relayAttack(client, dst, port);
                Demos.sleep(100); // the flood drains before the one good reply
                byte[] reply = concat(header(0, dst, port), concat(bytes("plain:"), payload));
                relay.send(new DatagramPacket(reply, reply.length, client));
                // again, a few times: on a loaded machine the flood may still fill the client's receive buffer
                // when the first arrives (a loss UDP allows); the client stops at the first it gets
                daemon("scripted-socks-repeat", () -> {
                    for (int i = 0; i < 4 && !closed; i++) {
                        Demos.sleep(250);
                        try {
                            relay.send(new DatagramPacket(reply, reply.length, client));
                        } catch (IOException e) {
                            return;
                        }
                    }
                });
                events.add("relay: answered " + new String(payload, StandardCharsets.ISO_8859_1) + " from " + client);
            } catch (SocketException e) {
                return;
            } catch (IOException e) {
                events.add("relay: " + e);
            }
        }
    }

    /** What the relay sends a client before each good reply; the test's table of expected drops follows it. */
    public enum Attack {
        FRAG_1("fragmented", 1), FRAG_255("fragmented", 1),
        EMPTY("malformed", 1), TRUNCATED_3_BYTES("malformed", 1), TRUNCATED_IPV4("malformed", 1),
        TRUNCATED_IPV6("malformed", 1), NAME_LENGTH_PAST_END("malformed", 1),
        ATYP_0("bad_address_type", 1), ATYP_2("bad_address_type", 1), ATYP_5("bad_address_type", 1),
        ATYP_255("bad_address_type", 1),
        NAMED_255_BYTES("named_sender", 1),
        FORGED_SAME_ADDRESS_OTHER_PORT("not_from_relay", 1), FORGED_OTHER_ADDRESS_RELAY_PORT("not_from_relay", 1),
        FORGED_OTHER_ADDRESS_OTHER_PORT("not_from_relay", 1),
        FLOOD_OF_FRAG_1("fragmented", -1);

        public final String cause;
        /** Datagrams sent; -1: the flood size. */
        public final int count;

        Attack(String cause, int count) {
            this.cause = cause;
            this.count = count;
        }
    }

    private void relayAttack(InetSocketAddress client, byte[] dst, int port) throws IOException {
        byte[] good = concat(header(0, dst, port), "forged".getBytes(StandardCharsets.US_ASCII));
        for (Attack a : Attack.values()) {
            byte[] d = switch (a) {
                case FRAG_1, FLOOD_OF_FRAG_1 -> concat(header(1, dst, port), bytes("frag"));
                case FRAG_255 -> concat(header(255, dst, port), bytes("frag"));
                case EMPTY -> new byte[0];
                case TRUNCATED_3_BYTES -> new byte[] {0, 0, 0};
                case TRUNCATED_IPV4 -> new byte[] {0, 0, 0, 1, 127, 0, 0};
                case TRUNCATED_IPV6 -> concat(new byte[] {0, 0, 0, 4}, new byte[8]);
                case NAME_LENGTH_PAST_END -> concat(new byte[] {0, 0, 0, 3, (byte) 255}, bytes("short"));
                case ATYP_0, ATYP_2, ATYP_5, ATYP_255 -> {
                    byte[] h = header(0, dst, port);
                    h[3] = (byte) Integer.parseInt(a.name().substring(5));
                    yield concat(h, bytes("atyp"));
                }
                case NAMED_255_BYTES -> {
                    byte[] n = LONG_NAME.getBytes(StandardCharsets.US_ASCII);
                    ByteBuffer bb = ByteBuffer.allocate(4 + 1 + n.length + 2 + 5);
                    bb.put(new byte[] {0, 0, 0, 3, (byte) n.length}).put(n).putShort((short) port).put(bytes("named"));
                    yield bb.array();
                }
                case FORGED_SAME_ADDRESS_OTHER_PORT, FORGED_OTHER_ADDRESS_RELAY_PORT, FORGED_OTHER_ADDRESS_OTHER_PORT ->
                        good;
            };
            DatagramSocket from = switch (a) {
                case FORGED_SAME_ADDRESS_OTHER_PORT -> forger;
                case FORGED_OTHER_ADDRESS_RELAY_PORT -> forgerRelayPort;
                case FORGED_OTHER_ADDRESS_OTHER_PORT -> forgerOtherAddress;
                default -> relay;
            };
            int n = a.count < 0 ? floodSize : a.count;
            for (int i = 0; i < n; i++) {
                from.send(new DatagramPacket(d, d.length, client));
            }
        }
    }

    private void decoyLoop() {
        byte[] buf = new byte[65536];
        while (!closed) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                decoy.receive(p);
                decoyDatagrams.incrementAndGet();
                events.add("decoy: " + p.getLength() + " bytes from " + p.getSocketAddress());
            } catch (IOException e) {
                return;
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] header(int frag, byte[] ipv4, int port) {
        return new byte[] {0, 0, (byte) frag, 1, ipv4[0], ipv4[1], ipv4[2], ipv4[3], (byte) (port >> 8), (byte) port};
    }

    static byte[] ipv4Reply(int rep, byte[] ipv4, int port) {
        return new byte[] {5, (byte) rep, 0, 1, ipv4[0], ipv4[1], ipv4[2], ipv4[3], (byte) (port >> 8), (byte) port};
    }

    static byte[] namedReply(String name, int port) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(7 + n.length);
        b.put(new byte[] {5, 0, 0, 3, (byte) n.length}).put(n).putShort((short) port);
        return b.array();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        closed = true;
        for (AutoCloseable c : List.<AutoCloseable>of(server, select, relay, decoy, forger, forgerOtherAddress,
                forgerRelayPort)) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing
            }
        }
        for (Socket s : controls) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    @Override
    public String describe() {
        return "--- scripted SOCKS5 server at " + address() + " (select " + selectAddress() + "), control connections"
                + " per case " + connectionsPerCase() + ", open now " + openControls() + "\n"
                + String.join("\n", events.subList(Math.max(0, events.size() - 30), events.size())) + "\n";
    }
}
