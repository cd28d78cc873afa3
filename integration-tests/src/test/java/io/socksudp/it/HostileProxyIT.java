package io.socksudp.it;

import static io.socksudp.it.support.Checks.check;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.socksudp.it.app.PingLoop;
import io.socksudp.it.app.RelayedReceiver;
import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.HostileSocks;
import io.socksudp.it.support.HostileSocks.Script;
import io.socksudp.it.support.Jdks;
import io.socksudp.it.support.Jdks.Jdk;
import io.socksudp.it.support.TestEnv;

/**
 * The agent against a scripted hostile SOCKS5 server and relay ({@link HostileSocks}): what a proxy may legally or
 * maliciously do must neither crash the application nor make the agent leak, hang or flood.
 */
@Timeout(120)
class HostileProxyIT {

    /** A port nobody answers on: the datagrams' destination, which only the hostile relay ever sees named. */
    private static final String TARGET = "127.0.0.1:9";

    static Stream<Arguments> jdks() {
        return Jdks.all().stream().map(Arguments::of);
    }

    /**
     * RFC 1928 lets a relay name a datagram's sender by host name (ATYP 3). No DatagramPacket or channel can report an
     * unresolved sender, and resolving a name the relay chose is a DNS lookup under the proxy's control, so the
     * agent drops such datagrams and counts them, alike on every API: the application's usual
     * {@code catch (IOException)} receive loop goes on and gets the next, well-formed datagram.
     */
    @ParameterizedTest(name = "{0}: a relayed datagram whose sender is a host name is dropped on every API")
    @MethodSource("jdks")
    void aSenderNamedByHostNameIsDroppedAndCounted(Jdk jdk) {
        jdk.assumePresent();
        String api = jdk.jvmArgs().isEmpty() ? "all" : "socket"; // 17-plain: the legacy DatagramSocket only
        try (HostileSocks proxy = HostileSocks.start(Script.NAMED_SENDER);
             ChildJvm app = Demos.socksified(ChildJvm.builder("relayed-receiver " + jdk), proxy.address())
                     .javaHome(jdk.home()).jvmArg(jdk.jvmArgs().toArray(new String[0]))
                     .classpath(TestEnv.testClasses()).mainClass(RelayedReceiver.class.getName())
                     .args("--target", TARGET, "--count", "3", "--api", api).start()) {
            int code = app.awaitExit(Duration.ofSeconds(60));
            check(code == 0, "the application's receive loop died (exit " + code + ")", app, proxy);
            List<String> apis = api.equals("all") ? List.of("socket", "channel", "nonblocking", "adaptor") : List.of(api);
            for (String a : apis) {
                check(app.stdoutLines().contains("done " + a + " received=3"), a + ": expected exactly the 3 well-formed"
                        + " datagrams", app, proxy);
                for (int i = 0; i < 3; i++) {
                    String expected = "rx " + a + " from=127.0.0.1:9 resolved=true text=plain:" + a + i;
                    check(app.stdoutLines().contains(expected), a + ": missing '" + expected + "'", app, proxy);
                }
            }
            check(app.stdoutLines().stream().noneMatch(l -> l.contains("named:") || l.startsWith("ioerror")),
                    "a datagram naming its sender by host name was delivered, or a receive failed", app, proxy);
            check(app.stderrLines().stream().anyMatch(l -> l.contains("the relay named the sender by host name")),
                    "the first such drop was not logged", app, proxy);
        }
    }

    /**
     * socksudp.connectTimeout is one deadline over the TCP connect and the whole handshake: a proxy that sends its
     * reply a byte at a time (each read returns well within the timeout) cannot stretch it.
     */
    @Test
    void aTricklingProxyCannotStretchTheConnectTimeout() {
        try (HostileSocks proxy = HostileSocks.start(Script.TRICKLE).trickleMillis(400);
             ChildJvm app = pingLoop(proxy, 1, "1500")) {
            check(app.awaitExit(Duration.ofSeconds(30)) == 0, "the ping loop failed", app, proxy);
            String outcome = app.stdoutLines().stream().filter(l -> l.startsWith("ping 0 ")).findFirst().orElse("none");
            check(outcome.matches("ping 0 error .*did not complete the handshake within 1500 ms.*"), "the send should"
                    + " fail once the 1500 ms deadline passed (the 12-byte reply takes 4.8 s), got: " + outcome, app, proxy);
            long ms = elapsedMillis(app, 0);
            check(ms < 2500, "the send returned after " + ms + " ms; the deadline is 1500 ms", app, proxy);
        }
    }

    /**
     * A proxy that advertises its relay as a host name would make the client look up a name of the proxy's choosing
     * (outside any deadline, through whatever resolver the host has): refused with a sentence saying what to do.
     */
    @Test
    void aRelayAdvertisedByHostNameIsRefusedNotResolved() {
        try (HostileSocks proxy = HostileSocks.start(Script.NAMED_RELAY); ChildJvm app = pingLoop(proxy, 1, "5000")) {
            check(app.awaitExit(Duration.ofSeconds(30)) == 0, "the ping loop failed", app, proxy);
            String outcome = app.stdoutLines().stream().filter(l -> l.startsWith("ping 0 ")).findFirst().orElse("none");
            check(outcome.matches("ping 0 error .*advertised its UDP relay as the host name 'localhost'.*"
                    + "set socksudp.relayHost.*"), "expected a clear refusal, got: " + outcome, app, proxy);
        }
    }

