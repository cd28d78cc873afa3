package io.socksudp.it;

import static io.socksudp.it.support.Checks.check;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.socksudp.it.app.FailoverPing;
import io.socksudp.it.app.NameLookups;
import io.socksudp.it.support.ChildProcess;
import io.socksudp.it.support.Dnsmasq;
import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Dante;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Diagnosable;
import io.socksudp.it.support.TestEnv;

/**
 * Failover across two real danted processes on loopback ({@code socksudp.proxy=A,B}), under a running ping loop
 * from one long-lived socket, plus fresh sockets on command (new associations):
 * <ol>
 * <li>both up: everything goes through A, the first in the list;</li>
 * <li>A stopped for good (all its processes killed): the agent notices the loss, A refuses, the association moves to
 *     B, and pings come back within the bound (1 s of the loss being noticed), through B's relay as the far side
 *     sees it; a fresh socket meanwhile goes straight to B;</li>
 * <li>A started again on its port: the agent's background check finds it granting UDP associations, a fresh socket
 *     goes through A again (failback), while the long-lived socket stays on B (its association did not die);</li>
 * <li>both down: sends fail with an {@code IOException} naming both proxies and their causes
 *     ({@code onUnavailable=fail}).</li>
 * </ol>
 * From the far side throughout: the echo server never sees a datagram from the application's own ports (nothing
 * sent directly), only from ports the two danteds' logs name for UDP. The failover time (loss noticed, from the
 * agent's timestamped log file, to the first echo received through B) is printed for the README.
 */
@Timeout(120)
class FailoverIT {

    private static final Pattern OK = Pattern.compile("^ping (\\d+) ok at (\\d+) from .*:(\\d+)$");
    private static final Pattern LOG_TIME = Pattern.compile("^(\\S+) .*");

