package io.socksudp.it.probe;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;

/**
 * The differential suite's probe: runs ONE named scenario over Java's UDP APIs against a {@link Peer} and prints a
 * normalized observation transcript. Run it once without the agent and once with it; the transcripts must be equal.
 *
 * <p>Usage: {@code Probe <scenario> --peer PORT --peer2 PORT [--junk-self]}. Output protocol (stdout):
 * <ul>
 * <li>{@code OBS key=value}: an observation; the transcript is the sequence of these lines. Addresses are normalized:
 *     a port of the probe's own sockets prints as {@code LOCAL}, the peer's main port as {@code PEER}, its second as
 *     {@code PEER2}; any other port (e.g. a relay's) stays a number and so shows up as a difference. Exceptions print
 *     as their class name; durations as whether they were within the expected window.</li>
 * <li>{@code LOCAL <port>}: a local port of one of the probe's sockets (for the far-side check).</li>
 * <li>{@code INFO ...}: diagnostics that are not compared (raw times, exception messages).</li>
 * <li>{@code END}: the scenario finished (a missing END means the probe crashed or was stopped by its watchdog).</li>
 * </ul>
 * {@code --junk-self} makes junk scenarios aim the peer's junk socket at the probe's own port (the agent run: datagrams
 * that do not come from the relay must be dropped). Without it the junk goes to the peer's sink, so the direct run has
 * the same timing but no stray datagrams (a direct socket cannot tell junk from a real datagram, so there is nothing
 * comparable to drop).
 */
public final class Probe {

    /**
     * A scenario and where it runs. The probe is compiled for Java 8 (it runs on JDK 8 to 25), hence a class, not a
     * record.
     */
    public static final class Spec {
        private final String name;
        private final boolean differential;
        private final boolean dante;
        private final int minJdk;
        private final String needs;
        private boolean slowProxy;

        Spec(String name, boolean differential, boolean dante, int minJdk, String needs) {
            this.name = name;
            this.differential = differential;
            this.dante = dante;
            this.minJdk = minJdk;
            this.needs = needs;
        }

        public String name() {
            return name;
        }

        /** Run directly and through a relay, and compared (else an agent-only scenario with its own test). */
        public boolean differential() {
            return differential;
        }

        /** Also run through danted. */
        public boolean dante() {
            return dante;
        }

        /**
         * Run through a proxy whose handshake is slow (the agent run): the association's set-up is still pending when
         * the scenario closes, interrupts or sends without blocking.
         */
        public boolean slowProxy() {
            return slowProxy;
        }

        public boolean virtualThreads() {
            return minJdk >= 21;
        }

