package io.socksudp.demo.chat;

import io.socksudp.demo.cli.Args;
import io.socksudp.demo.cli.UsageException;
import io.socksudp.demo.net.Addresses;

import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

/**
 * One peer of a tiny P2P chat: plain UDP on ONE socket, knowing nothing of SOCKS. It registers with the
 * {@link Rendezvous}, learns the other peer's public endpoint from it, and sends its messages there (which also
 * punches a hole in its own NAT); it answers whatever address a message really came from.
 *
 * <p>Timing is controllable so that tests can provoke an exact order of events: the peer alternates, every
 * {@code --interval/2} ms, between registering (a keep-alive that also reveals a changed public endpoint to the
 * rendezvous) and sending its unacknowledged messages to the peer; it sends nothing at all to the peer until
 * {@code --punch-delay} ms after start. Learning a new endpoint for the peer (after the punch delay) triggers an
 * immediate {@code PUNCH}.
 *
 * <p>Peer-to-peer protocol: {@code MSG <from> <seq> <text>}, answered by {@code ACK <from> <seq>}; {@code PUNCH
 * <from>}. Output: {@code chat: local <addr>}, {@code chat: sent <seq> to <peer> at <addr>: <text>},
 * {@code chat: received <seq> from <peer> at <addr>: <text>}, ..., then {@code chat: OK ...} (exit 0, once every
 * own message is acknowledged and every expected one received, after {@code --linger} ms of still answering) or
 * {@code chat: FAILED ...} (exit 1 after {@code --timeout} ms).
 */
public final class ChatPeer {
    static final String USAGE = "usage: ChatPeer --rendezvous HOST:PORT --name NAME --peer NAME [--message TEXT]"
            + " [--count N] [--expect N] [--punch-delay MS] [--interval MS] [--timeout MS] [--linger MS]"
            + " [--bind ADDR] [--port N]";

    static final class Settings {
        private final InetSocketAddress rendezvous;
        private final String name;
        private final String peer;
        private final String message;
        private final int count;
        private final int expect;
        private final int punchDelayMillis;
        private final int intervalMillis;
        private final int timeoutMillis;
        private final int lingerMillis;
        private final InetSocketAddress bind;

        Settings(InetSocketAddress rendezvous, String name, String peer, String message, int count, int expect,
                 int punchDelayMillis, int intervalMillis, int timeoutMillis, int lingerMillis,
                 InetSocketAddress bind) {
            this.rendezvous = rendezvous;
            this.name = name;
            this.peer = peer;
            this.message = message;
            this.count = count;
            this.expect = expect;
            this.punchDelayMillis = punchDelayMillis;
            this.intervalMillis = intervalMillis;
            this.timeoutMillis = timeoutMillis;
            this.lingerMillis = lingerMillis;
            this.bind = bind;
        }

        InetSocketAddress rendezvous() { return rendezvous; }

        String name() { return name; }

        String peer() { return peer; }

        String message() { return message; }

        int count() { return count; }

        int expect() { return expect; }

        int punchDelayMillis() { return punchDelayMillis; }

        int intervalMillis() { return intervalMillis; }

        int timeoutMillis() { return timeoutMillis; }

        int lingerMillis() { return lingerMillis; }

        InetSocketAddress bind() { return bind; }
    }

    private final Settings settings;
    private final PrintStream out;
    private final DatagramSocket socket;
    private final boolean[] acked;
    private final Set<Integer> received = new TreeSet<>();
    private final long start = System.nanoTime();
    private InetSocketAddress peerEndpoint;
    /** The peer's endpoint as the rendezvous last reported it. */
    private InetSocketAddress rendezvousSaid;
    /** No datagram to the peer before this (elapsed ms): our endpoint just changed. */
    private long peerHoldUntil;
    private InetSocketAddress seenAs;
    private int sendFailures;
    private int resends;
    /** Per message: the endpoint it was last reported as sent to (resends to the same endpoint stay quiet). */
    private final java.util.Map<Integer, InetSocketAddress> reported = new java.util.HashMap<>();
    private InetSocketAddress keepAliveReported;