    @ParameterizedTest(name = "connected={0} onUnavailable={1}")
    @CsvSource({"false, fail", "true, drop"})
    void failsOverToTheNextProxyAndNewAssociationsFailBack(boolean connected, String onUnavailable) throws Exception {
        Path logFile = Files.createTempFile("socksudp-failover-", ".log");
        Files.delete(logFile); // the agent creates it 0600
        Path commands = Files.createTempFile("socksudp-failover-", ".commands");
        Dante a = Dante.start();
        Dante b = null;
        Dante aAgain = null;
        int aPort = a.port();
        try (EchoServer server = Demos.startEchoServer(false)) {
            b = Dante.start();
            String proxies = a.address() + "," + b.address();
            ChildJvm.Builder builder = Demos.socksified(ChildJvm.builder("failover-ping"), proxies)
                    .sysProp("socksudp.logFile", logFile.toString())
                    .sysProp("socksudp.log", "debug")
                    .sysProp("socksudp.onUnavailable", onUnavailable)
                    .classpath(TestEnv.testClasses()).mainClass(FailoverPing.class.getName())
                    .args("--server", server.address(), "--interval", "20", "--timeout", "200",
                            "--commands", commands.toString());
            if (connected) {
                builder.args("--connect");
            }
            try (ChildJvm app = builder.start()) {
                Diagnosable agentLog = () -> "=== agent log " + logFile + "\n" + read(logFile);
                Diagnosable[] all = {app, server, a, b, agentLog};
                int local = Integer.parseInt(app.awaitStdout("^local (\\d+)$", Demos.STARTUP).group(1));
                Set<Integer> appPorts = new HashSet<>(Set.of(local));

                // 1. Both up: A, the first of the list.
                app.awaitStdout("^ping 5 ok .*", Demos.STARTUP);
                check(a.udpAssociations() > 0 && b.udpAssociations() == 0,
                        "with both up, the association did not go through the first proxy alone", all);

                // 2. A stopped for good.
                Set<Integer> aPorts = a.relayPortsInLog();
                int okBefore = okLines(app).size();
                a.close();
                awaitLog(logFile, "moved from SOCKS5 proxy " + a.address(), all);
                app.awaitStdout("^ping " + (lastPing(app) + 5) + " ok .*", Duration.ofSeconds(10));
                long lossAt = logTime(logFile, "relaying at .* lost: ");
                List<Matcher> oks = okLines(app);
                long firstOkAfter = oks.subList(okBefore, oks.size()).stream()
                        .mapToLong(m -> Long.parseLong(m.group(2))).filter(t -> t >= lossAt).min().orElse(-1);
                Matcher moved = Pattern.compile(".*re-established association via " + Pattern.quote(b.address())
                        + " .* (\\d+) ms after the loss, moved from SOCKS5 proxy " + Pattern.quote(a.address()) + ".*")
                        .matcher(read(logFile).lines().filter(l -> l.contains("moved from")).findFirst().orElse(""));
                check(moved.matches(), "no info line tells the move from A to B", all);
                check(firstOkAfter > 0 && firstOkAfter - lossAt < 1000, "pings did not come back through B within"
                        + " 1 s of the loss being noticed (" + (firstOkAfter - lossAt) + " ms)", all);
                check(read(logFile).contains("SOCKS5 proxy " + a.address() + " is unavailable"),
                        "the proxy going down was not logged once at info", all);
                long firstRelayedByB = b.firstDatagramRelayedMillis();
                check(firstRelayedByB > 0 && firstRelayedByB - lossAt < 1000, "B relayed no datagram within 1 s of the"
                        + " loss being noticed (" + (firstRelayedByB - lossAt) + " ms)", all);
                System.out.println("FailoverIT (connected=" + connected + "): loss noticed -> association through the"
                        + " next proxy " + moved.group(1) + " ms (agent's log), -> first datagram relayed by it "
                        + (firstRelayedByB - lossAt) + " ms (danted's log), -> first echo back in the application "
                        + (firstOkAfter - lossAt) + " ms (a ping every 20 ms, 200 ms receive timeout)");
                long bLinesAfterMove = b.udpAssociations();
                check(bLinesAfterMove > 0, "B's log shows no association after the move", all);
                fresh(app, commands, 0, all);
                appPorts.add(freshPort(app, 0));
                check(b.udpAssociations() > bLinesAfterMove, "a new socket while A is down did not go to B", all);

                // 3. A back on its port: the background check finds it; new associations use it, the old one stays.
                aAgain = Dante.startOn(aPort);
                Diagnosable[] all2 = {app, server, aAgain, b, agentLog};
                awaitLog(logFile, "SOCKS5 proxy " + aAgain.address() + " grants UDP associations again", all2);
                long bBefore = b.udpAssociations();
                int lastBeforeFresh = lastPing(app);
                fresh(app, commands, 1, all2);
                appPorts.add(freshPort(app, 1));
                app.awaitStdout("^ping " + (lastBeforeFresh + 3) + " ok .*", Duration.ofSeconds(5));
                check(aAgain.udpAssociations() > 0, "a new socket after A came back did not go through A", all2);
                check(b.udpAssociations() == bBefore, "after A came back, B got a new association", all2);
                Set<Integer> aAgainPorts = aAgain.relayPortsInLog();
                Set<Integer> bPorts = b.relayPortsInLog();

                // From the far side: the main socket's pings since the move came from B's relay, nothing directly.
                List<InetSocketAddress> sources = server.sources();
                check(!sources.isEmpty(), "the echo server saw nothing", all2);
                for (InetSocketAddress s : sources) {
                    check(!appPorts.contains(s.getPort()), "the echo server saw a datagram from the application's own"
                            + " port " + s.getPort() + ": sent directly, around the proxy", all2);
                    check(aPorts.contains(s.getPort()) || bPorts.contains(s.getPort())
                            || aAgainPorts.contains(s.getPort()), "the echo server saw " + s + ", a port neither"
                            + " danted's log names for its relay", all2);
                }
                int lastMainSource = sources.get(sources.size() - 1).getPort();
                check(bPorts.contains(lastMainSource) && !aPorts.contains(lastMainSource),
                        "the long-lived socket's last pings did not come from B's relay", all2);

                // 4. Both down: onUnavailable. fail: sends throw, naming both proxies; drop: dropped, counted, logged.
                aAgain.close();
                b.close();
                String both = "none of the 2 SOCKS5 proxies granted a UDP association.*" + Pattern.quote(a.address())
                        + ".*" + Pattern.quote(b.address()) + ".*";
                if (onUnavailable.equals("fail")) {
                    app.awaitStdout("^ping \\d+ error at \\d+ .*" + both, Duration.ofSeconds(10));
                } else {
                    // Waits for the drop itself (the configuration line at start names onUnavailable=drop too).
                    Pattern drop = Pattern.compile("dropped a datagram \\(" + both);
                    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while (!drop.matcher(read(logFile)).find()) {
                        check(System.nanoTime() < deadline, "the drop was not logged naming both proxies", all2);
                        Thread.sleep(50);
                    }
                    int lastOk = lastPing(app);
                    app.awaitStdout("^ping " + (lastOk + 3) + " timeout .*", Duration.ofSeconds(10));
                    check(app.stdoutLines().stream().noneMatch(l -> l.contains(" error at ")),
                            "with onUnavailable=drop a send failed", all2);
                }
                int seen = server.sources().size();
                Demos.sleep(300);
                check(server.sources().size() == seen, "datagrams reached the echo server while both proxies were"
                        + " down", all2);
                command(commands, "stop");
                check(app.awaitExit(Duration.ofSeconds(10)) == 0, "the ping program failed", all2);
            }
        } finally {
            if (aAgain != null) {
                aAgain.close();
            }
            if (b != null) {
                b.close();
            }
            a.close();
            Files.deleteIfExists(logFile);
            Files.deleteIfExists(commands);
        }
    }

