package io.socksudp.it;

import static io.socksudp.it.support.Checks.check;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.socksudp.it.app.FakeNettyApp;
import io.socksudp.it.app.NettyNativeEchoClient;
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
 * Netty's native transports (epoll on Netty 4.1 and 4.2, io_uring on 4.2) send from native code on their own socket,
 * where the agent's JDK strategies never see them. Until they are tunnelled they must fail closed: real, unmodified
 * programs on each, with the agent and a real SOCKS5 server (danted, the reference relay), get a clear IOException on
 * connect or write, and the far side (the echo server) sees nothing at all, directly or relayed. A meta-test shows the
 * far-side check catches a datagram that leaves directly; the fake-layout library covers a layout the agent does not
 * know (refused at construction) and a shaded kqueue-like copy (refused per write and connect).
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NettyNativeIT {

    /** A datagram sent directly would have reached the echo server on loopback well within this. */
    private static final Duration SETTLE = Duration.ofMillis(500);
    private static final String REFUSED = "socksudp does not tunnel Netty's ";

    enum Stack {
        NETTY41_EPOLL("4.1", "epoll", "epoll"),
        NETTY42_EPOLL("4.2", "epoll", "epoll"),
        NETTY42_IO_URING("4.2", "io_uring", "io_uring");

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

    static Stream<Arguments> cases() {
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
                    // Every stack both ways on the test JDK; one way each elsewhere (connected for 4.2 epoll), to keep
                    // the suite's time. Dante for 4.1, the reference relay for 4.2: the refusal comes before any
                    // association, so one server per stack shows it against both without doubling the cases.
                    if (first || connected == (stack == Stack.NETTY42_EPOLL)) {
                        cases.add(Arguments.of(jdk, stack, connected,
                                stack == Stack.NETTY41_EPOLL ? "dante" : "relay"));
                    }
                }
            }
            first = false;
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} connected={2} via {3}: refused, nothing at the far side")
    @MethodSource("cases")
    void nativeTransportFailsClosed(Jdk jdk, Stack stack, boolean connected, String via) {
        jdk.assumePresent();
        String proxy = via.equals("dante") ? dante.address() : relay.address();
        int before = echo.sources().size();
        ChildJvm.Builder b = Demos.socksified(client(jdk, stack, connected), proxy);
        try (ChildJvm app = b.start()) {
            Diagnosable[] all = {app, echo, via.equals("dante") ? dante : relay};
            int code = app.awaitExit(Duration.ofSeconds(60));
            check(code == 1, "the client exited " + code + " (3: transport unavailable on this machine)", all);
            String refusal = REFUSED + stack.described + " transport";
            if (connected && stack != Stack.NETTY42_IO_URING) {
                check(app.stdoutLines().stream().anyMatch(l -> l.startsWith("native: FAILED to connect: ")
                        && l.contains("java.io.IOException: " + refusal)), "no refused connect", all);
            } else {
                long refused = app.stdoutLines().stream().filter(l -> l.startsWith("native: sent ")
                        && l.contains(" FAILED java.io.IOException: " + refusal)).count();
                check(refused == 3, "expected 3 refused writes, saw " + refused, all);
            }
            check(app.stdoutLines().stream().anyMatch(l -> l.contains("Use Netty's NIO transport")),
                    "the refusal does not say what to do", all);
            long warnings = app.stderrLines().stream().filter(l -> l.startsWith("WARN socksudp - " + REFUSED)).count();
            check(warnings == 1, "expected the refusal logged once at warn, saw " + warnings, all);
            assertNothingArrived(before, all);
        }
    }

    /**
     * The far-side check is no test if it cannot fail: the same program with loopback bypassed (the default) sends
     * directly, which the agent allows (a bypassed destination), and the check must see it.
     */
    @Test
    void farSideCheckCatchesADirectDatagram() {
        int before = echo.sources().size();
        ChildJvm.Builder b = client(Jdks.installs().get(0), Stack.NETTY42_EPOLL, false).withAgent()
                .sysProp("socksudp.proxy", relay.address());
        try (ChildJvm app = b.start()) {
            Diagnosable[] all = {app, echo, relay};
            int code = app.awaitExit(Duration.ofSeconds(60));
            check(code == 0 && app.stdoutLines().contains("native: OK 3/3"),
                    "a bypassed destination did not work on the native transport (exit " + code + ")", all);
            AssertionError caught = assertThrows(AssertionError.class, () -> assertNothingArrived(before, all));
            check(caught.getMessage().contains("reached the far side"), "the check failed for another reason: "
                    + caught.getMessage(), all);
        }
    }

    /**
     * The fake-layout library: an unknown layout is refused at construction, a shaded kqueue copy per call, and so is
     * each of two copies of it in two class loaders of their own.
     */
    @ParameterizedTest(name = "fake {0}: refused, nothing at the far side")
    @ValueSource(strings = {"unknown", "kqueue", "kqueue-connected", "two-loaders"})
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

    private void assertNothingArrived(int before, Diagnosable... all) {
        Demos.sleep(SETTLE.toMillis());
        List<?> now = echo.sources();
        check(now.size() == before, (now.size() - before) + " datagram(s) reached the far side: "
                + now.subList(before, now.size()), all);
    }
}
