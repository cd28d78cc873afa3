package io.socksudp.it.app;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;

import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The application side of the hostile-server suite, against the test's scripted SOCKS5 server (which case is in
 * force is chosen through the server's select port, plain TCP). Usage:
 * {@code --select HOST:PORT --target HOST:PORT --apis channel,socket (--handshakes a,b,... | --relay)}; for the relay
 * also {@code netty-nio} and {@code netty-epoll} (a Netty datagram channel, {@link HostileNettyRound}; Netty 4.2's
 * jars on the class path).
 * <ul>
 * <li>handshakes ({@code --warmup a,b,...}: those cases first, each line tagged {@code warmup}, before the
 *     baseline): for each case and API, a fresh socket sends one datagram to the target:
 *     {@code case NAME API error MS MESSAGE} or {@code case NAME API sent MS [delivered ...]} (what a receive got
 *     within 300 ms after it); before each, a probe through the
 *     good script ends the failure backoff the last case caused, so that every case meets a real handshake.</li>
 * <li>relay: per API one datagram, then every datagram received for 5 s or until the good reply:
 *     {@code rx API from=ADDRESS text=PAYLOAD}, then {@code drops API CAUSE=N ...} (the agent's MBean).</li>
 * </ul>
 * Then {@code leaks threads=BEFORE/AFTER fds=BEFORE/AFTER live=N agent=NAME:COUNT,...} (threads but the agent's,
 * which are counted by name) once the agent's threads and sockets had up to
 * 5 s to go: the counts after the first probe (the agent's own lazy threads started) against those at the end;
 * it lives 0.8 s more, for the test to count the server's open control connections.
 */
public final class HostileClient {

    private static InetSocketAddress select;
    private static InetSocketAddress target;

    public static void main(String[] args) throws Exception {
        String[] apis = {"channel", "socket"};
        String[] handshakes = null;
        String[] warmups = {};
        boolean relay = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--select": select = address(args[++i]); break;
                case "--target": target = address(args[++i]); break;
                case "--apis": apis = args[++i].split(","); break;
                case "--handshakes": handshakes = args[++i].split(","); break;
                case "--warmup": warmups = args[++i].split(","); break;
                case "--relay": relay = true; break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        attribute("LiveAssociations"); // the platform MBean server exists before the baseline is taken
        probe();
        // The failure paths' classes loaded and compiled before anything is timed: several children start at once,
        // and a cold JVM on busy cores took up to 1.3 s for a first failing case that takes 0.6 s warm.
        for (String h : warmups) {
            for (String api : apis) {
                probe();
                choose(h);
                handshakeCase("warmup", h, api);
            }
        }
        for (String api : apis) {
            if (api.startsWith("netty-")) {
                HostileNettyRound.warmUp(api); // Netty's jars and native library, loaded for good
            }
        }
        int threadsBefore = threads();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            System.out.println("baseline thread " + t.getName());
        }
        int fdsBefore = fds();
        if (relay) {
            for (String api : apis) {
                relayRound(api);
                System.out.println("drops " + api + " " + attribute("DropsByCause"));
            }
        } else {
            for (String h : handshakes) {
                for (String api : apis) {
                    probe();
                    choose(h);
                    handshakeCase("case", h, api);
                }
            }
        }
        int threadsAfter = threads();
        int fdsAfter = fds();
        long live = (Long) attribute("LiveAssociations");
        for (long end = System.currentTimeMillis() + 5000; System.currentTimeMillis() < end
                && (threadsAfter > threadsBefore || fdsAfter > fdsBefore || live > 0); ) {
            Thread.sleep(100);
            threadsAfter = threads();
            fdsAfter = fds();
            live = (Long) attribute("LiveAssociations");
        }
        if (threadsAfter > threadsBefore) {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                System.out.println("thread " + t.getName() + " " + t.getState());
            }
        }
        System.out.println("leaks threads=" + threadsBefore + "/" + threadsAfter + " fds=" + fdsBefore + "/" + fdsAfter
                + " live=" + live + " agent=" + agentThreads());
        Thread.sleep(800); // the test checks the server's side meanwhile: every control connection closed
    }

    private static void handshakeCase(String tag, String name, String api) throws InterruptedException {
        byte[] d = ("case " + name).getBytes(StandardCharsets.US_ASCII);
        long t0 = System.nanoTime();
        String outcome;
        try {
            String delivered;
            if (api.equals("channel")) {
                try (DatagramChannel ch = DatagramChannel.open()) {
                    ch.send(ByteBuffer.wrap(d), target);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    ch.configureBlocking(false);
                    Thread.sleep(300);
                    ByteBuffer b = ByteBuffer.allocate(2048);
                    java.net.SocketAddress from = ch.receive(b);
                    delivered = ms + (from == null ? "" : " delivered " + b.position() + " bytes from " + from);
                }
            } else {
                try (DatagramSocket s = new DatagramSocket()) {
                    s.send(new DatagramPacket(d, d.length, target));
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    s.setSoTimeout(300);
                    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                    try {
                        s.receive(p);
                        delivered = ms + " delivered " + p.getLength() + " bytes from " + p.getSocketAddress();
                    } catch (SocketTimeoutException e) {
                        delivered = String.valueOf(ms);
                    }
                }
            }
            outcome = "sent " + delivered;
        } catch (IOException e) {
            outcome = "error " + (System.nanoTime() - t0) / 1_000_000 + " " + e;
        } catch (RuntimeException e) {
            outcome = "unchecked " + (System.nanoTime() - t0) / 1_000_000 + " " + e;
        }
        System.out.println(tag + " " + name + " " + api + " " + outcome.replace('\n', ' '));
    }

    private static void relayRound(String api) throws Exception {
        if (api.startsWith("netty-")) {
            HostileNettyRound.relayRound(api, target);
            return;
        }
        byte[] d = api.getBytes(StandardCharsets.US_ASCII);
        String expected = "plain:" + api;
        long end = System.currentTimeMillis() + 5000;
        if (api.equals("socket")) {
            try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout(200);
                s.send(new DatagramPacket(d, d.length, target));
                while (System.currentTimeMillis() < end) {
                    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                    try {
                        s.receive(p);
                    } catch (SocketTimeoutException e) {
                        continue;
                    } catch (IOException e) {
                        System.out.println("ioerror " + api + " " + e);
                        continue;
                    }
                    String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1);
                    System.out.println("rx " + api + " from=" + p.getSocketAddress() + " text=" + printable(text));
                    if (text.equals(expected)) {
                        return;
                    }
                }
            }
        } else {
            try (DatagramChannel ch = DatagramChannel.open(); Selector selector = Selector.open()) {
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ);
                // non-blocking: while the association is being set up the agent reports a full socket buffer (0), as
                // the JDK would; an application tries again, as here
                while (ch.send(ByteBuffer.wrap(d), target) == 0 && System.currentTimeMillis() < end) {
                    Thread.sleep(10);
                }
                ByteBuffer b = ByteBuffer.allocate(2048);
                while (System.currentTimeMillis() < end) {
                    selector.select(200);
                    selector.selectedKeys().clear();
                    while (true) {
                        b.clear();
                        java.net.SocketAddress from = ch.receive(b);
                        if (from == null) {
                            break;
                        }
                        b.flip();
                        String text = StandardCharsets.ISO_8859_1.decode(b).toString();
                        System.out.println("rx " + api + " from=" + from + " text=" + printable(text));
                        if (text.equals(expected)) {
                            return;
                        }
                    }
                }
            }
        }
        System.out.println("rx " + api + " timeout");
    }

    /** Ends the failure backoff of the last case: through the good script until a send goes out. */
    private static void probe() throws Exception {
        choose("good");
        byte[] d = "probe".getBytes(StandardCharsets.US_ASCII);
        for (long end = System.currentTimeMillis() + 10_000; ; ) {
            try (DatagramSocket s = new DatagramSocket()) {
                s.send(new DatagramPacket(d, d.length, target));
                return;
            } catch (IOException e) {
                if (System.currentTimeMillis() > end) {
                    throw e;
                }
                Thread.sleep(25);
            }
        }
    }

    private static void choose(String name) throws IOException {
        try (Socket s = new Socket(select.getAddress(), select.getPort())) {
            OutputStream out = s.getOutputStream();
            out.write((name + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String ok = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            if (!"ok".equals(ok)) {
                throw new IOException("the scripted server did not select " + name + ": " + ok);
            }
        }
    }

    private static Object attribute(String name) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        return server.getAttribute(new ObjectName("io.socksudp:type=Agent"), name);
    }

    /** Live threads but the agent's own: a bounded set-up pool (idle ones end after 10 s) and lazy singletons. */
    private static int threads() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!t.getName().startsWith("socksudp-")) {
                n++;
            }
        }
        return n;
    }

    /** The agent's threads by name: {@code name:count,...}, sorted. */
    private static String agentThreads() {
        java.util.TreeMap<String, Integer> byName = new java.util.TreeMap<String, Integer>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("socksudp-")) {
                Integer n = byName.get(t.getName());
                byName.put(t.getName(), n == null ? 1 : n + 1);
            }
        }
        StringBuilder b = new StringBuilder();
        for (java.util.Map.Entry<String, Integer> e : byName.entrySet()) {
            b.append(b.length() > 0 ? "," : "").append(e.getKey()).append(':').append(e.getValue());
        }
        return b.toString();
    }

    private static int fds() {
        String[] list = new File("/proc/self/fd").list();
        return list == null ? -1 : list.length;
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? c : '.');
            if (b.length() >= 24) {
                break;
            }
        }
        return b.toString();
    }

    private static InetSocketAddress address(String s) {
        int colon = s.lastIndexOf(':');
        return new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
    }
}
