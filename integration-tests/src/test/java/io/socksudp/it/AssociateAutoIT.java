package io.socksudp.it;

import static io.socksudp.it.support.Checks.assertEchoClientOk;
import static io.socksudp.it.support.Checks.check;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.socksudp.it.app.PingLoop;
import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Dante;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.Diagnosable;
import io.socksudp.it.support.Hpsockd;
import io.socksudp.it.support.Shadowsocks;
import io.socksudp.it.support.TestEnv;

/**
 * {@code socksudp.associate=auto} on loopback: servers that handle the zero-filled association (danted, ss-local)
 * keep it, with the check's time reported; servers that need the client's port (the reference relay's
 * {@code reply-to-dst-port} and {@code port-zero-is-tcp-port}) get {@code port}; a proxy replaced under a running
 * program (danted stopped, hpsockd started on its port) is checked again; and what auto costs on danted against
 * {@code zero} (first datagram, which includes the association's set-up).
 */
@Timeout(180)
class AssociateAutoIT {

    private static final int COUNT = 2;
    private static final Pattern CHECKED = Pattern.compile("checked in (\\d+) ms");
    private static final Pattern FIRST_PING = Pattern.compile("^ping 0 ok from .* \\((\\d+) ms\\)$");

    @ParameterizedTest(name = "channel={0}")
    @ValueSource(booleans = {false, true})
    void danteKeepsZero(boolean channel) throws Exception {
        try (Dante dante = Dante.start();
             EchoServer server = Demos.startEchoServer(channel);
             ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), COUNT, channel), dante.address())
                     .sysProp("socksudp.associate", "auto").sysProp("socksudp.log", "debug").start()) {
            assertEchoClientOk(client, COUNT, server, dante);
            String decision = decision(client, "zero", dante.address(), dante);
            check(decision.contains("it delivers replies to the zero-filled association"), decision, client);
            check(client.stderrText().contains("requested zero 0.0.0.0:0)"),
                    "the application's association was not zero-filled", client);
            assertNotFromClient(client, server, dante);
            System.out.println("AUTO danted channel=" + channel + ": check took " + checkedMillis(decision) + " ms");
        }
    }

    @Test
    void shadowsocksKeepsZero() throws Exception {
        Shadowsocks.assumeAvailable();
        try (Shadowsocks ss = Shadowsocks.start();
             EchoServer server = Demos.startEchoServer(false);
             ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), COUNT, false), ss.address())
                     .sysProp("socksudp.associate", "auto").sysProp("socksudp.log", "debug").start()) {
            assertEchoClientOk(client, COUNT, server, ss);
            String decision = decision(client, "zero", ss.address(), ss);
            check(client.stderrText().contains("requested zero 0.0.0.0:0)"),
                    "the application's association was not zero-filled", client);
            assertNotFromClient(client, server, ss);
            System.out.println("AUTO ss-local: check took " + checkedMillis(decision) + " ms");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"reply-to-dst-port", "port-zero-is-tcp-port"})
    void referenceRelayQuirksGetPort(String misbehaviour) throws Exception {
        try (ReferenceRelay relay = Demos.startReferenceRelayWith("--misbehave", misbehaviour);
             EchoServer server = Demos.startEchoServer(false);
             ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), COUNT, false), relay.address())
                     .sysProp("socksudp.associate", "auto").start()) {
            assertEchoClientOk(client, COUNT, server, relay);
            String decision = decision(client, "port", relay.address(), relay);
            String zeroOutcome = misbehaviour.equals("reply-to-dst-port") ? "zero: relayed out, no reply delivered"
                    : "zero: nothing relayed reached this host";
            check(decision.contains(zeroOutcome), "expected '" + zeroOutcome + "' in " + decision, client, relay);
            assertNotFromClient(client, server, relay);
        }
    }

    /**
     * A relay that delivers no reply with any form: every send fails with one sentence naming what was tried, and
     * nothing of the application's reaches the far side (fail closed).
     */
    @Test
    void nothingWorksFailsClosedNamingWhatWasTried() throws Exception {
        try (ReferenceRelay relay = Demos.startReferenceRelayWith("--misbehave", "no-replies");
             EchoServer server = Demos.startEchoServer(false);
             ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), 1, false), relay.address())
                     .sysProp("socksudp.associate", "auto").start()) {
            int code = client.awaitExit(Duration.ofSeconds(60));
            String expected = "socksudp.associate=auto: SOCKS5 proxy " + relay.address() + " relayed datagrams out but"
                    + " delivered no reply with any UDP ASSOCIATE form (zero: relayed out, no reply delivered; port:"
                    + " relayed out, no reply delivered; full: relayed out, no reply delivered)";
            check(code == 1 && client.stdoutText().contains(expected), "expected the send to fail with '" + expected
                    + "'", client, relay, server);
            check(client.stderrLines().stream().filter(l -> l.contains(expected) && l.startsWith("WARN")).count() == 1,
                    "expected the failure once at warn", client);
            Demos.sleep(300);
            check(server.sources().isEmpty(), "the echo server saw datagrams: " + server.sources(), client, server);
        }
    }

    /**
     * danted is stopped under a running program and hpsockd takes its port: the association is lost, and the
     * re-association checks again (the verdict was zero, hpsockd needs port) and the pings come back.
     */
    @Test
    void aProxyReplacedUnderTheProgramIsCheckedAgain() throws Exception {
        Hpsockd.assumeAvailable();
        Dante dante = Dante.start();
        Hpsockd hpsockd = null;
        try (EchoServer server = Demos.startEchoServer(false);
             ChildJvm ping = pingLoop(server, dante.address(), 60).start()) {
            ping.awaitStdout("^ping 3 ok", Duration.ofSeconds(30));
            int port = dante.port();
            dante.close();
            hpsockd = Hpsockd.startOnPort(port);
            check(ping.awaitExit(Duration.ofSeconds(60)) == 0, "ping loop failed", ping, hpsockd);
            List<String> decisions = ping.stderrLines().stream().filter(l -> l.contains("socksudp.associate=auto"))
                    .toList();
            check(decisions.size() == 2 && decisions.get(0).contains("using zero")
                    && decisions.get(1).contains("using port"), "expected auto to choose zero (danted), then port"
                    + " (hpsockd); got " + decisions, ping, hpsockd);
            List<String> lines = ping.stdoutLines();
            int lastTimeout = -1;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.startsWith("ping ") && (line.contains(" timeout") || line.contains(" error "))) {
                    lastTimeout = i;
                }
            }
            long okAfter = lines.subList(lastTimeout + 1, lines.size()).stream().filter(l -> l.contains(" ok from "))
                    .count();
            check(okAfter >= 10, "the pings did not come back through hpsockd after the re-check (" + okAfter
                    + " ok after the last failure)", ping, hpsockd);
        } finally {
            dante.close();
            if (hpsockd != null) {
                hpsockd.close();
            }
        }
    }

    /**
     * What auto costs against zero on danted: the first datagram's round trip (which waits for the association's
     * set-up, and with auto for the check before it), interleaved runs, medians. Reported, and bounded loosely.
     */
    @Test
    void costOnDante() throws Exception {
        int runs = 3;
        List<Long> zero = new ArrayList<>();
        List<Long> auto = new ArrayList<>();
        List<Long> checks = new ArrayList<>();
        try (Dante dante = Dante.start();
             EchoServer server = Demos.startEchoServer(false)) {
            for (int i = 0; i < runs; i++) {
                for (String mode : new String[] {"zero", "auto"}) {
                    try (ChildJvm ping = pingLoop(server, dante.address(), 3).sysProp("socksudp.associate", mode)
                            .start()) {
                        check(ping.awaitExit(Duration.ofSeconds(30)) == 0, "ping loop failed", ping, dante);
                        Matcher m = ping.stdoutLines().stream().map(FIRST_PING::matcher).filter(Matcher::matches)
                                .findFirst().orElseThrow(() -> new AssertionError("no first ping" + ping.describe()));
                        (mode.equals("zero") ? zero : auto).add(Long.parseLong(m.group(1)));
                        if (mode.equals("auto")) {
                            checks.add(checkedMillis(decision(ping, "zero", dante.address(), dante)));
                        }
                    }
                }
            }
        }
        long zeroMedian = median(zero);
        long autoMedian = median(auto);
        System.out.println("AUTO-COST danted: first datagram (set-up included) zero " + zero + " median " + zeroMedian
                + " ms; auto " + auto + " median " + autoMedian + " ms; the check " + checks + " ms; later datagrams"
                + " unchanged (same zero-filled association)");
        check(median(checks) < 2000, "auto's check on danted took " + checks + " ms");
    }

    private static ChildJvm.Builder pingLoop(EchoServer server, String proxy, int count) {
        return Demos.socksified(ChildJvm.builder("ping-loop"), proxy)
                .classpath(TestEnv.testClasses()).mainClass(PingLoop.class.getName())
                .sysProp("socksudp.associate", "auto")
                .args("--server", server.address(), "--count", String.valueOf(count), "--interval", "100",
                        "--timeout", "400", "--timed");
    }

    /** The one info line that says what auto chose, and for which proxy. */
    private static String decision(ChildJvm client, String form, String proxy, Diagnosable... context) {
        List<String> decisions = client.stderrLines().stream().filter(l -> l.contains("socksudp.associate=auto"))
                .toList();
        check(decisions.size() == 1 && decisions.get(0).contains("INFO")
                && decisions.get(0).contains("using " + form + " with SOCKS5 proxy " + proxy),
                "expected one info line choosing " + form + "; got " + decisions, with(client, context));
        return decisions.get(0);
    }

    private static long checkedMillis(String decision) {
        Matcher m = CHECKED.matcher(decision);
        check(m.find(), "no check time in " + decision);
        return Long.parseLong(m.group(1));
    }

    private static void assertNotFromClient(ChildJvm client, EchoServer server, Diagnosable proxy)
            throws InterruptedException {
        InetSocketAddress local = Demos.echoClientLocal(client);
        for (InetSocketAddress s : server.awaitDatagrams(COUNT, Duration.ofSeconds(10))) {
            check(s.getPort() != local.getPort(), "the echo server saw the client's own port: " + s, client, server,
                    proxy);
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static Diagnosable[] with(Diagnosable first, Diagnosable... rest) {
        Diagnosable[] all = new Diagnosable[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