    /**
     * Credentials per proxy: A without authentication, B (danted with RFC 1929 against the system's test account)
     * named {@code socks5://USER@B} with the password from {@code SOCKSUDP_PASSWORD}, which serves only the proxy
     * with a user. B refuses a greeting without username/password, so traffic through A (no credentials) and, after A
     * is stopped, through B proves each proxy got its own; the password appears in no output.
     */
    @Test
    void eachProxyIsUsedWithItsOwnCredentials() throws Exception {
        Dante.assumeTestUserExists();
        Path commands = Files.createTempFile("socksudp-failover-", ".commands");
        Dante a = Dante.start();
        Dante b = null;
        try (EchoServer server = Demos.startEchoServer(false)) {
            b = Dante.start(Dante.Auth.USERNAME);
            String proxies = a.address() + ",socks5://" + Dante.TEST_USER + "@" + b.address();
            try (ChildJvm app = Demos.socksified(ChildJvm.builder("failover-credentials"), proxies)
                    .env("SOCKSUDP_PASSWORD", Dante.TEST_PASSWORD)
                    .classpath(TestEnv.testClasses()).mainClass(FailoverPing.class.getName())
                    .args("--server", server.address(), "--interval", "20", "--timeout", "200",
                            "--commands", commands.toString()).start()) {
                Diagnosable[] all = {app, server, a, b};
                app.awaitStdout("^ping 3 ok .*", Demos.STARTUP);
                check(a.udpAssociations() == 1 && b.udpAssociations() == 0, "the first association did not go"
                        + " through A without credentials", all);
                a.close();
                app.awaitLine(ChildProcess.Stream.STDERR, l -> l.contains("moved from SOCKS5 proxy " + a.address()),
                        Duration.ofSeconds(10));
                app.awaitStdout("^ping " + (lastPing(app) + 3) + " ok .*", Duration.ofSeconds(10));
                check(b.udpAssociations() >= 1, "B, which needs the user's password, granted no association", all);
                command(commands, "stop");
                check(app.awaitExit(Duration.ofSeconds(10)) == 0, "the ping program failed", all);
                check(app.mergedLines().stream().noneMatch(l -> l.contains(Dante.TEST_PASSWORD)),
                        "the password appeared in the program's output", all);
            }
        } finally {
            if (b != null) {
                b.close();
            }
            a.close();
            Files.deleteIfExists(commands);
        }
    }

