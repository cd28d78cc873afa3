package io.socksudp.it;

import static io.socksudp.it.support.Checks.check;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.socksudp.it.app.NettyLoadersApp;
import io.socksudp.it.app.VertxDatagramApp;
import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Dante;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.Diagnosable;
import io.socksudp.it.support.Jdks;
import io.socksudp.it.support.Jdks.Jdk;
import io.socksudp.it.support.TestEnv;

/**
 * Netty copies the agent never sees on the class path: several in one JVM, each in a class loader of its own over its
 * own jars (Netty 4.1 beside 4.2, and two copies of the same 4.2 jars), gRPC's shaded Netty ({@code
 * io.grpc.netty.shaded.io.netty}, its epoll library renamed {@code libio_grpc_netty_shaded_netty_transport_native_epoll})
 * used directly, and Vert.x, which picks Netty's epoll transport by itself. Every copy's epoll channels must be
 * tunnelled, each getting its own echoes with the server as sender, the far side seeing only the proxy's ports. Then
 * the association's release: closed channels, channels dropped unclosed (only garbage collection can tell), and an
 * event loop group shut down without closing them; the relay must see each association end while the program is still
 * running, its control connections must be gone ({@code ss}), and no thread may be left behind. A control case keeps
 * the dropped channels referenced: then nothing may be released, which shows the release is the collector's doing.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NettyLoadersIT {

    private static final Pattern LOCAL = Pattern.compile("^copy (\\w+): channel \\d+ (\\S+) local \\S*:(\\d+)(?: remote .*)?$");
    private static final Pattern ASSOCIATION = Pattern.compile("^relay: association (\\d+) for 127\\.0\\.0\\.1:(\\d+) ");

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

    /** A Netty copy for NettyLoadersApp: its label, package root and jar directory. */
    record Copy(String label, String root, Path jars, String expectedClass) {
        static Copy netty41(String label) {
            return new Copy(label, "io.netty.", TestEnv.netty41NativeLibs(), "io.netty.channel.epoll.EpollDatagramChannel");
        }

        static Copy netty42(String label) {
            return new Copy(label, "io.netty.", TestEnv.netty42NativeLibs(), "io.netty.channel.epoll.EpollDatagramChannel");
        }

        static Copy grpc(String label) {
            return new Copy(label, "io.grpc.netty.shaded.io.netty.", TestEnv.grpcShadedLibs(),
                    "io.grpc.netty.shaded.io.netty.channel.epoll.EpollDatagramChannel");
        }

        String arg() {
            return label + "=" + root + "=" + jars;
        }
    }

    static Stream<Arguments> copyCases() {
        List<Arguments> cases = new ArrayList<>();
        Jdk test = Jdks.all("test").get(0);
        // Netty 4.1 and 4.2 side by side; the same 4.2 jars in two loaders (two copies of one version); gRPC's shaded
        // copy alone, connected; and all four at once, also on JDK 25, 11 and 8 (on 11 and 8 a public method handle
        // lookup resolved from the boot loader, and the second io.netty copy was refused; see NettyApi).
        cases.add(Arguments.of(test, "4.1 and 4.2", List.of(Copy.netty41("n41"), Copy.netty42("n42")), false, "dante"));
        cases.add(Arguments.of(test, "4.2 twice", List.of(Copy.netty42("first"), Copy.netty42("second")), true,
                "relay"));
        cases.add(Arguments.of(test, "gRPC shaded", List.of(Copy.grpc("grpc")), true, "dante"));
        for (Jdk jdk : Jdks.all("test,25,11,8")) {
            cases.add(Arguments.of(jdk, "4.1, 4.2, 4.2 again and gRPC shaded", List.of(Copy.netty41("n41"),
                    Copy.netty42("n42a"), Copy.netty42("n42b"), Copy.grpc("grpc")), false, "relay"));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} connected={3} via {4}: every copy tunnelled, its own echoes only")
    @MethodSource("copyCases")
    void everyCopyInItsOwnLoaderIsTunnelled(Jdk jdk, String what, List<Copy> copies, boolean connected, String via) {
        jdk.assumePresent();
        int count = 3;
        int before = echo.sources().size();
        ChildJvm.Builder b = loadersApp(jdk, copies, via).args("--count", String.valueOf(count));
        if (connected) {
            b.args("--connect");
        }
        try (ChildJvm app = b.start()) {
            Diagnosable[] all = {app, echo, via.equals("dante") ? dante : relay};
            int code = app.awaitExit(Duration.ofSeconds(60));
            check(code == 0, "not every copy got its echoes (exit " + code + ")", all);
            Set<Integer> localPorts = new HashSet<>();
            for (Copy copy : copies) {
                check(app.stdoutLines().contains("copy " + copy.label() + ": OK " + count + "/" + count),
                        "copy " + copy.label() + " did not get every echo", all);
                // A connected channel's reads name Netty's remoteAddress(), with its host string, as without the agent
                long replies = app.stdoutLines().stream().filter(l -> l.matches("copy " + copy.label() + ": reply "
                        + copy.label() + "-0-\\d from (127\\.0\\.0\\.1)?/127\\.0\\.0\\.1:" + echo.port()))
                        .count();
                check(replies == count, "copy " + copy.label() + ": " + replies + " replies of its own from the server",
                        all);
                List<Matcher> channels = app.stdoutMatches(LOCAL).stream()
                        .filter(m -> m.group(1).equals(copy.label())).toList();
                check(channels.size() == 1 && channels.get(0).group(2).equals(copy.expectedClass()),
                        "copy " + copy.label() + " did not use " + copy.expectedClass(), all);
                localPorts.add(Integer.parseInt(channels.get(0).group(3)));
            }
            check(localPorts.size() == copies.size(), "the copies' channels should have ports of their own: "
                    + localPorts, all);
            assertFromTheProxy(before, count * copies.size(), localPorts, via, all);
        }
    }

    /**
     * A loader that does not delegate to its parents (as an OSGi framework's bundle loaders, which delegate only
     * {@code java.*} by default) cannot see the agent's bootstrap class {@code NettyDispatch} that a tunnelled channel
     * calls: that copy's epoll channel cannot be made (the agent's IOException, saying what to do, is the cause of
     * Netty's ChannelException, and is logged at warn), nothing of it reaches the far side, and a normal copy beside
     * it in the same JVM is still tunnelled. (Before the agent checked the loader, each write failed with a
     * NoClassDefFoundError, and so did the channel's close.)
     */
    @Test
    void aLoaderThatDoesNotDelegateIsRefusedClearly() {
        int before = echo.sources().size();
        Copy normal = Copy.netty42("normal");
        Copy isolated = new Copy("isolated", "io.netty.", TestEnv.netty42NativeLibs(),
                "io.netty.channel.epoll.EpollDatagramChannel");
        ChildJvm.Builder b = loadersApp(Jdks.all("test").get(0), List.of(normal), "relay")
                .args("--copy", isolated.arg() + "=isolated");
        try (ChildJvm app = b.start()) {
            Diagnosable[] all = {app, echo, relay};
            int code = app.awaitExit(Duration.ofSeconds(60));
            check(code == 1 && app.stdoutLines().contains("copy normal: OK 3/3"), "expected the normal copy to get"
                    + " its echoes and the program to fail for the isolated one (exit " + code + ")", all);
            String refused = "java.io.IOException: socksudp does not tunnel Netty's epoll transport"
                    + " (io.netty.channel.epoll.EpollDatagramChannel) in class loader"
                    + " io.socksudp.it.app.NettyLoadersApp$IsolatingLoader@";
            check(app.stdoutLines().stream().anyMatch(l -> l.startsWith("copy isolated: FAILED open: ")
                    && l.contains(refused) && l.contains("org.osgi.framework.bootdelegation=io.socksudp.agent"
                    + ".bootstrap")), "the isolated copy's channel was not refused with the agent's sentence", all);
            check(app.mergedLines().stream().filter(l -> l.contains("WARN socksudp - " + refused.substring(
                    "java.io.IOException: ".length()))).count() == 1, "the refusal was not logged once at warn", all);
            int local = app.stdoutMatches(LOCAL).stream().filter(m -> m.group(1).equals("normal"))
                    .map(m -> Integer.parseInt(m.group(3))).findFirst().orElseThrow();
            assertFromTheProxy(before, 3, Set.of(local), "relay", all);
            Demos.sleep(500); // a datagram sent directly would have arrived on loopback well within this
            check(echo.sources().size() == before + 3, "the far side got " + (echo.sources().size() - before)
                    + " datagrams, expected the normal copy's 3 only", all);
        }
    }

    /**
     * Vert.x's datagram socket with {@code preferNativeTransport}: Vert.x finds epoll on the class path and uses it
     * (its EpollDatagramChannel loads, NIO's does not), and the echoes go through danted. Vert.x 5 needs Java 11.
     */
    @Test
    void vertxPicksEpollByItselfAndGoesThroughTheProxy(@TempDir Path tmp) throws IOException {
        Jdk jdk = Jdks.all("test").get(0);
        org.junit.jupiter.api.Assumptions.assumeTrue(jdk.feature() >= 11, "Vert.x 5 needs Java 11; the test JDK is "
                + jdk.feature());
        int before = echo.sources().size();
        Path classLog = tmp.resolve("classes.log");
        ChildJvm.Builder b = Demos.socksified(ChildJvm.builder("vertx").javaHome(jdk.home())
                .classpath(TestEnv.testClasses()).classpathJarsIn(TestEnv.vertxLibs())
                .jvmArg("-Xlog:class+load=info:file=" + classLog)
                .mainClass(VertxDatagramApp.class.getName()).args("--server", echo.address()), dante.address());
        try (ChildJvm app = b.start()) {
            Diagnosable[] all = {app, echo, dante};
            int code = app.awaitExit(Duration.ofSeconds(60));
            check(code == 0 && app.stdoutLines().contains("vertx: OK 3/3"), "Vert.x did not get every echo (exit "
                    + code + ")", all);
            check(app.stdoutLines().contains("vertx: native true"), "Vert.x did not enable the native transport", all);
            String classes = Files.readString(classLog);
            check(classes.contains(" io.netty.channel.epoll.EpollDatagramChannel ")
                    && !classes.contains(" io.netty.channel.socket.nio.NioDatagramChannel "),
                    "Vert.x did not use Netty's epoll datagram channel", all);
            int local = Integer.parseInt(app.awaitStdout("^vertx: local .*:(\\d+)$", Duration.ofSeconds(1)).group(1));
            assertFromTheProxy(before, 3, Set.of(local), "dante", all);
        }
    }

    /**
     * The association's release, three ways, on Netty 4.2 with three channels through the reference relay: the relay
     * must see all three associations end while the program still runs (within 10 s of the channels' end, the program
     * calling System.gc() every 200 ms), the program's control connections to the relay must be gone, and it may not
     * have a thread that it did not have while the channels were open. {@code hold} is the control: the channels
     * dropped as for {@code drop} but still referenced; nothing may end within 4 s.
     */
    @ParameterizedTest(name = "channels ended by {0}: associations released (hold: kept), control connections closed, no thread left")
    @ValueSource(strings = {"close", "drop", "shutdown", "hold"})
    void theAssociationIsReleased(String end) {
        int mark = relay.jvm().stdoutLines().size();
        ChildJvm.Builder b = loadersApp(Jdks.all("test").get(0), List.of(Copy.netty42("gc")), "relay")
                .args("--channels", "3", "--end", end, "--linger", "12");
        try (ChildJvm app = b.start()) {
            Diagnosable[] all = {app, relay};
            app.awaitStdout("^copy gc: OK 9/9$", Duration.ofSeconds(30));
            String open = app.awaitStdout("^threads open: (.*)$", Duration.ofSeconds(5)).group(1);
            List<String> ids = associationsSince(mark);
            check(ids.size() == 3, "expected three associations, one per channel, the relay shows " + ids, all);
            int controls = controlConnections(app.pid());
            check(controls == 3, "expected three control connections from the program to the relay, ss shows "
                    + controls, all);
            String marker = switch (end) {
                case "close" -> "CLOSED";
                case "drop" -> "DROPPED";
                case "shutdown" -> "SHUTDOWN";
                default -> "HELD";
            };
            app.awaitStdout("^" + marker + "$", Duration.ofSeconds(10));
            if (end.equals("hold")) {
                Demos.sleep(4000);
                check(closedSince(mark, ids).isEmpty(), "associations " + closedSince(mark, ids) + " ended although"
                        + " the program still holds its channels", all);
                check(controlConnections(app.pid()) == 3, "control connections closed although the channels are"
                        + " held", all);
                check(app.isAlive(), "the program ended early", all);
                return;
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (closedSince(mark, ids).size() < ids.size() && System.nanoTime() < deadline) {
                Demos.sleep(100);
            }
            check(closedSince(mark, ids).size() == ids.size(), "the relay saw only " + closedSince(mark, ids)
                    + " of " + ids + " end within 10 s of " + marker, all);
            check(app.isAlive(), "the program had ended: the associations ended with the JVM, not the channels", all);
            int left = controlConnections(app.pid());
            check(left == 0, left + " control connection(s) to the relay still open after the release", all);
            // two more seconds of the program's life: its threads now must all have been there while it was open
            Demos.sleep(2500);
            List<String> lingering = app.stdoutLines().stream().filter(l -> l.startsWith("threads linger: ")).toList();
            check(!lingering.isEmpty(), "the program printed no threads after the channels ended", all);
            String now = lingering.get(lingering.size() - 1).substring("threads linger: ".length());
            Set<String> added = new HashSet<>(Arrays.asList(now.split("\\|")));
            added.removeAll(Arrays.asList(open.split("\\|")));
            check(added.isEmpty(), "threads that were not there while the channels were open: " + added, all);
            if (!end.equals("drop")) { // a dropped channel's event loop group is still up, by design of the case
                check(Arrays.stream(now.split("\\|")).noneMatch(t -> t.startsWith("epollEventLoopGroup")),
                        "the event loop thread is still alive: " + now, all);
            }
        }
    }

    // ================================================================= helpers

    private ChildJvm.Builder loadersApp(Jdk jdk, List<Copy> copies, String via) {
        ChildJvm.Builder b = ChildJvm.builder("netty-loaders").javaHome(jdk.home()).classpath(TestEnv.testClasses())
                .mainClass(NettyLoadersApp.class.getName()).args("--server", echo.address());
        for (Copy copy : copies) {
            b.args("--copy", copy.arg());
        }
        return Demos.socksified(b, via.equals("dante") ? dante.address() : relay.address());
    }

    /** The relay's associations for clients since {@code mark}, by id. */
    private List<String> associationsSince(int mark) {
        List<String> lines = relay.jvm().stdoutLines();
        return lines.subList(Math.min(mark, lines.size()), lines.size()).stream().map(ASSOCIATION::matcher)
                .filter(Matcher::find).map(m -> m.group(1)).toList();
    }

    private List<String> closedSince(int mark, List<String> ids) {
        List<String> lines = relay.jvm().stdoutLines();
        List<String> since = lines.subList(Math.min(mark, lines.size()), lines.size());
        return ids.stream().filter(id -> since.contains("relay: association " + id + " closed")).toList();
    }

    /** The program's established TCP connections to the relay's port (its SOCKS control connections), by ss. */
    private int controlConnections(long pid) {
        try {
            Process ss = new ProcessBuilder("ss", "-Htnp", "state", "established", "dport", "=", ":" + relay.port())
                    .redirectErrorStream(true).start();
            String out = new String(ss.getInputStream().readAllBytes());
            ss.waitFor();
            return (int) out.lines().filter(l -> l.contains("pid=" + pid + ",")).count();
        } catch (IOException e) {
            throw new AssertionError("cannot run ss", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The far side got {@code count} datagrams since {@code before}, none from the program's own ports and each from
     * the proxy (a relay external port, or a port danted's log names beside the echo server's).
     */
    private void assertFromTheProxy(int before, int count, Set<Integer> localPorts, String via, Diagnosable... all) {
        List<InetSocketAddress> sources = echo.awaitDatagrams(before + count, Duration.ofSeconds(10));
        Set<Integer> ports = sources.subList(before, sources.size()).stream().map(InetSocketAddress::getPort)
                .collect(Collectors.toSet());
        Set<Integer> direct = new HashSet<>(ports);
        direct.retainAll(localPorts);
        check(direct.isEmpty(), "the echo server saw the program's own port(s) " + direct + ": sent around the proxy",
                all);
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
}