        /**
         * Null when the scenario applies to a JDK of this feature version (8, 11, 17...), else the reason it cannot,
         * e.g. "virtual threads exist from JDK 21; this is JDK 17".
         */
        public String notApplicableOn(int jdkFeature) {
            return jdkFeature >= minJdk ? null : needs + " exist from JDK " + minJdk + "; this is JDK " + jdkFeature;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private interface Scenario {
        void run() throws Exception;
    }

    private static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();
    private static final List<Spec> SPECS = new ArrayList<>();

    /**
     * A host name for the peer that only the reference relay of the differential suite can resolve (its
     * {@code jdk.net.hosts.file} maps it to 127.0.0.1): nothing else knows it, on any JDK, and .invalid never resolves
     * in DNS.
     */
    public static final String PEER_NAME = "socksudp-peer.invalid";

    static int peerPort;
    static int peer2Port;
    static boolean junkSelf;
    static InetSocketAddress peer;
    static InetSocketAddress peer2;
    static InetSocketAddress peer6;
    private static final Set<Integer> LOCALS = ConcurrentHashMap.newKeySet();
    /** Generous: two shared cores, JIT warm-up, and the first datagram's association set-up. */
    static final long TIMEOUT_MS = 500;
    static final long LATE_MS = 700;

    public static List<Spec> specs() {
        return Collections.unmodifiableList(SPECS);
    }

    private static void scenario(String name, boolean dante, Scenario s) {
        add(new Spec(name, true, dante, 8, null), s);
    }

    private static void virtualScenario(String name, Scenario s) {
        add(new Spec(name, true, false, 21, "virtual threads"), s);
    }

    /** Differential, through a slow proxy in the agent run (see {@link Spec#slowProxy()}). */
    private static void slowProxyScenario(String name, Scenario s) {
        Spec spec = new Spec(name, true, false, 8, null);
        spec.slowProxy = true;
        add(spec, s);
    }

    /** Not differential: run only with the agent by an explicit test (what is observed legitimately differs). */
    private static void agentOnly(String name, Scenario s) {
        add(new Spec(name, false, false, 8, null), s);
    }

    private static void add(Spec spec, Scenario s) {
        if (SCENARIOS.put(spec.name(), s) != null) {
            throw new IllegalStateException("duplicate scenario " + spec.name());
        }
        SPECS.add(spec);
    }

    static {
        // ------------------------------------------------------------- DatagramSocket
        for (int size : new int[] {0, 1, 1472, 8192, 65000}) {
            scenario("socket.echo.size" + size, size == 1472 || size == 65000, () -> socketEcho(size));
        }
        scenario("socket.oversize65508", false, Probe::socketOversize);
        scenario("socket.truncate", false, Probe::socketTruncate);
        scenario("socket.soTimeout", false, () -> socketTimeout(false));
        scenario("socket.soTimeout.junk", true, () -> socketTimeout(true));
        scenario("socket.connect", true, Probe::socketConnect);
        scenario("socket.asyncClose", false, Probe::socketAsyncClose);
        scenario("socket.interrupt", false, Probe::socketInterrupt);
        scenario("socket.concurrent", false, () -> concurrent(false));
        scenario("multicastSocket.unicast", true, Probe::multicastUnicast);
        // ------------------------------------------------------------- DatagramChannel
        scenario("channel.blocking.echo", true, Probe::channelBlockingEcho);
        scenario("channel.nonBlocking.null", false, Probe::channelNonBlockingNull);
        scenario("channel.selector", false, Probe::channelSelector);
        scenario("channel.selector.stray", true, Probe::channelSelectorStray);
        scenario("channel.connect", true, Probe::channelConnect);
        scenario("channel.scatterGather", true, Probe::channelScatterGather);
        scenario("channel.truncate", true, Probe::channelTruncate);
        scenario("channel.adaptor", false, Probe::channelAdaptor);
        scenario("channel.adaptor.soTimeout.junk", false, Probe::channelAdaptorTimeoutJunk);
        scenario("channel.interrupt", false, Probe::channelInterrupt);
        scenario("channel.asyncClose", false, Probe::channelAsyncClose);
        scenario("channel.concurrent", true, () -> concurrent(true));
        // ------------------------------------------------------------- association set-up (slow proxy)
        slowProxyScenario("setup.slow.channel", Probe::slowSetupChannel);
        slowProxyScenario("setup.slow.socket", Probe::slowSetupSocket);
        // ------------------------------------------------------------- IPv6
        scenario("ipv6.socket.echo", false, Probe::ipv6SocketEcho);
        scenario("ipv6.channel.echoAndConnect", false, Probe::ipv6Channel);
        // ------------------------------------------------------------- virtual threads (JDK 21+)
        virtualScenario("virtual.channel.echo", () -> onVirtualThread(Probe::channelBlockingEcho));
        virtualScenario("virtual.socket.soTimeout.junk", () -> onVirtualThread(() -> socketTimeout(true)));
        virtualScenario("virtual.socket.interrupt", () -> onVirtualThread(Probe::socketInterrupt));
        virtualScenario("virtual.channel.interrupt", () -> onVirtualThread(Probe::channelInterrupt));
        virtualScenario("virtual.channel.connect", () -> onVirtualThread(Probe::channelConnect));
        virtualScenario("virtual.manySockets", Probe::virtualManySockets);
        // ------------------------------------------------------------- agent-only, explicit tests
        agentOnly("limit.65507", Probe::limit65507);
        agentOnly("unresolved.name", Probe::unresolvedName);
        agentOnly("lifecycle.close", Probe::lifecycleClose);
        agentOnly("lifecycle.gc", Probe::lifecycleGc);
    }

    // ================================================================= main

    public static void main(String[] args) throws Exception {
        String name = args[0];
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--peer":
                    peerPort = Integer.parseInt(args[++i]);
                    break;
                case "--peer2":
                    peer2Port = Integer.parseInt(args[++i]);
                    break;
                case "--junk-self":
                    junkSelf = true;
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        peer = new InetSocketAddress("127.0.0.1", peerPort);
        peer2 = new InetSocketAddress("127.0.0.1", peer2Port);
        peer6 = new InetSocketAddress("::1", peerPort);
        Scenario s = SCENARIOS.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown scenario " + name + "; known: " + SCENARIOS.keySet());
        }
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(45_000);
            } catch (InterruptedException e) {
                return;
            }
            obs("watchdog", "expired");
            dumpThreads();
            System.out.flush();
            Runtime.getRuntime().halt(3);
        }, "probe-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        info("java.version " + System.getProperty("java.version") + " scenario " + name);
        try {
            s.run();
        } catch (Throwable t) {
            obs("uncaught", exc(t));
            t.printStackTrace(System.out);
        }
        System.out.println("END");
        System.out.flush();
        System.exit(0);
    }

    // ================================================================= DatagramSocket scenarios

    private static void socketEcho(int size) throws IOException {
        try (DatagramSocket s = local(new DatagramSocket())) {
            s.setSoTimeout(5000);
            socketRoundTrip(s, pattern(size), peer, "echo");
        }
    }

    /** Sends, receives one datagram into a 65536 buffer at offset 5 and records everything the JDK reports. */
    private static void socketRoundTrip(DatagramSocket s, byte[] data, SocketAddress to, String key) {
        DatagramPacket p = to == null ? new DatagramPacket(data, data.length) : new DatagramPacket(data, data.length, to);
        try {
            s.send(p);
            obs(key + ".sent", "ok");
        } catch (Exception e) {
            obs(key + ".sent", exc(e));
            return;
        }
        // The caller's packet must be left as it was (an agent that swaps buffers must swap them back).
        obs(key + ".packetAfterSend", p.getOffset() + "/" + p.getLength() + "/" + fmt(p.getSocketAddress())
                + "/sameArray=" + (p.getData() == data));
        socketReceive(s, key, 65536);
    }

    private static String socketReceive(DatagramSocket s, String key, int bufferSize) {
        byte[] buf = new byte[bufferSize + 5];
        DatagramPacket r = new DatagramPacket(buf, 5, bufferSize);
        try {
            s.receive(r);
        } catch (Exception e) {
            obs(key + ".received", exc(e));
            return null;
        }
        obs(key + ".received", "from=" + fmt(r.getSocketAddress()) + " addr=" + r.getAddress().getHostAddress()
                + " port=" + portName(r.getPort()) + " offset=" + r.getOffset() + " len=" + r.getLength()
                + " crc=" + crc(buf, r.getOffset(), r.getLength()) + " sameArray=" + (r.getData() == buf));
        return new String(buf, r.getOffset(), r.getLength(), StandardCharsets.ISO_8859_1);
    }

    private static void socketOversize() throws IOException {
        try (DatagramSocket s = local(new DatagramSocket())) {
            s.setSoTimeout(5000);
            socketRoundTrip(s, pattern(10), peer, "first");
            socketRoundTrip(s, pattern(65508), peer, "oversize");
            socketRoundTrip(s, pattern(11), peer, "after");
        }
        try (DatagramChannel ch = local(DatagramChannel.open())) {
            channelRoundTrip(ch, pattern(10), peer, "ch.first");
            try {
                obs("ch.oversize.sent", ch.send(ByteBuffer.wrap(pattern(65508)), peer));
            } catch (Exception e) {
                obs("ch.oversize.sent", exc(e));
            }
            channelRoundTrip(ch, pattern(11), peer, "ch.after");
        }
    }

    private static void socketTruncate() throws IOException {
        try (DatagramSocket s = local(new DatagramSocket())) {
            s.setSoTimeout(5000);
            s.send(new DatagramPacket(ascii("CMD:SIZE 100"), 12, peer));
            byte[] buf = new byte[20];
            java.util.Arrays.fill(buf, (byte) 0x55);
            DatagramPacket r = new DatagramPacket(buf, 3, 10);
            try {
                s.receive(r);
                boolean untouched = true;
                for (int i = 0; i < 20; i++) {
                    if ((i < 3 || i >= 13) && buf[i] != 0x55) {
                        untouched = false;
                    }
                }
                obs("truncated", "from=" + fmt(r.getSocketAddress()) + " offset=" + r.getOffset() + " len="
                        + r.getLength() + " crc=" + crc(buf, 3, 10) + " expectedCrc=" + crc(pattern(100), 0, 10)
                        + " outsideUntouched=" + untouched);
            } catch (Exception e) {
                obs("truncated", exc(e));
            }
            // The packet's length is now 10: the next receive truncates to 10 again, as the JDK does.
            s.send(new DatagramPacket(ascii("CMD:SIZE 30"), 11, peer));
            try {
                s.receive(r);
                obs("truncatedAgain", "len=" + r.getLength() + " crc=" + crc(buf, 3, r.getLength()));
            } catch (Exception e) {
                obs("truncatedAgain", exc(e));
            }
        }
    }

    private static void socketTimeout(boolean junk) throws Exception {
        try (DatagramSocket s = local(new DatagramSocket())) {
            s.setSoTimeout(5000);
            socketRoundTrip(s, ascii("hello"), peer, "first");
            if (junk) {
                startJunk(s.getLocalPort(), datagram -> {
                    s.send(new DatagramPacket(datagram, datagram.length, peer));
                    return socketReceiveText(s);
                });
            }
            s.setSoTimeout((int) TIMEOUT_MS);
            long t0 = System.nanoTime();
            try {
                byte[] buf = new byte[2048];
                DatagramPacket r = new DatagramPacket(buf, buf.length);
                s.receive(r);
                obs("timed.received", "from=" + fmt(r.getSocketAddress()) + " "
                        + new String(buf, 0, r.getLength(), StandardCharsets.ISO_8859_1));
            } catch (Exception e) {
                obs("timed.received", exc(e));
            }
            obsOnTime("timed", t0, TIMEOUT_MS);
            if (junk) {
                awaitJunkEnd();
                s.setSoTimeout(300);
                obs("strayDelivered", drainSocket(s));
            }
            s.setSoTimeout(5000);
            socketRoundTrip(s, ascii("still-works"), peer, "after");
        }
    }

    private static void socketConnect() throws IOException {
        try (DatagramSocket s = local(new DatagramSocket())) {
            s.setSoTimeout(5000);
            obs("before.isConnected", s.isConnected());
            s.connect(peer);
            obs("isConnected", s.isConnected());
            obs("remote", fmt(s.getRemoteSocketAddress()));
            obs("inetAddress", s.getInetAddress().getHostAddress() + " port=" + portName(s.getPort()));
            obs("localPort", portName(s.getLocalPort()));
            socketRoundTrip(s, ascii("no-address"), null, "connectedNoAddress");
            socketRoundTrip(s, ascii("same-address"), peer, "connectedSameAddress");
            socketRoundTrip(s, ascii("CMD:FROM2 STRAY"), null, "filtered");
            try {
                s.send(new DatagramPacket(ascii("x"), 1, peer2));
                obs("sendToOther", "ok");
            } catch (Exception e) {
                obs("sendToOther", exc(e));
            }
            int before = s.getLocalPort();
            s.disconnect();
            obs("after.isConnected", s.isConnected());
            obs("after.remote", fmt(s.getRemoteSocketAddress()));
            obs("after.localPort", portName(s.getLocalPort()));
            socketRoundTrip(s, ascii("to-peer2"), peer2, "afterDisconnect");
            obsPortAfterDisconnect(s.getLocalPort(), before);
        }
    }

    private static void socketAsyncClose() throws Exception {
        DatagramSocket s = local(new DatagramSocket());
        s.setSoTimeout(5000);
        socketRoundTrip(s, ascii("hello"), peer, "first");
        s.setSoTimeout(10_000);
        AtomicReference<String> outcome = new AtomicReference<>("none");
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            started.countDown();
            try {
                s.receive(new DatagramPacket(new byte[100], 100));
                outcome.set("received");
            } catch (Exception e) {
                outcome.set(exc(e));
                info("receiver: " + e);
            }
        }, "receiver");
        t.start();
        started.await();
        Thread.sleep(300);
        long t0 = System.nanoTime();
        s.close();
        t.join(5000);
        obs("receiver.alive", t.isAlive());
        obs("receiver.outcome", outcome.get());
        obsWithin("receiver.ended", t0, 1000);
        obs("isClosed", s.isClosed());
    }

    private static void socketInterrupt() throws Exception {
        DatagramSocket s = local(new DatagramSocket());
        s.setSoTimeout(5000);
        socketRoundTrip(s, ascii("hello"), peer, "first");
        s.setSoTimeout(2000);
        AtomicReference<String> outcome = new AtomicReference<>("none");
        AtomicReference<Boolean> flag = new AtomicReference<>();
        AtomicReference<Long> ended = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Runnable body = () -> {
            started.countDown();
            try {
                s.receive(new DatagramPacket(new byte[100], 100));
                outcome.set("received");
            } catch (Exception e) {
                outcome.set(exc(e));
                info("receiver: " + e);
            }
            ended.set(System.nanoTime());
            flag.set(Thread.currentThread().isInterrupted());
        };
        Thread t = isVirtual() ? startVirtual(body) : new Thread(body, "receiver");
        if (!t.isAlive() && t.getState() == Thread.State.NEW) {
            t.start();
        }
        started.await();
        Thread.sleep(300);
        long t0 = System.nanoTime();
        t.interrupt();
        t.join(5000);
        obs("receiver.outcome", outcome.get());
        long ms = ended.get() == null ? -1 : TimeUnit.NANOSECONDS.toMillis(ended.get() - t0);
        info("receiver ended " + ms + " ms after the interrupt");
        obs("receiver.ended", ms < 0 ? "never" : ms < 1000 ? "promptly" : ms < 2500 ? "atTimeout" : "late");
        obs("receiver.interruptFlag", flag.get());
        obs("isClosed", s.isClosed());
        s.close();
    }

    private static void multicastUnicast() throws Exception {
        try (MulticastSocket s = local(new MulticastSocket(0))) {
            s.setSoTimeout(5000);
            socketRoundTrip(s, pattern(300), peer, "echo");
            Method ttlSend = null;
            try {
                ttlSend = MulticastSocket.class.getMethod("send", DatagramPacket.class, byte.class);
            } catch (NoSuchMethodException e) {
                obs("ttlSend", "absent");
            }
            if (ttlSend != null) {
                byte[] d = ascii("ttl-send");
                DatagramPacket p = new DatagramPacket(d, d.length, peer);
                try {
                    ttlSend.invoke(s, p, (byte) 1);
                    obs("ttlSend.sent", "ok");
                    socketReceive(s, "ttlSend", 65536);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    obs("ttlSend.sent", exc(e.getCause()));
                }
            }
        }
    }

    // ================================================================= DatagramChannel scenarios

    private static void channelRoundTrip(DatagramChannel ch, byte[] data, SocketAddress to, String key) {
        ByteBuffer src = ByteBuffer.wrap(data);
        try {
            int n = ch.send(src, to);
            obs(key + ".sent", n + " srcPos=" + src.position() + " srcLimit=" + src.limit());
        } catch (Exception e) {
            obs(key + ".sent", exc(e));
            return;
        }
        channelReceive(ch, key, ByteBuffer.allocate(65536));
    }

    private static String channelReceive(DatagramChannel ch, String key, ByteBuffer dst) {
        try (Deadline d = new Deadline(ch, 5000)) {
            SocketAddress from = ch.receive(dst);
            obs(key + ".received", "from=" + fmt(from) + " pos=" + dst.position() + " limit=" + dst.limit()
                    + " crc=" + crc(dst.array(), dst.arrayOffset(), dst.position()));
            return new String(dst.array(), dst.arrayOffset(), dst.position(), StandardCharsets.ISO_8859_1);
        } catch (Exception e) {
            obs(key + ".received", exc(e));
            return null;
        }
    }

    private static void channelBlockingEcho() throws IOException {
        try (DatagramChannel ch = local(DatagramChannel.open())) {
            obs("isBlocking", ch.isBlocking());
            channelRoundTrip(ch, pattern(100), peer, "heap");
            ByteBuffer direct = ByteBuffer.allocateDirect(200);
            direct.put(pattern(200)).flip();
            obs("direct.sent", ch.send(direct, peer) + " srcPos=" + direct.position());
            ByteBuffer in = ByteBuffer.allocateDirect(65536);
            try (Deadline d = new Deadline(ch, 5000)) {
                SocketAddress from = ch.receive(in);
                byte[] got = new byte[in.position()];
                in.flip();
                in.get(got);
                obs("direct.received", "from=" + fmt(from) + " len=" + got.length + " crc=" + crc(got, 0, got.length));
            } catch (Exception e) {
                obs("direct.received", exc(e));
            }
            ByteBuffer offset = ByteBuffer.allocate(300);
            offset.position(7);
            ByteBuffer slice = offset.slice();
            slice.put(pattern(50)).flip();
            obs("slice.sent", ch.send(slice, peer));
            ByteBuffer into = ByteBuffer.allocate(100);
            into.position(20);
            channelReceive(ch, "slice", into);
        }
    }

    private static void channelNonBlockingNull() throws IOException, InterruptedException {
        try (DatagramChannel ch = local(DatagramChannel.open())) {
            channelRoundTrip(ch, ascii("hello"), peer, "first");
            ch.configureBlocking(false);
            ByteBuffer buf = ByteBuffer.allocate(100);
            obs("empty.receive", fmt(ch.receive(buf)) + " pos=" + buf.position());
            obs("sent", ch.send(ByteBuffer.wrap(ascii("CMD:DELAY 200")), peer));
            obs("immediately.receive", fmt(ch.receive(buf)) + " pos=" + buf.position());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            SocketAddress from = null;
            while (from == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
                from = ch.receive(buf);
            }
            obs("polled.receive", fmt(from) + " " + text(buf));
            buf.clear();
            obs("afterwards.receive", fmt(ch.receive(buf)) + " pos=" + buf.position());
        }
    }

    private static void channelSelector() throws IOException {
        try (DatagramChannel ch = local(DatagramChannel.open()); Selector sel = Selector.open()) {
            ch.configureBlocking(false);
            SelectionKey key = ch.register(sel, SelectionKey.OP_READ);
            obs("initial.selectNow", sel.selectNow());
            obs("sent", sendNonBlocking(ch, ByteBuffer.wrap(ascii("ping")), peer));
            obs("select", sel.select(5000) + " readable=" + key.isReadable());
            sel.selectedKeys().clear();
            ByteBuffer buf = ByteBuffer.allocate(100);
            obs("receive", fmt(ch.receive(buf)) + " " + text(buf));
            obs("consumed.selectNow", sel.selectNow());
            buf.clear();
            obs("empty.receive", fmt(ch.receive(buf)));
            obs("delayed.sent", ch.send(ByteBuffer.wrap(ascii("CMD:DELAY 300")), peer));
            long t0 = System.nanoTime();
            int n = sel.select(5000);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            info("delayed select took " + ms + " ms");
            obs("delayed.select", n + " readable=" + key.isReadable() + " waited=" + (ms >= 250 ? "yes" : "no"));
            sel.selectedKeys().clear();
            buf.clear();
            obs("delayed.receive", fmt(ch.receive(buf)) + " " + text(buf));
            obs("idle.select200", sel.select(200));
        }
    }

    /**
     * A non-blocking send as a correct program makes it: a send may return 0 (nothing sent, buffer unconsumed: the
     * socket buffer is full, or, with the agent, the socket's first association is still being set up) and is then
     * tried again. Returns the count of the send that went; 0 if none did within 5 s.
     */
    static int sendNonBlocking(DatagramChannel ch, ByteBuffer src, SocketAddress to) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int n;
        while ((n = ch.send(src, to)) == 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
        return n;
    }

    private static void channelSelectorStray() throws Exception {
        try (DatagramChannel ch = local(DatagramChannel.open()); Selector sel = Selector.open()) {
            channelRoundTrip(ch, ascii("hello"), peer, "first");
            ch.configureBlocking(false);
            SelectionKey key = ch.register(sel, SelectionKey.OP_READ);
            List<String> stray = new ArrayList<>();
            ch.send(ByteBuffer.wrap(ascii("CMD:JUNK " + junkPort(ch) + " 12 40")), peer);
            ByteBuffer buf = ByteBuffer.allocate(2048);
            long junkEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(12 * 40 + 300);
            boolean sawJunking = false;
            while (System.nanoTime() < junkEnd) {
                sel.select(50);
                sel.selectedKeys().clear();
                SocketAddress from;
                while (true) {
                    buf.clear();
                    from = ch.receive(buf);
                    if (from == null) {
                        break;
                    }
                    String t = text(buf);
                    if (!sawJunking && t.equals("JUNKING")) {
                        sawJunking = true;
                        obs("junking.from", fmt(from));
                    } else {
                        stray.add(fmt(from) + " " + t);
                    }
                }
            }
            obs("sawJunking", sawJunking);
            obs("strayDelivered", stray);
            obs("final.sent", ch.send(ByteBuffer.wrap(ascii("final")), peer));
            obs("final.select", sel.select(5000) + " readable=" + key.isReadable());
            buf.clear();
            obs("final.receive", fmt(ch.receive(buf)) + " " + text(buf));
        }
    }

    private static void channelConnect() throws IOException {
        try (DatagramChannel ch = local(DatagramChannel.open())) {
            ByteBuffer buf = ByteBuffer.allocate(2048);
            try {
                ch.read(buf);
                obs("unconnected.read", "ok");
            } catch (Exception e) {
                obs("unconnected.read", exc(e));
            }
            ch.connect(peer);
            obs("isConnected", ch.isConnected());
            obs("remote", fmt(ch.getRemoteAddress()));
            obs("socket.isConnected", ch.socket().isConnected() + " remote=" + fmt(ch.socket().getRemoteSocketAddress()));
            obs("write", ch.write(ByteBuffer.wrap(ascii("written"))));
            try (Deadline d = new Deadline(ch, 5000)) {
                buf.clear();
                obs("read", ch.read(buf) + " " + text(buf));
            }
            obs("sendSame", ch.send(ByteBuffer.wrap(ascii("sent-same")), peer));
            try (Deadline d = new Deadline(ch, 5000)) {
                buf.clear();
                obs("receive", fmt(ch.receive(buf)) + " " + text(buf));
            }
            try {
                obs("sendOther", ch.send(ByteBuffer.wrap(ascii("x")), peer2));
            } catch (Exception e) {
                obs("sendOther", exc(e));
            }
            obs("filtered.write", ch.write(ByteBuffer.wrap(ascii("CMD:FROM2 STRAY"))));
            try (Deadline d = new Deadline(ch, 5000)) {
                buf.clear();
                obs("filtered.read", ch.read(buf) + " " + text(buf));
            }
            int before = localPort(ch);
            ch.disconnect();
            obs("after.isConnected", ch.isConnected());
            obs("after.remote", fmt(ch.getRemoteAddress()));
            obs("after.localPort", portName(localPort(ch)));
            try {
                ch.write(ByteBuffer.wrap(ascii("x")));
                obs("after.write", "ok");
            } catch (Exception e) {
                obs("after.write", exc(e));
            }
            channelRoundTrip(ch, ascii("to-peer2"), peer2, "afterDisconnect");
            int now = localPort(ch);
            if (now <= 0) {
                // JDK 8 and 11 report port 0 here although the send bound a new one: ask the peer which.
                seenAs(ch);
            }
            obsPortAfterDisconnect(now, before);
            ch.connect(peer2);
            obs("reconnected.remote", fmt(ch.getRemoteAddress()));
            obs("reconnected.write", ch.write(ByteBuffer.wrap(ascii("again"))));
            try (Deadline d = new Deadline(ch, 5000)) {
                buf.clear();
                obs("reconnected.read", ch.read(buf) + " " + text(buf));
            }
        }
    }

    private static void channelScatterGather() throws IOException {
        try (DatagramChannel ch = local(DatagramChannel.open())) {
            ch.connect(peer);
            ByteBuffer[] out = {ByteBuffer.wrap(ascii("HEAD-")), ByteBuffer.wrap(ascii("BODY-12"))};
            obs("gather.write", ch.write(out) + " pos=" + out[0].position() + "," + out[1].position());
            ByteBuffer[] in = {ByteBuffer.allocate(4), ByteBuffer.allocate(20)};
            try (Deadline d = new Deadline(ch, 5000)) {
                obs("scatter.read", ch.read(in) + " pos=" + in[0].position() + "," + in[1].position() + " "
                        + text(in[0]) + "|" + text(in[1]));
            }
            ByteBuffer[] out2 = {ByteBuffer.wrap(ascii("skip")), ByteBuffer.wrap(ascii("only-")),
                    ByteBuffer.wrap(ascii("these")), ByteBuffer.wrap(ascii("skip"))};
            obs("gatherOffset.write", ch.write(out2, 1, 2));
            ByteBuffer[] in2 = {ByteBuffer.allocate(3), ByteBuffer.allocate(3), ByteBuffer.allocate(3),
                    ByteBuffer.allocate(30)};
            try (Deadline d = new Deadline(ch, 5000)) {
                obs("scatterOffset.read", ch.read(in2, 1, 2) + " pos=" + in2[0].position() + "," + in2[1].position()
                        + "," + in2[2].position() + "," + in2[3].position() + " " + text(in2[1]) + "|" + text(in2[2]));
            }
            ByteBuffer[] direct = {ByteBuffer.allocateDirect(6), ByteBuffer.allocateDirect(6)};
            direct[0].put(ascii("direct")).flip();
            direct[1].put(ascii("gather")).flip();
            obs("directGather.write", ch.write(direct));
            ByteBuffer[] din = {ByteBuffer.allocateDirect(5), ByteBuffer.allocateDirect(10)};
            try (Deadline d = new Deadline(ch, 5000)) {
                obs("directScatter.read", ch.read(din) + " pos=" + din[0].position() + "," + din[1].position());
            }
        }
    }

    private static void channelTruncate() throws IOException {
        try (DatagramChannel ch = local(DatagramChannel.open())) {
            ch.send(ByteBuffer.wrap(ascii("CMD:SIZE 100")), peer);
            ByteBuffer small = ByteBuffer.allocate(10);
            channelReceive(ch, "heapTruncated", small);
            obs("expectedCrc", crc(pattern(100), 0, 10));
            ch.send(ByteBuffer.wrap(ascii("CMD:SIZE 100")), peer);
            ByteBuffer direct = ByteBuffer.allocateDirect(10);
            try (Deadline d = new Deadline(ch, 5000)) {
                SocketAddress from = ch.receive(direct);
                byte[] got = new byte[direct.position()];
                direct.flip();
                direct.get(got);
                obs("directTruncated", "from=" + fmt(from) + " len=" + got.length + " crc=" + crc(got, 0, got.length));
            }
            ch.connect(peer);
            ch.write(ByteBuffer.wrap(ascii("CMD:SIZE 100")));
            ByteBuffer r = ByteBuffer.allocate(10);
            try (Deadline d = new Deadline(ch, 5000)) {
                obs("connectedTruncated.read", ch.read(r) + " crc=" + crc(r.array(), 0, r.position()));
            }
            ch.write(ByteBuffer.wrap(ascii("CMD:SIZE 3")));
            ByteBuffer big = ByteBuffer.allocate(10);
            try (Deadline d = new Deadline(ch, 5000)) {
                obs("short.read", ch.read(big) + " crc=" + crc(big.array(), 0, big.position()));
            }
        }
    }

    private static void channelAdaptor() throws IOException {
        try (DatagramChannel ch = local(DatagramChannel.open())) {
            DatagramSocket a = ch.socket();
            obs("adaptor.localPort", portName(a.getLocalPort()));
            a.setSoTimeout(5000);
            socketRoundTrip(a, pattern(500), peer, "adaptor");
            a.setSoTimeout((int) TIMEOUT_MS);
            long t0 = System.nanoTime();
            try {
                a.receive(new DatagramPacket(new byte[10], 10));
                obs("adaptor.timed", "received");
            } catch (Exception e) {
                obs("adaptor.timed", exc(e));
            }
            obsOnTime("adaptor.timed", t0, TIMEOUT_MS);
            a.connect(peer);
            obs("adaptor.connected", a.isConnected() + " remote=" + fmt(a.getRemoteSocketAddress())
                    + " channelConnected=" + ch.isConnected() + " channelRemote=" + fmt(ch.getRemoteAddress()));
            a.setSoTimeout(5000);
            socketRoundTrip(a, ascii("connected-adaptor"), null, "adaptorConnected");
            a.disconnect();
            obs("adaptor.disconnected", a.isConnected() + " channelConnected=" + ch.isConnected());
        }
    }

    private static void channelAdaptorTimeoutJunk() throws Exception {
        try (DatagramChannel ch = local(DatagramChannel.open())) {
            DatagramSocket a = ch.socket();
            a.setSoTimeout(5000);
            socketRoundTrip(a, ascii("hello"), peer, "first");
            startJunk(a.getLocalPort(), datagram -> {
                a.send(new DatagramPacket(datagram, datagram.length, peer));
                return socketReceiveText(a);
            });
            a.setSoTimeout((int) TIMEOUT_MS);
            long t0 = System.nanoTime();
            try {
                a.receive(new DatagramPacket(new byte[100], 100));
                obs("timed", "received");
            } catch (Exception e) {
                obs("timed", exc(e));
            }
            obsOnTime("timed", t0, TIMEOUT_MS);
            awaitJunkEnd();
            a.setSoTimeout(300);
            obs("strayDelivered", drainSocket(a));
        }
    }

    private static void channelInterrupt() throws Exception {
        DatagramChannel ch = local(DatagramChannel.open());
        channelRoundTrip(ch, ascii("hello"), peer, "first");
        blockAndDisturb(ch, true);
    }

    private static void channelAsyncClose() throws Exception {
        DatagramChannel ch = local(DatagramChannel.open());
        channelRoundTrip(ch, ascii("hello"), peer, "first");
        blockAndDisturb(ch, false);
    }

    /** A thread blocks in receive; then it is interrupted, or the channel is closed from here. */
    private static void blockAndDisturb(DatagramChannel ch, boolean interrupt) throws Exception {
        AtomicReference<String> outcome = new AtomicReference<>("none");
        AtomicReference<Boolean> flag = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Runnable body = () -> {
            started.countDown();
            try {
                SocketAddress from = ch.receive(ByteBuffer.allocate(100));
                outcome.set("received from " + fmt(from));
            } catch (Exception e) {
                outcome.set(exc(e));
                info("receiver: " + e);
            }
            flag.set(Thread.currentThread().isInterrupted());
        };
        Thread t = isVirtual() ? startVirtual(body) : new Thread(body, "receiver");
        if (t.getState() == Thread.State.NEW) {
            t.start();
        }
        started.await();
        Thread.sleep(300);
        if (interrupt) {
            t.interrupt();
        } else {
            ch.close();
        }
        t.join(5000);
        if (t.isAlive()) {
            obs("receiver.alive", true);
            ch.close();
            t.join(5000);
        }
        obs("receiver.outcome", outcome.get());
        obs("receiver.interruptFlag", flag.get());
        obs("isOpen", ch.isOpen());
        ch.close();
    }

    // ================================================================= association set-up through a slow proxy

    /**
     * What the first send of a socket must not do while the association is set up (the agent run goes through a
     * proxy whose reply takes about a second): hold up close(), ignore an interrupt, block a non-blocking channel, or
     * lose concurrent senders. Outcomes the JDK itself allows either way (a send that completed before the close, or
     * one the close or interrupt ended) print as one verdict.
     */
    private static void slowSetupChannel() throws Exception {
        // close() while a blocking send waits for the set-up: close returns at once, the sender ends at once.
        DatagramChannel closing = local(DatagramChannel.open());
        Disturbed c = disturbSend(() -> closing.send(ByteBuffer.wrap(ascii("close-me")), peer), closing::close, false);
        obs("close.returned", c.disturbMs < 250 ? "promptly" : "late");
        obs("close.senderEnded", c.endedMs < 250 ? "promptly" : "late");
        obs("close.sender", c.outcome.equals("sent")
                || c.outcome.equals("exception:java.nio.channels.AsynchronousCloseException") ? "sentOrClosed" : c.outcome);
        obs("close.isOpen", closing.isOpen());
        // An interrupt while a blocking send waits: as the JDK's blocking channel operations, or sent before it.
        DatagramChannel interrupted = local(DatagramChannel.open());
        Disturbed i = disturbSend(() -> interrupted.send(ByteBuffer.wrap(ascii("interrupt-me")), peer), null, true);
        boolean legal = (i.outcome.equals("sent") && interrupted.isOpen()) || (!interrupted.isOpen()
                && i.outcome.equals("exception:java.nio.channels.ClosedByInterruptException"));
        obs("interrupt.sender", legal ? "sentOrClosedByInterrupt" : i.outcome + " isOpen=" + interrupted.isOpen());
        obs("interrupt.senderEnded", i.endedMs < 250 ? "promptly" : "late");
        obs("interrupt.flagSeen", i.interruptSeen);
        interrupted.close();
        // A non-blocking send never blocks: it sends all or nothing (0, payload unconsumed), as with a full buffer.
        try (DatagramChannel ch = local(DatagramChannel.open()); Selector selector = Selector.open()) {
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_WRITE);
            ByteBuffer src = ByteBuffer.wrap(ascii("non-blocking"));
            long longestMs = 0;
            boolean allOrNothing = true;
            int n = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            while (n == 0 && System.nanoTime() < deadline) {
                selector.select(100);
                selector.selectedKeys().clear();
                long t0 = System.nanoTime();
                n = ch.send(src, peer);
                longestMs = Math.max(longestMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                if (n == 0) {
                    allOrNothing &= src.position() == 0;
                    Thread.sleep(5); // an event loop would spin on OP_WRITE here; the probe spares the machine
                } else {
                    allOrNothing &= n == 12 && src.position() == 12;
                }
            }
            info("non-blocking: longest send call " + longestMs + " ms");
            obs("nonBlocking.neverBlocked", longestMs < 100);
            obs("nonBlocking.allOrNothing", allOrNothing);
            obs("nonBlocking.sent", n);
            ch.register(selector, SelectionKey.OP_READ);
            obs("nonBlocking.echo", receiveWithin(ch, selector, 5000));
        }
        concurrentFirstSends(true);
    }

    /** As {@link #slowSetupChannel} for a DatagramSocket (the legacy implementation where the JDK uses it). */
    private static void slowSetupSocket() throws Exception {
        DatagramSocket closing = local(new DatagramSocket());
        Disturbed c = disturbSend(() -> {
            closing.send(new DatagramPacket(ascii("close-me"), 8, peer));
            return 8;
        }, closing::close, false);
        obs("close.returned", c.disturbMs < 250 ? "promptly" : "late");
        obs("close.senderEnded", c.endedMs < 250 ? "promptly" : "late");
        obs("close.sender", c.outcome.equals("sent") || c.outcome.equals("exception:java.net.SocketException")
                ? "sentOrClosed" : c.outcome);
        obs("close.isClosed", closing.isClosed());
        concurrentFirstSends(false);
    }

    private interface Send {
        int send() throws IOException;
    }

    private interface Disturbance {
        void disturb() throws IOException;
    }

    private static final class Disturbed {
        String outcome = "none";
        long disturbMs;
        long endedMs = -1;
        boolean interruptSeen;
    }

    /**
     * Starts a thread whose first send goes out now; 300 ms later disturbs it ({@code disturbance}, or an interrupt of
     * the sender): how long the disturbance took, and when (after it) the sender ended and how.
     */
    private static Disturbed disturbSend(Send send, Disturbance disturbance, boolean interrupt) throws Exception {
        Disturbed d = new Disturbed();
        AtomicReference<Long> ended = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            started.countDown();
            try {
                send.send();
                d.outcome = "sent";
            } catch (Exception e) {
                d.outcome = exc(e);
                info("sender: " + e);
            }
            ended.set(System.nanoTime());
            if (interrupt) {
                try {
                    if (!Thread.currentThread().isInterrupted()) {
                        Thread.sleep(3000); // sent before the interrupt: wait for it
                    }
                    d.interruptSeen = Thread.currentThread().isInterrupted();
                } catch (InterruptedException e) {
                    d.interruptSeen = true;
                }
            }
        }, "first-sender");
        t.start();
        started.await();
        Thread.sleep(300);
        long t0 = System.nanoTime();
        if (interrupt) {
            t.interrupt();
        } else {
            disturbance.disturb();
        }
        d.disturbMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        t.join(5000);
        if (ended.get() != null) {
            d.endedMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(ended.get() - t0));
        }
        info("disturbed after 300 ms: took " + d.disturbMs + " ms, sender ended " + d.endedMs + " ms after: " + d.outcome);
        return d;
    }

    /** Four threads make the first sends of a fresh socket at once: all go out, and all four echoes come back. */
    private static void concurrentFirstSends(boolean channel) throws Exception {
        DatagramChannel ch = channel ? local(DatagramChannel.open()) : null;
        DatagramSocket s = channel ? null : local(new DatagramSocket());
        List<Thread> senders = new ArrayList<>();
        AtomicInteger sent = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        for (int i = 0; i < 4; i++) {
            byte[] d = ascii("first-" + i);
            senders.add(new Thread(() -> {
                try {
                    go.await();
                    if (ch != null) {
                        ch.send(ByteBuffer.wrap(d), peer);
                    } else {
                        s.send(new DatagramPacket(d, d.length, peer));
                    }
                    sent.incrementAndGet();
                } catch (Exception e) {
                    info("concurrent sender: " + e);
                }
            }));
        }
        senders.forEach(Thread::start);
        go.countDown();
        for (Thread t : senders) {
            t.join(10_000);
        }
        obs("concurrent.sent", sent.get());
        Set<String> echoes = new TreeSet<>();
        if (ch != null) {
            ch.configureBlocking(false);
            try (Selector selector = Selector.open()) {
                ch.register(selector, SelectionKey.OP_READ);
                for (int i = 0; i < 4; i++) {
                    echoes.add(receiveWithin(ch, selector, 3000));
                }
            }
            ch.close();
        } else {
            s.setSoTimeout(3000);
            for (int i = 0; i < 4; i++) {
                echoes.add(socketEchoText(s));
            }
            s.close();
        }
        obs("concurrent.echoes", echoes);
    }

    private static String receiveWithin(DatagramChannel ch, Selector selector, long ms) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        ByteBuffer b = ByteBuffer.allocate(100);
        while (System.nanoTime() < deadline) {
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            selector.selectedKeys().clear();
            SocketAddress from = ch.receive(b);
            if (from != null) {
                return "from=" + fmt(from) + " text=" + text(b);
            }
        }
        return "nothing";
    }

    private static String socketEchoText(DatagramSocket s) {
        DatagramPacket p = new DatagramPacket(new byte[100], 100);
        try {
            s.receive(p);
            return "from=" + fmt(p.getSocketAddress()) + " text="
                    + new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return exc(e);
        }
    }

    // ================================================================= concurrency

    private static void concurrent(boolean channel) throws Exception {
        int senders = 4;
        int perSender = 25;
        int total = senders * perSender;
        DatagramChannel ch = channel ? local(DatagramChannel.open()) : null;
        DatagramSocket s = channel ? null : local(new DatagramSocket());
        if (s != null) {
            s.setSoTimeout(5000);
        }
        Set<String> got = ConcurrentHashMap.newKeySet();
        Set<String> sources = ConcurrentHashMap.newKeySet();
        AtomicInteger received = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        for (int r = 0; r < 2; r++) {
            threads.add(new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocate(2048);
                byte[] arr = new byte[2048];
                while (received.get() < total && done.getCount() > 0) {
                    try {
                        String text;
                        SocketAddress from;
                        if (ch != null) {
                            buf.clear();
                            from = ch.receive(buf);
                            text = text(buf);
                        } else {
                            DatagramPacket p = new DatagramPacket(arr, arr.length);
                            s.receive(p);
                            from = p.getSocketAddress();
                            text = new String(arr, 0, p.getLength(), StandardCharsets.ISO_8859_1);
                        }
                        sources.add(fmt(from));
                        got.add(text);
                        if (received.incrementAndGet() >= total) {
                            done.countDown();
                        }
                    } catch (Exception e) {
                        if (done.getCount() > 0) {
                            info("receiver: " + e);
                        }
                        return;
                    }
                }
            }, "receiver-" + r));
        }
        for (int i = 0; i < senders; i++) {
            int id = i;
            threads.add(new Thread(() -> {
                for (int j = 0; j < perSender; j++) {
                    byte[] d = ascii("s" + id + "-" + j);
                    try {
                        if (ch != null) {
                            ch.send(ByteBuffer.wrap(d), peer);
                        } else {
                            s.send(new DatagramPacket(d, d.length, peer));
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        info("sender: " + e);
                    }
                    if (j % 5 == 4) {
                        sleepQuietly(2);
                    }
                }
            }, "sender-" + i));
        }
        threads.forEach(Thread::start);
        done.await(15, TimeUnit.SECONDS);
        done.countDown();
        Set<String> missing = new TreeSet<>();
        for (int i = 0; i < senders; i++) {
            for (int j = 0; j < perSender; j++) {
                if (!got.contains("s" + i + "-" + j)) {
                    missing.add("s" + i + "-" + j);
                }
            }
        }
        obs("sendErrors", errors.get());
        obs("received", Math.min(received.get(), total) + "/" + total);
        obs("missing", missing);
        obs("sources", new TreeSet<>(sources));
        if (ch != null) {
            ch.close();
        } else {
            s.close();
        }
        for (Thread t : threads) {
            t.join(5000);
        }
    }

    // ================================================================= IPv6

    private static void ipv6SocketEcho() throws IOException {
        try (DatagramSocket s = local(new DatagramSocket())) {
            s.setSoTimeout(5000);
            socketRoundTrip(s, pattern(700), peer6, "v6");
            socketRoundTrip(s, pattern(70), peer, "v4");
        }
    }

    private static void ipv6Channel() throws IOException {
        try (DatagramChannel ch = local(DatagramChannel.open(StandardProtocolFamily.INET6))) {
            channelRoundTrip(ch, pattern(900), peer6, "v6");
            channelRoundTrip(ch, pattern(90), peer, "v4");
            ch.connect(peer6);
            obs("connected.remote", fmt(ch.getRemoteAddress()));
            obs("write", ch.write(ByteBuffer.wrap(ascii("v6-connected"))));
            ByteBuffer buf = ByteBuffer.allocate(100);
            try (Deadline d = new Deadline(ch, 5000)) {
                obs("read", ch.read(buf) + " " + text(buf));
            }
        }
    }

    // ================================================================= virtual threads

    private static void onVirtualThread(Scenario s) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = startVirtual(() -> {
            try {
                obs("isVirtual", isVirtual());
                s.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join(40_000);
        if (failure.get() != null) {
            obs("virtual.uncaught", exc(failure.get()));
            failure.get().printStackTrace(System.out);
        }
    }

    private static void virtualManySockets() throws Exception {
        int n = 20;
        AtomicInteger ok = new AtomicInteger();
        Set<String> sources = ConcurrentHashMap.newKeySet();
        Set<String> failures = ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = i;
            threads.add(startVirtual(() -> {
                try (DatagramSocket s = local(new DatagramSocket())) {
                    s.setSoTimeout(5000);
                    for (int j = 0; j < 3; j++) {
                        byte[] d = ascii("v" + id + "-" + j);
                        s.send(new DatagramPacket(d, d.length, peer));
                        byte[] buf = new byte[100];
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        s.receive(p);
                        sources.add(fmt(p.getSocketAddress()));
                        if (new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1).equals("v" + id + "-" + j)) {
                            ok.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    failures.add(exc(e));
                    info("virtual " + id + ": " + e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join(30_000);
        }
        obs("ok", ok.get() + "/" + (n * 3));
        obs("sources", new TreeSet<>(sources));
        obs("failures", new TreeSet<>(failures));
    }

    static boolean isVirtual() {
        try {
            return (Boolean) Thread.class.getMethod("isVirtual").invoke(Thread.currentThread());
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    static Thread startVirtual(Runnable r) {
        try {
            return (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("virtual threads need JDK 21+, this is " + System.getProperty("java.version"), e);
        }
    }

    // ================================================================= agent-only scenarios

    /** 65507 bytes: the IPv4 maximum; with a 10-byte SOCKS header it no longer fits. */
    private static void limit65507() throws IOException {
        try (DatagramSocket s = local(new DatagramSocket())) {
            s.setSoTimeout(5000);
            socketRoundTrip(s, pattern(10), peer, "first");
            socketRoundTrip(s, pattern(65507), peer, "socket65507");
            socketRoundTrip(s, pattern(65508), peer, "socket65508");
        }
        try (DatagramChannel ch = local(DatagramChannel.open())) {
            channelRoundTrip(ch, pattern(10), peer, "ch.first");
            channelRoundTrip(ch, pattern(65507), peer, "channel65507");
            try {
                obs("channel65508.sent", ch.send(ByteBuffer.wrap(pattern(65508)), peer));
            } catch (Exception e) {
                obs("channel65508.sent", exc(e));
            }
        }
    }

    private static void unresolvedName() throws IOException {
        InetSocketAddress name = InetSocketAddress.createUnresolved(PEER_NAME, peerPort);
        try (DatagramChannel ch = local(DatagramChannel.open())) {
            channelRoundTrip(ch, ascii("first"), peer, "first");
            channelRoundTrip(ch, ascii("by-name"), name, "send");
            try {
                ch.connect(name);
                obs("connect", "ok remote=" + fmt(ch.getRemoteAddress()));
                obs("write", ch.write(ByteBuffer.wrap(ascii("connected-by-name"))));
                ByteBuffer buf = ByteBuffer.allocate(100);
                try (Deadline d = new Deadline(ch, 5000)) {
                    obs("read", ch.read(buf) + " " + text(buf));
                }
            } catch (Exception e) {
                obs("connect", exc(e));
            }
        }
    }

    private static void lifecycleClose() throws Exception {
        DatagramSocket s = local(new DatagramSocket());
        s.setSoTimeout(5000);
        socketRoundTrip(s, ascii("hello"), peer, "first");
        s.close();
        System.out.println("CLOSED");
        System.out.flush();
        Thread.sleep(8000);
    }

    private static void lifecycleGc() throws Exception {
        dropWithoutClose();
        System.out.println("DROPPED");
        System.out.flush();
        for (int i = 0; i < 60; i++) {
            System.gc();
            Thread.sleep(200);
        }
    }

    private static void dropWithoutClose() {
        try {
            DatagramSocket s = local(new DatagramSocket());
            s.setSoTimeout(5000);
            socketRoundTrip(s, ascii("hello"), peer, "first");
        } catch (IOException e) {
            obs("open", exc(e));
        }
    }

    // ================================================================= junk

    private interface Exchange {
        String run(byte[] datagram) throws IOException;
    }

    private static long junkEndsAt;

    /** Asks the peer for 30 junk datagrams every 50 ms, at this socket with --junk-self, else at its sink. */
    private static void startJunk(int localPort, Exchange exchange) throws IOException {
        int target = junkSelf ? localPort : 0;
        String reply = exchange.run(ascii("CMD:JUNK " + target + " 30 50"));
        junkEndsAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30 * 50 + 200);
        obs("junk.started", reply);
    }

    private static int junkPort(DatagramChannel ch) throws IOException {
        return junkSelf ? ((InetSocketAddress) ch.getLocalAddress()).getPort() : 0;
    }

    private static void awaitJunkEnd() throws InterruptedException {
        long left = junkEndsAt - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** Receives until a timeout; the JUNKING reply is skipped, everything else is reported as delivered. */
    private static String socketReceiveText(DatagramSocket s) throws IOException {
        byte[] buf = new byte[2048];
        while (true) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            String t = new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1);
            if (t.equals("JUNKING")) {
                return "from=" + fmt(p.getSocketAddress()) + " " + t;
            }
            obs("strayWhileWaitingForReply", fmt(p.getSocketAddress()) + " " + t);
        }
    }

    private static List<String> drainSocket(DatagramSocket s) {
        List<String> delivered = new ArrayList<>();
        byte[] buf = new byte[2048];
        while (true) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (IOException e) {
                return delivered;
            }
            delivered.add(fmt(p.getSocketAddress()) + " " + new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1));
        }
    }

    // ================================================================= helpers

    /** Closes a channel if an operation takes longer than the limit, so that no scenario can block forever. */
    private static final class Deadline implements AutoCloseable {
        private final Thread thread;

        Deadline(java.io.Closeable target, long ms) {
            thread = new Thread(() -> {
                try {
                    Thread.sleep(ms);
                    info("deadline of " + ms + " ms expired: closing");
                    target.close();
                } catch (InterruptedException | IOException e) {
                    // cancelled
                }
            }, "deadline");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            thread.interrupt();
        }
    }

    static <T extends DatagramSocket> T local(T s) {
        LOCALS.add(s.getLocalPort());
        System.out.println("LOCAL " + s.getLocalPort());
        return s;
    }

    static DatagramChannel local(DatagramChannel ch) throws IOException {
        if (ch.getLocalAddress() == null) {
            ch.bind(null);
        }
        int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
        LOCALS.add(port);
        System.out.println("LOCAL " + port);
        return ch;
    }

    /**
     * Asks the peer where this channel's datagrams come from and prints {@code SEENAS <port>}: the test counts it as
     * one of the probe's own ports in a direct run, and requires a relay's port in a proxied one. Not an observation.
     */
    private static void seenAs(DatagramChannel ch) throws IOException {
        ch.send(ByteBuffer.wrap(ascii("CMD:WHOAMI")), peer);
        ByteBuffer buf = ByteBuffer.allocate(100);
        try (Deadline d = new Deadline(ch, 5000)) {
            ch.receive(buf);
        }
        String reply = text(buf);
        info("whoami: " + reply);
        if (reply.startsWith("YOU ")) {
            System.out.println("SEENAS " + reply.substring(reply.lastIndexOf(':') + 1));
        }
    }

    private static int localPort(DatagramChannel ch) throws IOException {
        SocketAddress a = ch.getLocalAddress();
        return a == null ? -1 : ((InetSocketAddress) a).getPort();
    }

    /**
     * After {@code disconnect()} and a send: whether the socket still has its port. Linux unbinds a disconnected UDP
     * socket whose port the kernel chose; JDK 17+ binds it again to the same port, JDK 8 and 11 do not, so their next
     * send goes out from a new ephemeral port (then also one of the probe's own, for the far-side check).
     */
    private static void obsPortAfterDisconnect(int now, int before) {
        if (now > 0 && LOCALS.add(now)) {
            System.out.println("LOCAL " + now);
        }
        obs("afterDisconnect.samePort", now == before);
    }

    static synchronized void obs(String key, Object value) {
        System.out.println("OBS " + key + "=" + value);
    }

    static synchronized void info(String text) {
        System.out.println("INFO " + text);
    }

    private static void obsOnTime(String key, long t0, long expectedMs) {
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        info(key + " took " + ms + " ms (expected " + expectedMs + ")");
        obs(key + ".onTime", ms >= expectedMs - 20 && ms <= expectedMs + LATE_MS ? "yes" : ms < expectedMs ? "early" : "late");
    }

    private static void obsWithin(String key, long t0, long maxMs) {
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        info(key + " after " + ms + " ms");
        obs(key + ".promptly", ms <= maxMs);
    }

    static String exc(Throwable t) {
        return "exception:" + t.getClass().getName();
    }

    static String portName(int port) {
        if (port == peerPort) {
            return "PEER";
        }
        if (port == peer2Port) {
            return "PEER2";
        }
        if (LOCALS.contains(port)) {
            return "LOCAL";
        }
        return String.valueOf(port);
    }

    /** Normalized address: host as the JDK reports it, port named. */
    static String fmt(SocketAddress a) {
        if (a == null) {
            return "null";
        }
        if (!(a instanceof InetSocketAddress)) {
            return a.getClass().getName();
        }
        InetSocketAddress i = (InetSocketAddress) a;
        String host = i.isUnresolved() ? "unresolved(" + i.getHostString() + ")" : i.getAddress().getHostAddress();
        return host + ":" + portName(i.getPort());
    }

    /** Raw address for the peer's log: ip:port, IPv6 in brackets. */
    static String raw(SocketAddress a) {
        InetSocketAddress i = (InetSocketAddress) a;
        String host = i.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + i.getPort();
    }

    static byte[] pattern(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The buffer's content from 0 to position (does not change the buffer). */
    static String text(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        d.flip();
        byte[] a = new byte[d.remaining()];
        d.get(a);
        return new String(a, StandardCharsets.ISO_8859_1);
    }

    static String crc(byte[] b, int off, int len) {
        CRC32 c = new CRC32();
        c.update(b, off, len);
        return Long.toHexString(c.getValue());
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void dumpThreads() {
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            System.out.println("INFO thread " + e.getKey().getName() + " " + e.getKey().getState());
            for (StackTraceElement el : e.getValue()) {
                System.out.println("INFO     at " + el);
            }
        }
    }
}