    /**
     * The JVM's own name look-ups ({@code socksudp.dns}) go over an association like any socket's, so they fail over
     * with it: a look-up through A, A stopped for good, the next look-up answered through B, as the DNS server's own
     * log shows (each query's source port is a relay port that danted's log names). dnsmasq answers only its test
     * domain, never forwards, and only an IP address goes through the danteds.
     */
    @Test
    void nameLookupsThroughTheProxyFailOverToo() throws Exception {
        Path go = Files.createTempFile("socksudp-failover-", ".go");
        Files.delete(go);
        Dante a = Dante.start();
        Dante b = null;
        try (Dnsmasq dns = Dnsmasq.start(Map.of("one.socksudp.test", "192.0.2.1", "two.socksudp.test", "192.0.2.2"))) {
            b = Dante.start();
            try (ChildJvm app = Demos.socksified(ChildJvm.builder("failover-lookups"), a.address() + "," + b.address())
                    .sysProp("socksudp.dns", "127.0.0.1:" + dns.port())
                    .classpath(TestEnv.testClasses()).mainClass(NameLookups.class.getName())
                    .args("all:one.socksudp.test", "wait:" + go, "all:two.socksudp.test").start()) {
                Diagnosable[] all = {app, dns, a, b};
                String first = app.awaitStdout("^LOOKUP all:one\\.socksudp\\.test -> .*", Demos.STARTUP).group(0);
                check(first.endsWith("-> [192.0.2.1]"), "the first look-up failed: " + first, all);
                Set<Integer> aPorts = a.relayPortsInLog();
                a.close();
                app.awaitLine(ChildProcess.Stream.STDERR, l -> l.contains("moved from SOCKS5 proxy " + a.address()),
                        Duration.ofSeconds(10));
                Files.writeString(go, "go");
                String second = app.awaitStdout("^LOOKUP all:two\\.socksudp\\.test -> .*", Duration.ofSeconds(20))
                        .group(0);
                check(second.endsWith("-> [192.0.2.2]"), "the look-up after the failover failed: " + second, all);
                check(app.awaitExit(Duration.ofSeconds(10)) == 0, "the look-up program failed", all);
                Set<Integer> bPorts = b.relayPortsInLog();
                List<Dnsmasq.Query> queries = dns.queries();
                check(queries.stream().anyMatch(q -> q.name().equals("one.socksudp.test")), "dnsmasq saw no query"
                        + " for the first name", all);
                for (Dnsmasq.Query q : queries) {
                    Set<Integer> via = q.name().startsWith("one.") ? aPorts : bPorts;
                    check(via.contains(q.sourcePort()), "dnsmasq got " + q + " from a port that the "
                            + (via == aPorts ? "first" : "second") + " danted's log does not name for its relay", all);
                }
            }
        } finally {
            if (b != null) {
                b.close();
            }
            a.close();
            Files.deleteIfExists(go);
        }
    }

    private static List<Matcher> okLines(ChildJvm app) {
        List<Matcher> result = new ArrayList<>();
        for (String l : app.stdoutLines()) {
            Matcher m = OK.matcher(l);
            if (m.matches()) {
                result.add(m);
            }
        }
        return result;
    }

    private static int lastPing(ChildJvm app) {
        int last = -1;
        Pattern ping = Pattern.compile("^ping (\\d+) .*");
        for (String l : app.stdoutLines()) {
            Matcher m = ping.matcher(l);
            if (m.matches()) {
                last = Integer.parseInt(m.group(1));
            }
        }
        return last;
    }

    private static void fresh(ChildJvm app, Path commands, int n, Diagnosable... context) throws IOException {
        command(commands, "fresh");
        String line = app.awaitStdout("^fresh " + n + " local \\d+ .*", Duration.ofSeconds(10)).group(0);
        check(line.contains(" ok at "), "the fresh socket's ping failed: " + line, context);
    }

    private static int freshPort(ChildJvm app, int n) {
        return Integer.parseInt(app.awaitStdout("^fresh " + n + " local (\\d+) .*", Duration.ofSeconds(1)).group(1));
    }

    private static void command(Path commands, String command) throws IOException {
        Files.writeString(commands, command + "\n", StandardOpenOption.APPEND);
    }

    private static void awaitLog(Path logFile, String text, Diagnosable... context) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!read(logFile).contains(text)) {
            check(System.nanoTime() < deadline, "the agent's log never said '" + text + "'", context);
            Thread.sleep(50);
        }
    }

    /** The epoch ms of the first agent log line matching {@code regex} (the log file's ISO 8601 timestamps). */
    private static long logTime(Path logFile, String regex) {
        Pattern p = Pattern.compile(".*" + regex + ".*");
        for (String l : read(logFile).split("\n")) {
            if (p.matcher(l).matches()) {
                Matcher m = LOG_TIME.matcher(l);
                if (m.matches()) {
                    return OffsetDateTime.parse(m.group(1)).toInstant().toEpochMilli();
                }
            }
        }
        throw new AssertionError("no agent log line matches " + regex + ":\n" + read(logFile));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no log file yet)";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
