package io.socksudp.it;

import static io.socksudp.it.support.Checks.check;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.socksudp.it.app.FakeNettyApp;
import io.socksudp.it.app.NettyNativeEchoClient;
import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Cli;
import io.socksudp.it.support.Dante;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.Diagnosable;
import io.socksudp.it.support.Jdks;
import io.socksudp.it.support.Jdks.Jdk;
import io.socksudp.it.support.SlowFront;
import io.socksudp.it.support.TestEnv;

/**
 * Netty's native transports send from native code on their own socket, where the agent's JDK strategies never see
 * them. Epoll (Netty 4.1 and 4.2) and io_uring (Netty 4.2, and 4.1's incubator) are tunnelled: real, unmodified
 * programs, with the agent and a real SOCKS5 server (danted, the reference relay), unconnected and connected, get
 * every echo with the server as sender, and the far side (the echo server) sees the datagrams come from the proxy,
 * never from the client's own port; so do Netty's batching paths (a multi-message flush, sent with sendmmsg on epoll,
 * as one submission queue entry per message on io_uring; a SegmentedDatagramPacket, UDP GSO; a channel reading with
 * recvmmsg, or io_uring's linked recvmsg entries, with payloads as large as their slots; UDP_GRO on epoll). A meta-test shows the far-side check
 * catches a datagram that leaves directly, on both transports; the fake-layout library covers a layout the agent does
 * not know (refused at construction) and a shaded kqueue-like copy (refused per write and connect).
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NettyNativeIT {

    /** A datagram sent directly would have reached the echo server on loopback well within this. */
    private static final Duration SETTLE = Duration.ofMillis(500);
    private static final String REFUSED = "socksudp does not tunnel Netty's ";
    /** On io_uring a multi-message flush is one IORING_OP_SENDMSG entry per message; it has no UDP_GRO option. */
    private static final Set<Mode> IO_URING_MODES = Set.of(Mode.SENDMMSG, Mode.RECVMMSG, Mode.SEGMENTED,
            Mode.ASSOCIATE_FULL, Mode.ASSOCIATE_PORT);
    /**
     * The incubator is 4.2's io_uring under other names, through the same hooks: its batching once each, and off the
     * test JDK only on JDK 8, the reason it exists (Netty 4.2's io_uring needs 9+).
     */
    private static final Set<Mode> INCUBATOR_MODES = Set.of(Mode.SENDMMSG, Mode.RECVMMSG, Mode.SEGMENTED);

    enum Stack {
        NETTY41_EPOLL("4.1", "epoll", "epoll"),
        NETTY42_EPOLL("4.2", "epoll", "epoll"),
        NETTY42_IO_URING("4.2", "io_uring", "io_uring"),
        /** Netty 4.1's incubator io_uring (0.0.26, in the 4.1 libs): Java 8 class files. */
        NETTY41_INCUBATOR_IO_URING("4.1", "incubator_io_uring", "incubator io_uring");

        final String netty;
        final String transport;
        final String described;

        Stack(String netty, String transport, String described) {
            this.netty = netty;
            this.transport = transport;
            this.described = described;
        }

        Path libs() {
            return netty.equals("4.1") ? TestEnv.netty41NativeLibs() : TestEnv.netty42NativeLibs();
        }

        /** Netty 4.2's io_uring classes are Java 9 class files (its epoll and core run on 8). */
        boolean runsOn(Jdk jdk) {
            return this != NETTY42_IO_URING || jdk.feature() >= 9;
        }

        @Override
        public String toString() {
            return "Netty " + netty + " " + transport;
        }
    }

    private Dante dante;
    private ReferenceRelay relay;
    private EchoServer echo;

    @BeforeAll
    void startFixtures() {
        dante = Dante.start();
        relay = Demos.startReferenceRelay();
        echo = Demos.startEchoServer(false);
    }

    @AfterAll
    void stopFixtures() {
        for (AutoCloseable c : new AutoCloseable[] {echo, relay, dante}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    /** How a tunnelled case exercises Netty: plain writes, or one of its batching paths. */
    enum Mode {
        PLAIN(),
        /** All written, one flush: more than one message in the outbound buffer, so epoll uses sendmmsg. */
        SENDMMSG("--batch", "--count", "8"),
        /** MAX_DATAGRAM_PAYLOAD_SIZE 512 and 512-byte payloads: recvmmsg would cut them short by their header. */
        RECVMMSG("--recvmmsg", "512", "--size", "512", "--count", "4"),
        /** One SegmentedDatagramPacket of 4 segments of 200 bytes: UDP GSO (a header per segment). */
        SEGMENTED("--segmented", "--size", "200", "--count", "4"),
        /** UDP_GRO on: epoll reads with recvmsg even when connected, and may receive coalesced segments. */
        GRO("--gro", "--count", "4"),
        /**
         * socksudp.associate=full: the request names the socket's local address and port, which danted enforces (the
         * channel bound to 127.0.0.1: a wildcard would be named as it is, which danted refuses); relayHost too.
         */
        ASSOCIATE_FULL(new String[] {"socksudp.associate", "full", "socksudp.relayHost", "127.0.0.1"}, true),
        /** socksudp.associate=port: a connected channel's port, bound by the agent before Netty's connect. */
        ASSOCIATE_PORT(new String[] {"socksudp.associate", "port"}, true);

        final String[] args;
        final String[] sysProps;

        Mode(String... args) {
            this.args = args;
            this.sysProps = new String[0];
        }

        Mode(String[] sysProps, boolean properties) {
            this.args = new String[0];
            this.sysProps = sysProps;
        }

        int count() {
            for (int i = 0; i < args.length - 1; i++) {
                if (args[i].equals("--count")) {
                    return Integer.parseInt(args[i + 1]);
                }
            }
            return 3;
        }
    }

    static Stream<Arguments> tunnelledCases() {
        List<Arguments> cases = new ArrayList<>();
        boolean first = true;
        for (Jdk jdk : Jdks.installs()) {
            for (Stack stack : Stack.values()) {
                if (!stack.runsOn(jdk)) {
                    System.out.println("NETTY-NATIVE " + jdk + " " + stack + ": NOT APPLICABLE: Netty 4.2's io_uring"
                            + " classes need Java 9+");
                    continue;
                }
                for (boolean connected : new boolean[] {false, true}) {
                    for (String via : new String[] {"dante", "relay"}) {
                        // Everything on the test JDK; elsewhere each stack both ways, one server each (connected
                        // through danted for 4.1, through the reference relay for 4.2), to keep the suite's time.
                        boolean elsewhere = stack != Stack.NETTY41_INCUBATOR_IO_URING || jdk.feature() == 8;
                        if (first || elsewhere && via.equals("dante") == (connected == (stack == Stack.NETTY41_EPOLL))) {
                            cases.add(Arguments.of(jdk, stack, connected, via, Mode.PLAIN));
                        }
                    }
                }
                if (first) {
                    List<Arguments> modes = List.of(Arguments.of(jdk, stack, false, "relay", Mode.SENDMMSG),
                            Arguments.of(jdk, stack, true, "dante", Mode.SENDMMSG),
                            Arguments.of(jdk, stack, false, "dante", Mode.RECVMMSG),
                            Arguments.of(jdk, stack, true, "relay", Mode.RECVMMSG),
                            Arguments.of(jdk, stack, false, "relay", Mode.SEGMENTED),
                            Arguments.of(jdk, stack, true, "relay", Mode.GRO),
                            Arguments.of(jdk, stack, false, "dante", Mode.ASSOCIATE_FULL),
                            Arguments.of(jdk, stack, true, "dante", Mode.ASSOCIATE_PORT));
                    for (Arguments a : modes) {
                        boolean connected = (Boolean) a.get()[2];
                        Mode mode = (Mode) a.get()[4];
                        boolean runs = switch (stack) {
                            case NETTY42_IO_URING -> IO_URING_MODES.contains(mode);
                            // the connected flush (sendmsg naming remoteAddress() there), the unconnected slots
                            case NETTY41_INCUBATOR_IO_URING -> INCUBATOR_MODES.contains(mode)
                                    && (mode != Mode.SENDMMSG || connected) && (mode != Mode.RECVMMSG || !connected);
                            default -> true;
                        };
                        if (runs) {
                            cases.add(a);
                        }
                    }
                }
            }
            first = false;
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} connected={2} via {3} {4}: echoed, from the proxy at the far side")
    @MethodSource("tunnelledCases")
    void nativeTransportIsTunnelled(Jdk jdk, Stack stack, boolean connected, String via, Mode mode) {
        jdk.assumePresent();
        String proxy = via.equals("dante") ? dante.address() : relay.address();
        int before = echo.sources().size();
        ChildJvm.Builder b = Demos.socksified(client(jdk, stack, connected), proxy).args(mode.args);
        if (mode == Mode.ASSOCIATE_FULL) {
            b.args("--bind", "127.0.0.1");
        }
        for (int i = 0; i < mode.sysProps.length; i += 2) {
            b.sysProp(mode.sysProps[i], mode.sysProps[i + 1]);
        }
        if (mode == Mode.PLAIN) {
            b.sysProp("socksudp.log", "debug"); // each association opened and released, for the close check below
        }
        int count = mode.count();
        try (ChildJvm app = b.start()) {
            Diagnosable[] all = {app, echo, via.equals("dante") ? dante : relay};
            int code = app.awaitExit(Duration.ofSeconds(60));
            check(code == 0 && app.stdoutLines().contains("native: OK " + count + "/" + count),
                    "the client did not get every echo, byte for byte, from the server (exit " + code + ")", all);
            // From the server: as a recvmsg source (/127.0.0.1:port) or, on a connected channel's plain read, as
            // Netty's remoteAddress(), which keeps the host string it was connected with (127.0.0.1/127.0.0.1:port).
            long replies = app.stdoutLines().stream().filter(l -> l.startsWith("native: reply native-")
                    && (l.endsWith(" from /127.0.0.1:" + echo.port())
                    || l.endsWith(" from 127.0.0.1/127.0.0.1:" + echo.port()))).count();
            check(replies == count, "expected " + count + " replies from the server, saw " + replies, all);
            if (connected) { // as Netty records it without the agent: the host string connected with, the address
                check(app.stdoutLines().contains("native: remote 127.0.0.1/127.0.0.1:" + echo.port()),
                        "remoteAddress() is not the peer as Netty records it", all);
            }
            InetSocketAddress local = Demos.lastAddressIn(app.awaitStdout("^native: local (.*)$",
                    Duration.ofSeconds(1)).group(1));
            assertFromTheProxy(before, count, local, via, all);
            if (mode == Mode.PLAIN) { // the client closes its channel before it exits: doClose releases the association
                long opened = app.stderrLines().stream().filter(l -> l.contains("opened association via")).count();
                long released = app.stderrLines().stream().filter(l -> l.contains("released association via")).count();
                check(opened == 1 && released == 1, "expected one association opened and released by the channel's"
                        + " close, saw " + opened + " opened and " + released + " released", all);
            }
        }
    }

    static Stream<Arguments> receiveBufferCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Stack stack : Stack.values()) {
            for (boolean connected : new boolean[] {false, true}) {
                for (int size : new int[] {RECEIVE_BUFFER, 3000}) {
                    cases.add(Arguments.of(stack, connected, size));
                }
            }
        }
        return cases.stream();
    }

    /** Netty's default receive buffer for a datagram channel (FixedRecvByteBufAllocator(2048)). */
    private static final int RECEIVE_BUFFER = 2048;

    /**
     * Payloads of exactly Netty's default receive buffer, and longer (cut to it, as the kernel cuts them without the
     * agent), through the reference relay: the SOCKS header (10 bytes here) arrives on top of the payload, so a read
     * buffer of the application's size would lose the payload's last 10 bytes (2038 bytes echoed for 2048).
     */
    @ParameterizedTest(name = "{0} connected={1} {2}-byte payloads: echoed as without the agent")
    @MethodSource("receiveBufferCases")
    void payloadsUpToTheReceiveBufferArriveWhole(Stack stack, boolean connected, int size) {
        Jdk jdk = Jdks.installs().get(0);
        int before = echo.sources().size();
        ChildJvm.Builder b = Demos.socksified(client(jdk, stack, connected), relay.address())
                .args("--size", String.valueOf(size), "--expect-length", String.valueOf(RECEIVE_BUFFER));
        try (ChildJvm app = b.start()) {
            Diagnosable[] all = {app, echo, relay};
            int code = app.awaitExit(Duration.ofSeconds(60));
            check(code == 0 && app.stdoutLines().contains("native: OK 3/3"), "the client did not get every echo of"
                    + " " + size + " bytes as " + RECEIVE_BUFFER + " bytes (exit " + code + ")", all);
            long whole = app.stdoutLines().stream().filter(l -> l.startsWith("native: reply native-")
                    && (l.endsWith(" (" + RECEIVE_BUFFER + " bytes) from /127.0.0.1:" + echo.port())
                    || l.endsWith(" (" + RECEIVE_BUFFER + " bytes) from 127.0.0.1/127.0.0.1:" + echo.port())))
                    .count(); // a connected read names Netty's remoteAddress(), as the other cases explain
            check(whole == 3, "expected 3 replies of " + RECEIVE_BUFFER + " bytes, saw " + whole, all);
            InetSocketAddress local = Demos.lastAddressIn(app.awaitStdout("^native: local (.*)$",
                    Duration.ofSeconds(1)).group(1));
            assertFromTheProxy(before, 3, local, "relay", all);
        }
    }

    /**
     * JDK 8, 11 and the test JDK (17), where a SecurityManager can be installed (from 24 it cannot): connected on 11,
     * unconnected on 8 and 17 (the association's set-up is the same; one case each keeps the suite's time).
     */
    static Stream<Arguments> securityManagerCases() {
        return Jdks.all("test,11,8").stream().filter(j -> j.jvmArgs().isEmpty())
                .map(j -> Arguments.of(j, j.present() && j.feature() == 11));
    }

    /**
     * Under a SecurityManager whose policy trusts the agent jar and Netty's jars (AllPermission) and lets the
     * application itself reach only the echo server on the network (files and runtime permissions it has, for what
     * Netty does in its context): Netty's epoll channel, whose event loop threads inherit the
     * application's access control context, still gets every echo through the proxy: the control connection is
     * opened on the agent's socksudp-associate threads, created in doPrivileged (AssociationManager), so it is
     * checked against the agent jar's permissions, not the application's (which would refuse the proxy's port).
     */
    @ParameterizedTest(name = "{0} Netty 4.1 epoll connected={1}: under a SecurityManager, the application restricted")
    @MethodSource("securityManagerCases")
    void epollUnderASecurityManager(Jdk jdk, boolean connected, @org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        jdk.assumePresent();
        Path policy = dir.resolve("test.policy");
        java.nio.file.Files.writeString(policy, "grant codeBase \"file:" + TestEnv.agentJar().toAbsolutePath()
                + "\" { permission java.security.AllPermission; };\n"
                + "grant codeBase \"file:" + Stack.NETTY41_EPOLL.libs().toAbsolutePath()
                + "/-\" { permission java.security.AllPermission; };\n"
                + "grant codeBase \"file:" + TestEnv.testClasses().toAbsolutePath() + "/\" {\n"
                + "  permission java.net.SocketPermission \"" + echo.address() + "\", \"connect,accept,resolve\";\n"
                + "  permission java.net.SocketPermission \"localhost:0\", \"listen\";\n"
                + "  permission java.util.PropertyPermission \"*\", \"read\";\n"
                // what Netty does in the application's context (no doPrivileged of its own): extracting and loading
                // its native library (its epoll classes initialised by the application's frames), reflection
                + "  permission java.io.FilePermission \"<<ALL FILES>>\", \"read,write,delete\";\n"
                + "  permission java.lang.RuntimePermission \"*\";\n"
                + "  permission java.lang.reflect.ReflectPermission \"suppressAccessChecks\";\n"
                + "};\n");
        int before = echo.sources().size();
        ChildJvm.Builder b = Demos.socksified(client(jdk, Stack.NETTY41_EPOLL, connected), dante.address())
                .jvmArg("-Djava.security.manager").sysProp("java.security.policy", "=" + policy);
        try (ChildJvm app = b.start()) {
            Diagnosable[] all = {app, echo, dante};
            int code = app.awaitExit(Duration.ofSeconds(60));
            check(code == 0 && app.stdoutLines().contains("native: OK 3/3"),
                    "the client did not get every echo under the SecurityManager (exit " + code + ")", all);
            check(app.mergedLines().stream().noneMatch(l -> l.contains("AccessControlException")
                    || l.startsWith("\tat ")), "an AccessControlException or a stack trace", all);
            InetSocketAddress local = Demos.lastAddressIn(app.awaitStdout("^native: local (.*)$",
                    Duration.ofSeconds(1)).group(1));
            assertFromTheProxy(before, 3, local, "dante", all);
        }
    }

    /**
     * Recovery and the relay-only rule: after a round of echoes, datagrams from a stranger are sent straight to the
     * client's port (none may reach the application: a datagram that is not an echo fails the client) and danted's
     * relaying process is killed (the association dies with it); the next round, on the same channel, must get every
     * echo again through a new association, the far side seeing a new relay port, never the client's own.
     */
    @ParameterizedTest(name = "{0} connected={1}: re-associated after the relay died, strangers dropped")
    @MethodSource("recoveryCases")
    void survivesTheRelaysDeathAndDropsStrangers(Stack stack, boolean connected) throws Exception {
        int count = 3;
        try (Dante own = Dante.start(); EchoServer server = Demos.startEchoServer(false)) {
            ChildJvm.Builder b = Demos.socksified(ChildJvm.builder("netty-" + stack.netty + "-recovery")
                    .classpath(TestEnv.testClasses()).classpathJarsIn(stack.libs())
                    .mainClass(NettyNativeEchoClient.class.getName())
                    .args("--transport", stack.transport, "--server", server.address(), "--count", String.valueOf(count),
                            "--rounds", "2", "--pause", "3000"), own.address());
            if (connected) {
                b.args("--connect");
            }
            try (ChildJvm app = b.start()) {
                Diagnosable[] all = {app, server, own};
                app.awaitStdout("^native: round 1 OK$", Duration.ofSeconds(30));
                InetSocketAddress local = Demos.lastAddressIn(app.awaitStdout("^native: local (.*)$",
                        Duration.ofSeconds(1)).group(1));
                List<InetSocketAddress> before = server.awaitDatagrams(count, Duration.ofSeconds(5));
                try (java.net.DatagramSocket stranger = new java.net.DatagramSocket(0,
                        java.net.InetAddress.getLoopbackAddress())) {
                    for (int i = 0; i < count; i++) {
                        byte[] text = ("stranger-" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                        stranger.send(new java.net.DatagramPacket(text, text.length,
                                java.net.InetAddress.getLoopbackAddress(), local.getPort()));
                    }
                }
                check(!own.killIoChildren().isEmpty(), "no danted io child to kill", all);
                int code = app.awaitExit(Duration.ofSeconds(60));
                check(code == 0 && app.stdoutLines().contains("native: round 2 OK"),
                        "the second round did not get every echo, and only echoes (exit " + code + ")", all);
                check(app.stderrLines().stream().anyMatch(l -> l.contains("re-established")),
                        "the agent did not report re-establishing the association", all);
                List<InetSocketAddress> sources = server.awaitDatagrams(2 * count, Duration.ofSeconds(5));
                Set<Integer> first = before.stream().map(InetSocketAddress::getPort).collect(Collectors.toSet());
                Set<Integer> second = sources.subList(count, sources.size()).stream().map(InetSocketAddress::getPort)
                        .collect(Collectors.toSet());
                check(!first.contains(local.getPort()) && !second.contains(local.getPort()),
                        "the echo server saw the client's own port " + local.getPort(), all);
                check(first.size() == 1 && !second.isEmpty() && second.stream().noneMatch(first::contains),
                        "the second round did not come from a new relay port: " + first + " then " + second, all);
            }
        }
    }

    /**
     * An agent attached late ({@code attach PID}) retransforms io_uring's classes already loaded (channel, read loop,
     * connect path): an unconnected channel opened before it sends its next round through the proxy (the far side sees
     * the client's own port for round 1, the relay's for round 2); a channel connected before it fails its writes
     * (its OS socket talks to the peer itself) and nothing more reaches the far side.
     */
    @ParameterizedTest(name = "io_uring connected={0}: a channel open before the attach")
    @ValueSource(booleans = {false, true})
    void ioUringChannelOpenBeforeAnAttach(boolean connected) {
        Jdk jdk = Jdks.installs().get(0);
        int before = echo.sources().size();
        try (ChildJvm app = client(jdk, Stack.NETTY42_IO_URING, connected).args("--rounds", "2", "--pause", "8000")
                .start()) {
            Diagnosable[] all = {app, echo, relay};
            app.awaitStdout("^native: round 1 OK$", Duration.ofSeconds(30));
            InetSocketAddress local = Demos.lastAddressIn(app.awaitStdout("^native: local (.*)$",
                    Duration.ofSeconds(1)).group(1));
            List<InetSocketAddress> first = echo.awaitDatagrams(before + 3, Duration.ofSeconds(5));
            check(first.subList(before, first.size()).stream().allMatch(a -> a.getPort() == local.getPort()),
                    "before the attach the far side should see the client's own port", all);
            ChildJvm attach = Cli.run(Cli.on(jdk.home(), "cli-attach",
                    "attach", String.valueOf(app.pid()), "proxy=" + relay.address(), "nonProxyHosts="));
            check(Cli.code(attach) == 0, "attach should succeed", attach, app);
            int code = app.awaitExit(Duration.ofSeconds(60));
            if (!connected) {
                check(code == 0 && app.stdoutLines().contains("native: round 2 OK"),
                        "the second round did not get every echo through the proxy (exit " + code + ")", all);
                assertFromTheProxy(before + 3, 3, local, "relay", all);
            } else {
                check(code == 1 && app.stdoutLines().stream().filter(l -> l.startsWith("native: sent native-")
                        && l.contains("FAILED java.io.IOException: socksudp: this channel was connected to")).count()
                        == 3, "the channel connected before the attach should fail its three writes", all);
                assertNothingArrived(before + 3, all);
            }
        }
    }

    /** How long the slow proxy holds back each handshake's first answer. */
    private static final long SLOW_HANDSHAKE_MILLIS = 4000;

    /**
     * A channel's first writes while its association is being set up with a slow proxy (the reference relay behind a
     * {@link SlowFront} that holds back each handshake's answer for {@link #SLOW_HANDSHAKE_MILLIS}) do not stall its
     * event loop: three datagrams written and flushed without waiting, then two more channels bound on the same loop
     * (the group has one thread) and a datagram from one to the other (to 127.0.0.2, which nonProxyHosts sends
     * directly) arrives well before the set-up ends. The three then go through the proxy in the order written (the
     * echoes come back in that order), none directly.
     */
    @ParameterizedTest(name = "{0}: the first writes wait for a slow proxy off the event loop, which goes on")
    @EnumSource(value = Stack.class, names = {"NETTY41_EPOLL", "NETTY42_EPOLL"})
    void firstWritesDoNotStallTheEventLoop(Stack stack) {
        Jdk jdk = Jdks.installs().get(0);
        int before = echo.sources().size();
        try (SlowFront slow = SlowFront.start(relay.address(), SLOW_HANDSHAKE_MILLIS);
             ChildJvm app = Demos.socksified(client(jdk, stack, false), slow.address())
                     .args("--probe-loop", "127.0.0.2").sysProp("socksudp.nonProxyHosts", "127.0.0.2").start()) {
            Diagnosable[] all = {app, echo, relay};
            int code = app.awaitExit(Duration.ofSeconds(60));
            check(code == 0 && app.stdoutLines().contains("native: OK 3/3"),
                    "the client did not get every echo (exit " + code + ")", all);
            long probe = Long.parseLong(app.awaitStdout("^native: loop probe (\\d+) ms$", Duration.ofSeconds(1))
                    .group(1));
            long first = Long.parseLong(app.awaitStdout("^native: first write done after (\\d+) ms$",
                    Duration.ofSeconds(1)).group(1));
            System.out.println("NETTY-LOOP " + stack + ": event loop probe " + probe + " ms, first write done after "
                    + first + " ms (handshake held " + SLOW_HANDSHAKE_MILLIS + " ms)");
            check(first >= SLOW_HANDSHAKE_MILLIS - 200, "the first write completed after " + first + " ms: the"
                    + " proxy's handshake was not slow, so the probe proves nothing", all);
            check(probe < SLOW_HANDSHAKE_MILLIS / 2, "the event loop answered only after " + probe + " ms: it"
                    + " waited for the association", all);
            List<String> replies = app.stdoutLines().stream().filter(l -> l.startsWith("native: reply native-"))
                    .map(l -> l.substring("native: reply ".length(), l.indexOf(" from "))).toList();
            check(replies.equals(List.of("native-0", "native-1", "native-2")), "the echoes came back as " + replies
                    + ", not in the order written", all);
            InetSocketAddress local = Demos.lastAddressIn(app.awaitStdout("^native: local (.*)$",
                    Duration.ofSeconds(1)).group(1));
            assertFromTheProxy(before, 3, local, "relay", all);
        }
    }

    /**
     * A close while the first writes wait for a slow proxy's handshake wins at once: the close completes well before
     * the handshake would, the three writes fail (Netty's own close fails what its buffer holds), and nothing reaches
     * the far side.
     */
    @Test
    void closeWhileWritesWaitWinsAtOnce() {
        Jdk jdk = Jdks.installs().get(0);
        int before = echo.sources().size();
        try (SlowFront slow = SlowFront.start(relay.address(), SLOW_HANDSHAKE_MILLIS);
             ChildJvm app = Demos.socksified(client(jdk, Stack.NETTY42_EPOLL, false), slow.address())
                     .args("--close-at-once").start()) {
            Diagnosable[] all = {app, echo, relay};
            int code = app.awaitExit(Duration.ofSeconds(60));
            long closed = Long.parseLong(app.awaitStdout("^native: closed after (\\d+) ms$", Duration.ofSeconds(1))
                    .group(1));
            System.out.println("NETTY-LOOP close while writes wait: " + closed + " ms");
            long failed = app.stdoutLines().stream().filter(l -> l.startsWith("native: sent native-")
                    && l.contains(" FAILED ")).count();
            check(code == 1 && failed == 3, "expected the three waiting writes to fail (exit " + code + ", "
                    + failed + " failed)", all);
            check(closed < SLOW_HANDSHAKE_MILLIS / 4, "the close took " + closed + " ms: it waited for the"
                    + " handshake", all);
            assertNothingArrived(before, all);
        }
    }

    /**
     * Writes held for a set-up that fails (nothing listens at the proxy's address) fail their promises with the
     * set-up's IOException, as a write that waited did; nothing reaches the far side.
     */
    @Test
    void heldWritesFailWhenTheProxyIsDown() throws Exception {
        Jdk jdk = Jdks.installs().get(0);
        int before = echo.sources().size();
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (ChildJvm app = Demos.socksified(client(jdk, Stack.NETTY42_EPOLL, false), "127.0.0.1:" + closedPort)
                .args("--probe-loop", "127.0.0.2").sysProp("socksudp.nonProxyHosts", "127.0.0.2").start()) {
            Diagnosable[] all = {app, echo};
            int code = app.awaitExit(Duration.ofSeconds(60));
            long failed = app.stdoutLines().stream().filter(l -> l.startsWith("native: sent native-")
                    && l.contains(" FAILED ") && l.contains("cannot reach SOCKS5 proxy 127.0.0.1:" + closedPort))
                    .count();
            check(code == 1 && failed == 3, "expected the three held writes to fail naming the proxy (exit " + code
                    + ", " + failed + " failed so)", all);
            assertNothingArrived(before, all);
        }
    }

    /**
     * An io_uring channel the application never closes (epoll's: NettyLoadersIT's release cases): a registered native
     * channel is held by its event loop, so it is not collected while the group runs; the group's shutdown closes it,
     * and its close releases the association, one opened and one released.
     */
    @ParameterizedTest(name = "{0}: a channel left open is released by its event loop group's shutdown")
    @EnumSource(value = Stack.class, names = {"NETTY42_IO_URING", "NETTY41_INCUBATOR_IO_URING"})
    void channelLeftOpenIsReleasedByTheGroupsShutdown(Stack stack) {
        Jdk jdk = Jdks.installs().get(0);
        try (ChildJvm app = Demos.socksified(client(jdk, stack, false), relay.address()).args("--leave-open")
                .sysProp("socksudp.log", "debug").start()) {
            Diagnosable[] all = {app, echo, relay};
            int code = app.awaitExit(Duration.ofSeconds(60));
            check(code == 0 && app.stdoutLines().contains("native: OK 3/3"), "the client did not get every echo", all);
            long opened = app.stderrLines().stream().filter(l -> l.contains("opened association via")).count();
            long released = app.stderrLines().stream().filter(l -> l.contains("released association via")).count();
            check(opened == 1 && released == 1, "expected one association opened and released by the group's"
                    + " shutdown, saw " + opened + " opened and " + released + " released", all);
        }
    }

    static Stream<Arguments> recoveryCases() {
        return Stream.of(Arguments.of(Stack.NETTY41_EPOLL, false), Arguments.of(Stack.NETTY42_EPOLL, true),
                Arguments.of(Stack.NETTY42_IO_URING, false), Arguments.of(Stack.NETTY42_IO_URING, true),
                Arguments.of(Stack.NETTY41_INCUBATOR_IO_URING, true));
    }

    /**
     * The far-side checks are no tests if they cannot fail: the same program with loopback bypassed (the default)
     * sends directly, which the agent allows (a bypassed destination); the check that the datagrams came from the
     * proxy must catch it, and so must the check that nothing arrived at all (the fake layouts' refusals).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"NETTY42_EPOLL", "NETTY42_IO_URING"})
    void farSideCheckCatchesADirectDatagram(Stack stack) {
        int before = echo.sources().size();
        ChildJvm.Builder b = client(Jdks.installs().get(0), stack, false).withAgent()
                .sysProp("socksudp.proxy", relay.address());
        try (ChildJvm app = b.start()) {
            Diagnosable[] all = {app, echo, relay};
            int code = app.awaitExit(Duration.ofSeconds(60));
            check(code == 0 && app.stdoutLines().contains("native: OK 3/3"),
                    "a bypassed destination did not work on the native transport (exit " + code + ")", all);
            InetSocketAddress local = Demos.lastAddressIn(app.awaitStdout("^native: local (.*)$",
                    Duration.ofSeconds(1)).group(1));
            AssertionError direct = assertThrows(AssertionError.class,
                    () -> assertFromTheProxy(before, 3, local, "relay", all));
            check(direct.getMessage().contains("the client's own port"), "the proxy check failed for another reason: "
                    + direct.getMessage(), all);
            AssertionError caught = assertThrows(AssertionError.class, () -> assertNothingArrived(before, all));
            check(caught.getMessage().contains("reached the far side"), "the check failed for another reason: "
                    + caught.getMessage(), all);
        }
    }

    /**
     * The fake-layout library: an unknown layout is refused at construction (an epoll channel without Netty's write
     * path; an io_uring channel whose read loop fires nothing), a shaded kqueue copy per call, and so is each of two
     * copies of it in two class loaders of their own.
     */
    @ParameterizedTest(name = "fake {0}: refused, nothing at the far side")
    @ValueSource(strings = {"unknown", "unknown-io_uring", "kqueue", "kqueue-connected", "two-loaders"})
    void fakeLayoutsFailClosed(String layout) {
        int before = echo.sources().size();
        ChildJvm.Builder b = Demos.socksified(ChildJvm.builder("fake-netty " + layout)
                .classpath(TestEnv.testClasses()).mainClass(FakeNettyApp.class.getName())
                .args("--layout", layout.replace("-connected", ""), "--server", echo.address()),
                relay.address());
        if (layout.endsWith("connected")) {
            b.args("--connect");
        }
        try (ChildJvm app = b.start()) {
            Diagnosable[] all = {app, echo, relay};
            int code = app.awaitExit(Duration.ofSeconds(60));
            check(code == 0, "the fake app exited " + code, all);
            String expected = switch (layout) {
                case "unknown" -> "fake: FAILED construct: java.io.IOException: " + REFUSED + "epoll transport"
                        + " (io.socksudp.it.app.fakenetty.unknown.io.netty.channel.epoll.EpollDatagramChannel): its"
                        + " internals are not what socksudp knows";
                case "unknown-io_uring" -> "fake: FAILED construct: java.io.IOException: " + REFUSED + "io_uring"
                        + " transport (io.socksudp.it.app.fakenetty.unknownuring.io.netty.channel.uring"
                        + ".IoUringDatagramChannel): its internals are not what socksudp knows";
                case "kqueue" -> "fake: FAILED write: java.io.IOException: " + REFUSED + "kqueue transport";
                case "two-loaders" -> "fake: loader 2 FAILED write: java.io.IOException: " + REFUSED + "kqueue transport";
                default -> "fake: FAILED connect: java.io.IOException: " + REFUSED + "kqueue transport";
            };
            check(app.stdoutLines().stream().anyMatch(l -> l.startsWith(expected)), "expected " + expected, all);
            if (layout.equals("two-loaders")) {
                check(app.stdoutLines().stream().anyMatch(l -> l.startsWith(expected.replace("loader 2", "loader 1"))),
                        "the first loader's copy was not refused", all);
            }
            assertNothingArrived(before, all);
        }
    }

    private ChildJvm.Builder client(Jdk jdk, Stack stack, boolean connected) {
        ChildJvm.Builder b = ChildJvm.builder("netty-" + stack.netty + "-" + stack.transport).javaHome(jdk.home())
                .classpath(TestEnv.testClasses()).classpathJarsIn(stack.libs())
                .mainClass(NettyNativeEchoClient.class.getName())
                .args("--transport", stack.transport, "--server", echo.address(), "--count", "3");
        if (connected) {
            b.args("--connect");
        }
        return b;
    }

    /**
     * The far side got {@code count} datagrams since {@code before}, none from the client's own port and each from
     * the proxy: for the reference relay one of its external ports, for danted a port its log names beside the echo
     * server's port on a UDP line.
     */
    private void assertFromTheProxy(int before, int count, InetSocketAddress local, String via, Diagnosable... all) {
        List<InetSocketAddress> sources = echo.awaitDatagrams(before + count, Duration.ofSeconds(10));
        Set<Integer> ports = sources.subList(before, sources.size()).stream().map(InetSocketAddress::getPort)
                .collect(Collectors.toSet());
        check(!ports.contains(local.getPort()), "the echo server saw the client's own port " + local.getPort()
                + ": sent around the proxy", all);
        if (via.equals("relay")) {
            Set<Integer> external = relay.externalAddresses().stream().map(InetSocketAddress::getPort)
                    .collect(Collectors.toSet());
            check(external.containsAll(ports), "the far side saw ports " + ports + ", not the relay's external ports "
                    + external, all);
            return;
        }
        for (int p : ports) {
            Pattern both = Pattern.compile("(?m)^(?=.*udpassociate)(?=.*127\\.0\\.0\\.1\\." + p
                    + "(?!\\d))(?=.*127\\.0\\.0\\.1\\." + echo.port() + "(?!\\d)).*$");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!both.matcher(dante.logText()).find() && System.nanoTime() < deadline) {
                Demos.sleep(50);
            }
            check(both.matcher(dante.logText()).find(), "danted's log has no UDP line with port " + p
                    + " (what the far side saw) and the echo server's port " + echo.port(), all);
        }
    }

    private void assertNothingArrived(int before, Diagnosable... all) {
        Demos.sleep(SETTLE.toMillis());
        List<?> now = echo.sources();
        check(now.size() == before, (now.size() - before) + " datagram(s) reached the far side: "
                + now.subList(before, now.size()), all);
    }
}
