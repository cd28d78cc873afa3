package io.socksudp.it;

import static io.socksudp.it.support.Checks.assertEchoClientOk;
import static io.socksudp.it.support.Checks.check;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Hpsockd;
import io.socksudp.it.support.Jdks;
import io.socksudp.it.support.Jdks.Jdk;

/**
 * hpsockd (Debian's {@code hpsockd}), a third real SOCKS5 server, on loopback: it relays a zero-filled association's
 * datagrams out but never delivers a reply (it needs the client's port in the request), so with {@code associate=zero}
 * no reply ever comes back; {@code port} and {@code full} work; {@code auto} finds {@code port} by itself.
 */
@Timeout(120)
class HpsockdIT {

    private static final int COUNT = 2;

    @Test
    void zeroRelaysOutButNoReplyComesBack() throws Exception {
        try (Hpsockd hpsockd = Hpsockd.start();
             EchoServer server = Demos.startEchoServer(false);
             ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), COUNT, false), hpsockd.address())
                     .sysProp("socksudp.associate", "zero").start()) {
            int code = client.awaitExit(Duration.ofSeconds(60));
            check(code != 0, "the echo client got its replies through hpsockd with associate=zero: hpsockd now"
                    + " delivers them, and this test's premise is gone", client, server, hpsockd);
            check(client.stdoutLines().stream().anyMatch(l -> l.startsWith("echo-client: FAILED no reply to datagram 1")),
                    "expected 'no reply to datagram 1'", client, server, hpsockd);
            // The datagram did go out, through hpsockd: only the way back is broken.
            assertRelayedBy(client, server, hpsockd, 1);
        }
    }

    @ParameterizedTest(name = "channel={0}")
    @ValueSource(booleans = {false, true})
    void portWorks(boolean channel) throws Exception {
        try (Hpsockd hpsockd = Hpsockd.start();
             EchoServer server = Demos.startEchoServer(channel);
             ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), COUNT, channel), hpsockd.address())
                     .sysProp("socksudp.associate", "port").start()) {
            assertEchoClientOk(client, COUNT, server, hpsockd);
            assertRelayedBy(client, server, hpsockd, COUNT);
        }
    }

    /**
     * {@code full} names 127.0.0.1 (the control connection's local address) with the socket's port: before issue 17
     * a default dual-stack socket named {@code [::]:PORT} (hpsockd: REP 8), and with the IPv4 stack {@code 0.0.0.0}.
     */
    @ParameterizedTest(name = "preferIPv4Stack={0}")
    @ValueSource(booleans = {false, true})
    void fullNamesTheAddressTheProxySees(boolean ipv4Stack) throws Exception {
        try (Hpsockd hpsockd = Hpsockd.start();
             EchoServer server = Demos.startEchoServer(false)) {
            ChildJvm.Builder b = Demos.socksified(Demos.echoClient(server.address(), COUNT, false), hpsockd.address())
                    .sysProp("socksudp.associate", "full").sysProp("socksudp.log", "debug");
            if (ipv4Stack) {
                b.sysProp("java.net.preferIPv4Stack", "true");
            }
            try (ChildJvm client = b.start()) {
                assertEchoClientOk(client, COUNT, server, hpsockd);
                InetSocketAddress local = Demos.echoClientLocal(client);
                check(client.stderrText().contains("requested full 127.0.0.1:" + local.getPort() + ")"),
                        "the association did not name 127.0.0.1:" + local.getPort(), client, hpsockd);
                assertRelayedBy(client, server, hpsockd, COUNT);
            }
        }
    }

    @ParameterizedTest(name = "channel={0}")
    @ValueSource(booleans = {false, true})
    void autoFindsPort(boolean channel) throws Exception {
        try (Hpsockd hpsockd = Hpsockd.start();
             EchoServer server = Demos.startEchoServer(channel);
             ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), COUNT, channel), hpsockd.address())
                     .sysProp("socksudp.associate", "auto").start()) {
            assertEchoClientOk(client, COUNT, server, hpsockd);
            List<String> decisions = client.stderrLines().stream().filter(l -> l.contains("socksudp.associate=auto"))
                    .toList();
            check(decisions.size() == 1 && decisions.get(0).contains("INFO")
                    && decisions.get(0).contains("using port with SOCKS5 proxy " + hpsockd.address())
                    && decisions.get(0).contains("zero: relayed out, no reply delivered"),
                    "expected one info line: auto chose port because zero's replies were lost; got " + decisions,
                    client, hpsockd);
            System.out.println("HPSOCKD auto: " + decisions.get(0));
            assertRelayedBy(client, server, hpsockd, COUNT);
        }
    }

    static java.util.stream.Stream<Jdk> jdks() {
        return Jdks.all().stream();
    }

    /**
     * auto on every JDK of {@code socksudp.it.jdks} with a DatagramSocket (JDK 8, 11 and 17-plain: the legacy
     * implementation, while the check's own sockets are DatagramChannels, which the interception leaves alone).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void autoOnEachJdk(Jdk jdk) throws Exception {
        jdk.assumePresent();
        try (Hpsockd hpsockd = Hpsockd.start();
             EchoServer server = Demos.startEchoServer(false);
             ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), COUNT, false), hpsockd.address())
                     .javaHome(jdk.home()).jvmArg(jdk.jvmArgs().toArray(String[]::new))
                     .sysProp("socksudp.associate", "auto").start()) {
            assertEchoClientOk(client, COUNT, server, hpsockd);
            check(client.stderrLines().stream().filter(l -> l.contains("socksudp.associate=auto: using port")).count()
                    == 1, "expected one info line choosing port", client, hpsockd);
            assertRelayedBy(client, server, hpsockd, COUNT);
        }
    }

    /** The echo server saw the datagrams from a port of hpsockd's, never from the client's own. */
    private static void assertRelayedBy(ChildJvm client, EchoServer server, Hpsockd hpsockd, int count)
            throws InterruptedException {
        InetSocketAddress local = Demos.echoClientLocal(client);
        List<InetSocketAddress> sources = server.awaitDatagrams(count, Duration.ofSeconds(10));
        for (InetSocketAddress s : sources) {
            check(s.getPort() != local.getPort(), "the echo server saw the client's own port " + local.getPort()
                    + " (sent directly, not through hpsockd): " + s, client, server, hpsockd);
        }
    }
}