    /**
     * A proxy that grants each association and ends it with REP 1 at once. Without a cap, every loss was followed by
     * an immediate re-association (the backoff reset on each successful handshake): hundreds per second from one
     * socket, two info lines each. With REP 1 in the same write as the reply (delay 0) the handshake itself fails and
     * the failure backoff applies; with any gap, the handshake succeeds first. Either way, re-associations are paced
     * and the storm is logged once.
     */
    @ParameterizedTest(name = "REP 1 {0} ms after the reply")
    @ValueSource(ints = {0, 20})
    void aGrantThenKillProxyCannotCauseAReassociationStorm(int rep1DelayMillis) {
        try (HostileSocks proxy = HostileSocks.start(Script.GRANT_THEN_REP1).rep1DelayMillis(rep1DelayMillis);
             ChildJvm app = pingLoop(proxy, 250, "2000")) { // a datagram every 20 ms for about 5 s
            check(app.awaitExit(Duration.ofSeconds(60)) == 0, "the ping loop failed", app, proxy);
            int associations = proxy.associations();
            long infoLines = app.stderrLines().stream().filter(l -> l.contains(" INFO ") || l.contains(" WARN ")
                    || l.contains("[INFO]") || l.contains("[WARN]") || l.startsWith("INFO") || l.startsWith("WARN")).count();
            System.out.println("HostileProxyIT: REP 1 " + rep1DelayMillis + " ms after the reply: " + associations
                    + " associations, " + app.stderrLines().size() + " log lines in about 5 s from one socket");
            check(associations <= 12, associations + " associations in about 5 s from one socket: a storm", app, proxy);
            check(app.stderrLines().size() <= 8, app.stderrLines().size() + " log lines: the storm was logged per event",
                    app, proxy);
            check(infoLines >= 1 || rep1DelayMillis == 0, "nothing was logged about the losses", app, proxy);
            if (rep1DelayMillis > 0) {
                check(app.stderrLines().stream().anyMatch(l -> l.contains("re-association storm with SOCKS5 proxy")),
                        "the storm was not logged (once, with counts)", app, proxy);
            }
        }
    }

    /** The debug log names what is true: no "socket null" in zero mode, no legacy strategy JDK 17 does not use. */
    @Test
    void theDebugLogSaysOnlyWhatIsTrue() {
        try (HostileSocks proxy = HostileSocks.start(Script.NAMED_SENDER);
             ChildJvm app = Demos.socksified(ChildJvm.builder("relayed-receiver debug"), proxy.address())
                     .sysProp("socksudp.log", "debug").env("SOCKSUDP_LAUNCHER_HOME", "/opt/x")
                     .classpath(TestEnv.testClasses()).mainClass(RelayedReceiver.class.getName())
                     .args("--target", TARGET, "--count", "1", "--api", "nonblocking").start()) {
            check(app.awaitExit(Duration.ofSeconds(30)) == 0, "the application failed", app, proxy);
            String log = app.stderrText();
            check(!log.contains("socket null"), "the debug log says 'socket null'", app);
            check(log.contains("opened association via " + proxy.address()), "no debug line for the association", app);
            check(!log.contains("active with legacy-datagram-socket"), "JDK 17 without"
                    + " -Djdk.net.usePlainDatagramSocketImpl does not use the legacy implementation", app);
            check(log.contains("environment variable SOCKSUDP_LAUNCHER_HOME is not a socksudp setting and is ignored")
                    && !log.contains("/opt/x"), "an unknown SOCKSUDP_ variable must be named (not its value)", app);
        }
    }

    private static ChildJvm pingLoop(HostileSocks proxy, int count, String connectTimeout) {
        return Demos.socksified(ChildJvm.builder("ping-loop"), proxy.address())
                .sysProp("socksudp.connectTimeout", connectTimeout)
                .classpath(TestEnv.testClasses()).mainClass(PingLoop.class.getName())
                .args("--server", TARGET, "--count", String.valueOf(count), "--interval", "20", "--timeout", "1",
                        "--timed").start();
    }

    private static final Pattern TIMED = Pattern.compile("^ping (\\d+) .* \\((\\d+) ms\\)$");

    /** The send-and-receive time the ping loop printed for ping {@code i} ({@code --timed}). */
    private static long elapsedMillis(ChildJvm app, int i) {
        for (String l : app.stdoutLines()) {
            Matcher m = TIMED.matcher(l);
            if (m.matches() && Integer.parseInt(m.group(1)) == i) {
                return Long.parseLong(m.group(2));
            }
        }
        throw new AssertionError("no timing for ping " + i + " in " + app.stdoutLines());
    }
}
