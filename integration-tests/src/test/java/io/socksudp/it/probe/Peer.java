package io.socksudp.it.probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The far side of the differential suite: a behaviour server that never runs with the agent. Two echo sockets on the
 * IPv6 wildcard (dual stack, so IPv4 and IPv6 loopback both reach them), a junk socket and a sink.
 *
 * <p>Prints {@code READY <main> <second>} and then, for every datagram on an echo socket,
 * {@code PEER rx sock=<1|2> from=<ip:port> len=<n>} before acting on it. A payload starting with {@code CMD:} is a
 * command, anything else is echoed to its sender:
 * <ul>
 * <li>{@code CMD:SIZE n}: reply with n pattern bytes ({@link Probe#pattern}).</li>
 * <li>{@code CMD:DELAY ms}: reply {@code DELAYED} after ms milliseconds.</li>
 * <li>{@code CMD:WHOAMI}: reply {@code YOU <ip:port>}, the sender as seen here (for a probe whose JDK cannot tell
 *     its own port).</li>
 * <li>{@code CMD:FROM2 text}: the SECOND socket sends {@code text} to the sender, then 150 ms later the main socket
 *     replies {@code AFTER}. A socket connected to the main socket must only ever see {@code AFTER}.</li>
 * <li>{@code CMD:JUNK port count ms}: reply {@code JUNKING}, then from the junk socket send {@code count} junk
 *     datagrams every {@code ms} straight to 127.0.0.1:port (port 0: to the sink, i.e. nowhere that matters). Every
 *     other junk datagram is a well-formed SOCKS5 UDP header claiming to come from the main socket with payload
 *     {@code FORGED}: a socksified socket that believed a non-relay source would deliver it.</li>
 * </ul>
 */
public final class Peer {
    private static final ScheduledExecutorService TIMER = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "peer-timer");
        t.setDaemon(true);
        return t;
    });

    private static DatagramChannel main;
    private static DatagramChannel second;
    private static DatagramChannel junk;
    private static DatagramChannel sink;

    public static void main(String[] args) throws Exception {
        main = bindWildcard();
        second = bindWildcard();
        junk = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("127.0.0.1", 0));
        sink = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("127.0.0.1", 0));
        Thread t2 = new Thread(() -> serve(second, 2), "peer-second");
        t2.setDaemon(true);
        t2.start();
        Thread drain = new Thread(Peer::drainSink, "peer-sink");
        drain.setDaemon(true);
        drain.start();
        System.out.println("READY " + port(main) + " " + port(second));
        System.out.flush();
        serve(main, 1);
    }

    private static DatagramChannel bindWildcard() throws IOException {
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET6);
        ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 1 << 20);
        return ch.bind(new InetSocketAddress("::", 0));
    }

    private static int port(DatagramChannel ch) throws IOException {
        return ((InetSocketAddress) ch.getLocalAddress()).getPort();
    }

    private static void drainSink() {
        ByteBuffer buf = ByteBuffer.allocate(2048);
        try {
            while (true) {
                buf.clear();
                sink.receive(buf);
            }
        } catch (IOException e) {
            // exiting
        }
    }

    private static void serve(DatagramChannel ch, int which) {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        while (true) {
            buf.clear();
            SocketAddress from;
            try {
                from = ch.receive(buf);
            } catch (IOException e) {
                System.out.println("PEER FAILED " + e);
                return;
            }
            buf.flip();
            byte[] data = new byte[buf.remaining()];
            buf.get(data);
            synchronized (Peer.class) {
                System.out.println("PEER rx sock=" + which + " from=" + Probe.raw(from) + " len=" + data.length);
                System.out.flush();
            }
            try {
                handle(ch, from, data);
            } catch (IOException | RuntimeException e) {
                System.out.println("PEER reply failed to " + Probe.raw(from) + ": " + e);
            }
        }
    }

    private static void handle(DatagramChannel ch, SocketAddress from, byte[] data) throws IOException {
        String text = data.length >= 4 && data[0] == 'C' && data[1] == 'M' && data[2] == 'D' && data[3] == ':'
                ? new String(data, StandardCharsets.US_ASCII) : null;
        if (text == null) {
            ch.send(ByteBuffer.wrap(data), from);
            return;
        }
        String[] w = text.substring(4).trim().split(" ");
        switch (w[0]) {
            case "WHOAMI":
                ch.send(ascii("YOU " + Probe.raw(from)), from);
                break;
            case "SIZE":
                ch.send(ByteBuffer.wrap(Probe.pattern(Integer.parseInt(w[1]))), from);
                break;
            case "DELAY":
                TIMER.schedule(() -> sendQuietly(ch, "DELAYED", from), Long.parseLong(w[1]), TimeUnit.MILLISECONDS);
                break;
            case "FROM2":
                second.send(ascii(w[1]), from);
                TIMER.schedule(() -> sendQuietly(main, "AFTER", from), 150, TimeUnit.MILLISECONDS);
                break;
            case "JUNK": {
                ch.send(ascii("JUNKING"), from);
                int port = Integer.parseInt(w[1]);
                InetSocketAddress target = new InetSocketAddress("127.0.0.1", port == 0 ? port(sink) : port);
                int count = Integer.parseInt(w[2]);
                long every = Long.parseLong(w[3]);
                int mainPort = port(main);
                for (int i = 0; i < count; i++) {
                    final int n = i;
                    TIMER.schedule(() -> {
                        try {
                            junk.send(n % 2 == 0 ? forged(mainPort) : ascii("JUNK" + n), target);
                        } catch (IOException e) {
                            System.out.println("PEER junk failed: " + e);
                        }
                    }, i * every, TimeUnit.MILLISECONDS);
                }
                break;
            }
            default:
                ch.send(ByteBuffer.wrap(data), from);
                break;
        }
    }

    /** RSV RSV FRAG=0 ATYP=1 127.0.0.1 mainPort "FORGED". */
    private static ByteBuffer forged(int mainPort) {
        ByteBuffer b = ByteBuffer.allocate(10 + 6);
        b.put(new byte[] {0, 0, 0, 1, 127, 0, 0, 1}).putShort((short) mainPort);
        b.put("FORGED".getBytes(StandardCharsets.US_ASCII));
        b.flip();
        return b;
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static void sendQuietly(DatagramChannel ch, String text, SocketAddress to) {
        try {
            ch.send(ascii(text), to);
        } catch (IOException e) {
            System.out.println("PEER reply failed to " + Probe.raw(to) + ": " + e);
        }
    }
}