    private ChatPeer(Settings settings, PrintStream out, DatagramSocket socket) {
        this.settings = settings;
        this.out = out;
        this.socket = socket;
        this.acked = new boolean[settings.count() + 1];
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] argv, PrintStream out, PrintStream err) {
        Settings settings;
        try {
            settings = parse(argv);
        } catch (UsageException | IOException | IllegalArgumentException e) {
            err.println("chat: " + e.getMessage() + "; " + USAGE);
            return 2;
        }
        try (DatagramSocket socket = new DatagramSocket(settings.bind())) {
            return new ChatPeer(settings, out, socket).chat();
        } catch (IOException e) {
            out.println("chat: FAILED cannot open a UDP socket on " + Addresses.format(settings.bind()) + ": " + e);
            return 1;
        }
    }

    static Settings parse(String[] argv) throws UsageException, IOException {
        Args args = Args.parse(argv, Args.names(), Args.names("--rendezvous", "--name", "--peer", "--message", "--count",
                "--expect", "--punch-delay", "--interval", "--timeout", "--linger", "--bind", "--port"));
        InetSocketAddress rendezvous = Addresses.parseHostPort(args.required("--rendezvous"));
        if (rendezvous.getPort() == 0) {
            throw new UsageException("--rendezvous needs a non-zero port");
        }
        String name = word(args.required("--name"), "--name");
        String peer = word(args.required("--peer"), "--peer");
        if (name.equals(peer)) {
            throw new UsageException("--name and --peer must differ");
        }
        int count = args.intValue("--count", 3, 0, 1000);
        InetAddress bindIp = InetAddress.getByName(args.value("--bind", "0.0.0.0"));
        return new Settings(rendezvous, name, peer, args.value("--message", "hello from " + name), count,
                args.intValue("--expect", count, 0, 1000), args.intValue("--punch-delay", 0, 0, 3_600_000),
                args.intValue("--interval", 400, 2, 60_000), args.intValue("--timeout", 30_000, 1, 3_600_000),
                args.intValue("--linger", 1000, 0, 60_000),
                new InetSocketAddress(bindIp, args.intValue("--port", 0, 0, 65535)));
    }

    private static String word(String value, String option) throws UsageException {
        if (value.isEmpty() || value.contains(" ")) {
            throw new UsageException(option + " must be one word, not '" + value + "'");
        }
        return value;
    }

    private long elapsedMillis() {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private boolean mayContactPeer() {
        return elapsedMillis() >= settings.punchDelayMillis();
    }

    private int chat() throws IOException {
        print("local " + Addresses.format((InetSocketAddress) socket.getLocalSocketAddress()) + " as "
                + settings.name() + ", chatting with " + settings.peer() + " via rendezvous "
                + Addresses.format(settings.rendezvous()));
        byte[] buffer = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        long half = Math.max(1, settings.intervalMillis() / 2);
        long nextTick = 0;
        boolean registerPhase = true;
        long doneAt = -1;
        boolean punchDelayAnnounced = settings.punchDelayMillis() == 0;
        while (true) {
            long now = elapsedMillis();
            if (doneAt < 0 && isDone()) {
                doneAt = now;
                print("all " + settings.count() + " messages acknowledged and " + settings.expect() + " received;"
                        + " answering for " + settings.lingerMillis() + " ms more");
            }
            if (doneAt >= 0 && now - doneAt >= settings.lingerMillis()) {
                print("OK sent " + settings.count() + "/" + settings.count() + " acknowledged, received "
                        + received.size() + "/" + settings.expect() + " from " + settings.peer());
                return 0;
            }
            if (doneAt < 0 && now >= settings.timeoutMillis()) {
                print("FAILED timeout after " + now + " ms: " + ackedCount() + "/" + settings.count()
                        + " acknowledged, " + received.size() + "/" + settings.expect() + " received from "
                        + settings.peer() + (peerEndpoint == null ? " (never learned its endpoint)" : "")
                        + (resends > 0 ? ", " + resends + " resends" : "")
                        + (sendFailures > 0 ? ", " + sendFailures + " sends failed" : ""));
                return 1;
            }
            if (!punchDelayAnnounced && mayContactPeer()) {
                punchDelayAnnounced = true;
                print("punch delay of " + settings.punchDelayMillis() + " ms over");
                punch("punch delay over");
            }
            if (now >= nextTick) {
                if (registerPhase) {
                    send("REGISTER " + settings.name() + " " + settings.peer(), settings.rendezvous(), null);
                } else {
                    sendPending();
                }
                registerPhase = !registerPhase;
                nextTick = now + half;
            }
            socket.setSoTimeout((int) Math.max(1, Math.min(50, nextTick - elapsedMillis())));
            packet.setLength(buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                // e.g. PortUnreachableException: an earlier datagram was refused. Keep going.
                print("receive failed: " + e);
                continue;
            }
            handle(new String(buffer, 0, packet.getLength(), StandardCharsets.UTF_8),
                    (InetSocketAddress) packet.getSocketAddress());
        }
    }

    private boolean isDone() {
        return ackedCount() == settings.count() && received.size() >= settings.expect();
    }

    private int ackedCount() {
        int n = 0;
        for (int i = 1; i <= settings.count(); i++) {
            n += acked[i] ? 1 : 0;
        }
        return n;
    }

    /** Every unacknowledged message to the peer; a PUNCH if none is left but the peer still has some to send. */
    private void sendPending() {
        if (peerEndpoint == null || !mayContactPeer() || elapsedMillis() < peerHoldUntil) {
            return;
        }
        boolean sent = false;
        for (int seq = 1; seq <= settings.count(); seq++) {
            if (!acked[seq]) {
                String text = text(seq);
                boolean quiet = peerEndpoint.equals(reported.put(seq, peerEndpoint));
                resends += quiet ? 1 : 0;
                send("MSG " + settings.name() + " " + seq + " " + text, peerEndpoint, quiet ? null
                        : "sent " + seq + " to " + settings.peer() + " at " + Addresses.format(peerEndpoint) + ": "
                                + text + " (resent every " + settings.intervalMillis() + " ms until acknowledged)");
                sent = true;
            }
        }
        if (!sent && received.size() < settings.expect()) {
            if (peerEndpoint.equals(keepAliveReported)) {
                send("PUNCH " + settings.name(), peerEndpoint, null);
            } else {
                keepAliveReported = peerEndpoint;
                punch("keeping the hole open, every " + settings.intervalMillis() + " ms");
            }
        }
    }

    private void punch(String why) {
        if (peerEndpoint != null && mayContactPeer()) {
            send("PUNCH " + settings.name(), peerEndpoint,
                    "punched " + settings.peer() + " at " + Addresses.format(peerEndpoint) + " (" + why + ")");
        }
    }

    private String text(int seq) {
        return settings.message() + " #" + seq;
    }

    private void handle(String text, InetSocketAddress source) {
        String[] words = text.trim().split(" ", 4);
        switch (words[0]) {
            case "SEEN": {
                if (words.length == 2 && !words[1].equals(seenAs == null ? null : Addresses.format(seenAs))) {
                    boolean moved = seenAs != null;
                    seenAs = parse(words[1]);
                    print("the rendezvous sees me at " + words[1]);
                    if (moved) {
                        // Our public endpoint changed (a new NAT mapping, a new relay): the peer learns it from the
                        // rendezvous at its next keep-alive and must punch it first, or our datagrams hit its closed
                        // NAT again. Hold them two intervals, as ICE waits for the peer's check on a new candidate.
                        peerHoldUntil = elapsedMillis() + 2L * settings.intervalMillis();
                    }
                }
                break;
            }
            case "PEER": {
                if (words.length == 3 && words[1].equals(settings.peer())) {
                    InetSocketAddress endpoint = parse(words[2]);
                    // Only news from the rendezvous counts: once the peer's datagrams showed where it really is, the
                    // rendezvous repeating an older endpoint (what its NAT showed the rendezvous) must not undo that.
                    if (endpoint != null && !endpoint.equals(rendezvousSaid)) {
                        rendezvousSaid = endpoint;
                        if (!endpoint.equals(peerEndpoint)) {
                            peerEndpoint = endpoint;
                            print("the rendezvous says " + settings.peer() + " is at " + words[2]);
                            punch("new endpoint from the rendezvous");
                        }
                    }
                }
                break;
            }
            case "MSG": {
                if (words.length >= 3 && words[1].equals(settings.peer())) {
                    learnFromWire(source);
                    int seq = number(words[2]);
                    if (seq > 0 && received.add(seq)) {
                        print("received " + seq + " from " + settings.peer() + " at " + Addresses.format(source) + ": "
                                + (words.length == 4 ? words[3] : ""));
                    }
                    if (seq > 0) {
                        send("ACK " + settings.name() + " " + seq, source, null);
                    }
                }
                break;
            }
            case "ACK": {
                if (words.length == 3 && words[1].equals(settings.peer())) {
                    learnFromWire(source);
                    int seq = number(words[2]);
                    if (seq >= 1 && seq <= settings.count() && !acked[seq]) {
                        acked[seq] = true;
                        print(settings.peer() + " acknowledged " + seq);
                    }
                }
                break;
            }
            case "PUNCH": {
                if (words.length == 2 && words[1].equals(settings.peer())) {
                    learnFromWire(source);
                    print("punch from " + settings.peer() + " at " + Addresses.format(source));
                }
                break;
            }
            default:
                print("ignored a datagram from " + Addresses.format(source));
        }
    }

    /** The address a peer's datagram really came from is where to answer, whatever the rendezvous said. */
    private void learnFromWire(InetSocketAddress source) {
        if (!source.equals(peerEndpoint)) {
            print(settings.peer() + " is at " + Addresses.format(source) + " as seen on the wire"
                    + (peerEndpoint == null ? "" : " (was " + Addresses.format(peerEndpoint) + ")"));
            peerEndpoint = source;
        }
    }

    private void send(String text, InetSocketAddress to, String line) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        try {
            socket.send(new DatagramPacket(data, data.length, to));
            if (line != null) {
                print(line);
            }
        } catch (IOException e) {
            // With the agent: no association could be had just now. The next tick tries again.
            sendFailures++;
            print("send to " + Addresses.format(to) + " failed: " + e);
        }
    }

    private static InetSocketAddress parse(String text) {
        try {
            return Addresses.parseHostPort(text);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static int number(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void print(String line) {
        out.println("chat: " + line);
        out.flush();
    }
}
