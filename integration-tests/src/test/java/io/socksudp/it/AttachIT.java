package io.socksudp.it;

import static io.socksudp.it.support.Checks.check;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Cli;
import io.socksudp.it.support.Dante;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.Jdks;
import io.socksudp.it.support.Jdks.Jdk;
import io.socksudp.it.support.TamperingAgentJar;
import io.socksudp.it.support.TestEnv;

/**
 * {@code attach} and {@code status} against a running program ({@code io.socksudp.it.app.AttachTarget}) that opened
 * its sockets before the agent came: on each JDK of {@code socksudp.it.attachJdks} (default the test JDK, 25, 11, 8
 * and 21), with the CLI on that same JDK (JDK 8: through its tools.jar). The far side (the echo server) is the judge:
 * before the attach it sees the program's own ports, after it only the relay's, and never the connected socket's
 * datagram, which must fail rather than go around the proxy. A bad setting leaves the program as it was; a second
 * attach changes nothing; status reports what the far side saw.
 */
@Timeout(180)
class AttachIT {

    static final String TARGET = "io.socksudp.it.app.AttachTarget";

    static Stream<Jdk> jdks() {
        String spec = System.getProperty("socksudp.it.attachJdks", "test,25,11,8,21");
        String saved = System.getProperty("socksudp.it.jdks");
        System.setProperty("socksudp.it.jdks", spec);
        try {
            return Jdks.installs().stream();
        } finally {
            if (saved == null) {
                System.clearProperty("socksudp.it.jdks");
            } else {
                System.setProperty("socksudp.it.jdks", saved);
            }
        }
    }

    /** The target's outcome per socket in one round: socket, channel, connected -> its line. */
    static Map<String, String> round(ChildJvm target, Path rounds, int n) {
        try {
            Files.createFile(rounds.resolve(String.valueOf(n)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        target.awaitStdout("^done " + n + "$", Duration.ofSeconds(20));
        List<String> lines = target.stdoutLines();
        int end = lines.indexOf("done " + n);
        Map<String, String> result = new HashMap<>();
        for (int i = end - 3; i < end; i++) {
            String line = lines.get(i);
            result.put(line.substring(0, line.indexOf(' ')), line.substring(line.indexOf(' ') + 1));
        }
        return result;
    }

    static ChildJvm startTarget(Path javaHome, EchoServer server, Path rounds, String... jvmArgs) {
        ChildJvm target = ChildJvm.builder("attach-target").javaHome(javaHome).classpath(TestEnv.testClasses())
                .jvmArg(jvmArgs).mainClass(TARGET).args("--server", server.address(), "--rounds", rounds.toString())
                .start();
        target.awaitStdout("^READY$", Demos.STARTUP);
        return target;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void attachSendsTheOpenSocketsThroughTheProxy(Jdk jdk) throws IOException {
        jdk.assumePresent();
        Path rounds = Files.createTempDirectory("socksudp-attach-");
        try (EchoServer server = Demos.startEchoServer(false);
             ReferenceRelay relay = Demos.startReferenceRelay();
             ChildJvm target = startTarget(jdk.home(), server, rounds)) {
            String pid = String.valueOf(target.pid());
            Map<String, String> before = round(target, rounds, 1);
            check(before.values().stream().allMatch(v -> v.startsWith("ok")), "without the agent every socket"
                    + " should reach the echo server: " + before, target, server);
            // The echo server is a child JVM that prints a line per datagram: its list lags the replies a little.
            Set<Integer> ownPorts = server.awaitDatagrams(3, Duration.ofSeconds(10)).stream().map(InetSocketAddress::getPort)
                    .collect(Collectors.toSet());

            // A bad setting: reported by attach, the target untouched.
            ChildJvm bad = Cli.run(Cli.on(jdk.home(), "cli-attach-bad", "attach", pid, "proxy=foo:bar"));
            check(Cli.code(bad) == 2, "attach with proxy=foo:bar should exit 2", bad, target);
            check(bad.stderrText().contains("proxy 'foo:bar' has an invalid port") && bad.stderrText()
                    .contains("JVM " + pid + " was not changed"), "attach should name the bad setting", bad);
            Map<String, String> untouched = round(target, rounds, 2);
            check(untouched.values().stream().allMatch(v -> v.startsWith("ok")), "after a refused attach the program"
                    + " should run as before: " + untouched, target, server);
            check(!target.stderrText().contains("socksudp"), "a refused attach printed in the target", target);
            int sourcesBefore = server.awaitDatagrams(6, Duration.ofSeconds(10)).size();

            ChildJvm attach = Cli.run(Cli.on(jdk.home(), "cli-attach", "attach", pid, "proxy=" + relay.address(),
                    "nonProxyHosts="));
            check(Cli.code(attach) == 0 && attach.stdoutText().contains("socksudp attached to JVM " + pid),
                    "attach should succeed", attach, target);
            Map<String, String> after = round(target, rounds, 3);
            check(after.get("socket").startsWith("ok from /127.0.0.1:" + server.port())
                            && after.get("channel").startsWith("ok from /127.0.0.1:" + server.port()),
                    "after attach the open unconnected sockets should reach the echo server through the relay (replies"
                            + " reported from the server): " + after, target, server, relay);
            check(after.get("connected").startsWith("error java.io.IOException: socksudp: this socket was connected"),
                    "the socket connected before the attach must fail closed: " + after, target);
            server.awaitDatagrams(sourcesBefore + 2, Duration.ofSeconds(10));
            Demos.sleep(300); // and no more
            List<InetSocketAddress> seen = server.sources().subList(sourcesBefore, server.sources().size());
            Set<Integer> relayPorts = relay.externalAddresses().stream().map(InetSocketAddress::getPort)
                    .collect(Collectors.toSet());
            check(seen.size() == 2 && seen.stream().allMatch(a -> relayPorts.contains(a.getPort())
                    && !ownPorts.contains(a.getPort())), "after attach the echo server should see exactly two datagrams,"
                    + " both from the relay's external ports " + relayPorts + ": " + seen, target, server, relay);

            ChildJvm again = Cli.run(Cli.on(jdk.home(), "cli-attach-again", "attach", pid, "proxy=" + relay.address()));
            check(Cli.code(again) == 3 && again.stderrText().contains("runs socksudp already"),
                    "a second attach should be refused with exit 3", again, target);

            ChildJvm status = Cli.run(Cli.on(jdk.home(), "cli-status", "status", pid));
            check(Cli.code(status) == 0, "status should exit 0", status, target);
            Map<String, String> counters = counters(status);
            List<Integer> sizes = server.sizes().subList(sourcesBefore, server.sizes().size());
            long bytes = sizes.stream().mapToLong(Integer::longValue).sum();
            check(counters.get("DatagramsSentThroughProxy").equals(String.valueOf(seen.size()))
                            && counters.get("DatagramsReceivedThroughProxy").equals(String.valueOf(seen.size()))
                            && counters.get("BytesSentThroughProxy").equals(String.valueOf(bytes))
                            && counters.get("BytesReceivedThroughProxy").equals(String.valueOf(bytes))
                            && counters.get("AssociationsOpened").equals("2")
                            && counters.get("LiveAssociations").equals("2")
                            && counters.get("Proxy").equals(relay.address()),
                    "status should match what the far side saw (" + seen.size() + " datagrams, " + bytes + " bytes, two"
                            + " associations): " + counters, status, server);
            if (jdk.feature() >= 21) {
                // JEP 451: JDK 21+ warns about agents loaded into a running JVM (documented in the README).
                check(target.stderrText().contains("A Java agent has been loaded dynamically"),
                        "JDK " + jdk.feature() + " should print its dynamic-agent warning", target);
            }
            System.out.println("ATTACH " + jdk.label() + ": attached, 2 open sockets proxied, the pre-attach connected"
                    + " one failed closed, second attach refused, status " + counters.get("DatagramsSentThroughProxy")
                    + " datagrams / " + bytes + " bytes = far side; target stderr: "
                    + target.stderrLines().stream().filter(l -> l.contains("WARNING")).findFirst().orElse("(none)"));
        }
    }

    static Stream<Jdk> refusalJdks() {
        String spec = System.getProperty("socksudp.it.attachRefusalJdks", "test,8");
        String saved = System.getProperty("socksudp.it.jdks");
        System.setProperty("socksudp.it.jdks", spec);
        try {
            return Jdks.installs().stream();
        } finally {
            if (saved == null) {
                System.clearProperty("socksudp.it.jdks");
            } else {
                System.setProperty("socksudp.it.jdks", saved);
            }
        }
    }

    /** The agent's threads alive in the target at round {@code n} (the line before its three outcomes). */
    static String threads(ChildJvm target, int n) {
        List<String> lines = target.stdoutLines();
        return lines.get(lines.indexOf("done " + n) - 4);
    }

    /**
     * The two ways an attach can fail inside the target, where the command cannot check beforehand: a setting only the
     * target can judge (a log file it cannot write), and JDK internals the agent refuses (the target runs with a test
     * agent, TamperingAgent, that renames a member of DatagramChannelImpl as the JDK loads it: sourceSocketAddress from
     * JDK 17 on, remoteAddress before, with the JDK 8 socket adaptor's calls to it). Each is reported by attach in one
     * sentence, exit 1, and the target goes on as before: its three sockets still reach the echo server directly from
     * their own ports, the relay never hears of it, no socksudp thread is left and nothing is printed in it. Then the
     * same failure again (the class restored, the attach tried afresh), and status says the JVM has no socksudp.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refusalJdks")
    void anAttachThatFailsInsideTheTargetLeavesItAsItWas(Jdk jdk) throws IOException {
        jdk.assumePresent();
        Path rounds = Files.createTempDirectory("socksudp-attach-");
        String mode = jdk.feature() >= 17 ? "rename" : "rename-remote";
        String member = jdk.feature() >= 17 ? "sourceSocketAddress" : "remoteAddress";
        try (EchoServer server = Demos.startEchoServer(false);
             ReferenceRelay relay = Demos.startReferenceRelay();
             ChildJvm target = startTarget(jdk.home(), server, rounds,
                     "-javaagent:" + TamperingAgentJar.write(rounds) + "=" + mode)) {
            String pid = String.valueOf(target.pid());
            Map<String, String> before = round(target, rounds, 1);
            check(before.values().stream().allMatch(v -> v.startsWith("ok")), "without the agent every socket"
                    + " should reach the echo server: " + before, target, server);
            Set<Integer> ownPorts = server.awaitDatagrams(3, Duration.ofSeconds(10)).stream().map(InetSocketAddress::getPort)
                    .collect(Collectors.toSet());
            check(ownPorts.size() == 3, "three sockets, three ports: " + server.sources(), server);

            ChildJvm badLog = Cli.run(Cli.on(jdk.home(), "cli-attach-badlog", "attach", pid,
                    "proxy=" + relay.address(), "nonProxyHosts=", "logFile=/nonexistent-socksudp-dir/agent.log"));
            check(Cli.code(badLog) == 1 && badLog.stderrLines().size() == 1
                            && badLog.stderrText().contains("runs on without it, unchanged")
                            && badLog.stderrText().contains("names a log file that cannot be written"),
                    "attach with an unwritable log file should fail with one sentence naming it", badLog, target);

            Path openFile = rounds.resolve("password");
            Files.writeString(openFile, "s3cret-pw\n");
            Files.setPosixFilePermissions(openFile,
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            ChildJvm openPassword = Cli.run(Cli.on(jdk.home(), "cli-attach-openpw", "attach", pid,
                    "proxy=" + relay.address(), "username=alice", "--password-file", openFile.toString()));
            check(Cli.code(openPassword) == 2 && openPassword.stderrText().contains("every user of this machine may"
                    + " read") && !openPassword.mergedLines().toString().contains("s3cret-pw"),
                    "attach with a password file others may read: exit 2, as socksudp.passwordFile", openPassword);

            long started = System.nanoTime();
            ChildJvm refused = Cli.run(Cli.on(jdk.home(), "cli-attach-refused", "attach", pid,
                    "proxy=" + relay.address(), "nonProxyHosts="));
            long attachMs = (System.nanoTime() - started) / 1_000_000;
            check(Cli.code(refused) == 1 && refused.stderrLines().size() == 1
                            && refused.stderrText().contains("runs on without it, unchanged")
                            && refused.stderrText().contains("is not supported")
                            && refused.stderrText().contains(member),
                    "attach into a JDK whose internals the agent refuses should fail with one sentence naming the"
                            + " missing " + member, refused, target);
            check(target.isAlive(), "the refused attach stopped the target", target, refused);

            for (int n = 2; n <= 3; n++) {
                Map<String, String> after = round(target, rounds, n);
                check(after.values().stream().allMatch(v -> v.startsWith("ok from /127.0.0.1:" + server.port())),
                        "after a failed attach every socket should work as before: " + after, target, server);
                check(threads(target, n).equals("threads"), "a failed attach left threads: " + threads(target, n),
                        target);
                if (n == 2) {
                    ChildJvm again = Cli.run(Cli.on(jdk.home(), "cli-attach-again", "attach", pid,
                            "proxy=" + relay.address(), "nonProxyHosts="));
                    check(Cli.code(again) == 1 && again.stderrText().contains(member),
                            "a second attach should be tried afresh and fail the same way", again, target);
                }
            }
            server.awaitDatagrams(9, Duration.ofSeconds(10));
            Demos.sleep(300); // and no more
            List<InetSocketAddress> seen = server.sources();
            check(seen.size() == 9 && seen.stream().allMatch(a -> ownPorts.contains(a.getPort())),
                    "the echo server should have seen all nine datagrams from the target's own ports " + ownPorts
                            + ": " + seen, target, server, relay);
            check(relay.relayAddresses().isEmpty(), "the relay saw an association: " + relay.relayAddresses(), relay);
            // (JDK 21+ prints its own dynamic-agent warning for each load, naming the jar: JEP 451, documented.)
            check(target.stderrLines().stream().noneMatch(l -> l.contains("socksudp") && !l.startsWith("WARNING: ")),
                    "a failed attach printed in the target", target);

            ChildJvm status = Cli.run(Cli.on(jdk.home(), "cli-status-refused", "status", pid));
            check(Cli.code(status) == 1 && status.stderrText().contains("has no socksudp agent"),
                    "status after a failed attach should say the JVM has no socksudp", status, target);
            System.out.println("ATTACH-REFUSED " + jdk.label() + ": attach refused in " + attachMs + " ms ("
                    + refused.stderrText().trim() + "); the target ran on direct, no thread left");
        }
    }

    /** Writes step {@code n}'s command for CountersTarget and returns its output lines (between the steps). */
    static List<String> step(ChildJvm target, Path rounds, int n, String command) {
        try {
            Path tmp = rounds.resolve(n + ".tmp");
            Files.writeString(tmp, command);
            Files.move(tmp, rounds.resolve(String.valueOf(n)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        target.awaitStdout("^done " + n + "$", Duration.ofSeconds(30));
        List<String> lines = target.stdoutLines();
        int end = lines.indexOf("done " + n);
        int start = n == 1 ? lines.indexOf("READY") : lines.indexOf("done " + (n - 1));
        return lines.subList(start + 1, end);
    }

    /**
     * Every counter of {@code status} (and so of the MBean) against what the far side saw, with the agent started by
     * premain through real Dante: datagrams and bytes through the proxy both ways (the echo server's count and sizes),
     * datagrams sent directly (a sink on 127.0.0.2, a bypassed address, sees them from the program's own port), drops
     * by cause (datagrams the test itself sends to the program's port from a stranger socket: not delivered, counted as
     * not_from_relay), associations opened, live and re-established (the control connection aborted with ss -K: the
     * echo server then sees a new relay port), the last error with its time (the loss, then the proxy gone), and
     * associations failed (danted stopped: the send fails naming the proxy, the echo server sees nothing more).
     */
    @Test
    void statusCountersMatchTheFarSide() throws Exception {
        Path rounds = Files.createTempDirectory("socksudp-counters-");
        Dante dante = Dante.start();
        try (EchoServer server = Demos.startEchoServer(false);
             java.net.DatagramSocket sink = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
             java.net.DatagramSocket stranger = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             ChildJvm target = ChildJvm.builder("counters-target").classpath(TestEnv.testClasses())
                     .withAgent().sysProp("socksudp.proxy", dante.address())
                     .sysProp("socksudp.nonProxyHosts", "127.0.0.2")
                     .mainClass("io.socksudp.it.app.CountersTarget")
                     .args("--server", server.address(), "--direct", "127.0.0.2:" + sink.getLocalPort(),
                             "--rounds", rounds.toString()).start()) {
            target.awaitStdout("^READY$", Demos.STARTUP);
            String pid = String.valueOf(target.pid());
            int localPort = Integer.parseInt(target.stdoutLines().stream().filter(l -> l.startsWith("local "))
                    .findFirst().orElseThrow().substring(6));

            List<String> echoed = step(target, rounds, 1, "echo 3");
            check(echoed.equals(List.of("echo ok 20", "echo ok 21", "echo ok 22")), "three echoes: " + echoed, target,
                    dante, server);
            List<String> direct = step(target, rounds, 2, "direct 2");
            List<InetSocketAddress> sinkSaw = new ArrayList<>();
            sink.setSoTimeout(3000);
            for (int i = 0; i < 2; i++) {
                java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[100], 100);
                sink.receive(p);
                sinkSaw.add((InetSocketAddress) p.getSocketAddress());
            }
            check(direct.isEmpty() && sinkSaw.stream().allMatch(a -> a.getPort() == localPort),
                    "the bypassed sink should see two datagrams from the program's own port " + localPort + ": "
                            + sinkSaw, target);
            for (int i = 0; i < 2; i++) {
                stranger.send(new java.net.DatagramPacket(new byte[7], 7, new InetSocketAddress("127.0.0.1",
                        localPort)));
            }
            List<String> listened = step(target, rounds, 3, "listen");
            check(listened.equals(List.of("listen timeout")), "the strangers' datagrams must not be delivered: "
                    + listened, target);

            Demos.sleep(200);
            List<InetSocketAddress> seen = server.sources();
            long bytes = server.sizes().stream().mapToLong(Integer::longValue).sum();
            Set<Integer> relayPorts = seen.stream().map(InetSocketAddress::getPort).collect(Collectors.toSet());
            check(seen.size() == 3 && bytes == 63 && relayPorts.size() == 1 && !relayPorts.contains(localPort),
                    "the echo server should have seen 3 datagrams (63 bytes) from one relay port: " + seen, server);
            Map<String, String> c1 = counters(Cli.run("status", pid));
            Map<String, String> expected1 = new java.util.LinkedHashMap<>();
            expected1.put("Proxy", dante.address());
            expected1.put("LiveAssociations", "1");
            expected1.put("AssociationsOpened", "1");
            expected1.put("AssociationsFailed", "0");
            expected1.put("AssociationsReestablished", "0");
            expected1.put("DatagramsSentThroughProxy", "3");
            expected1.put("BytesSentThroughProxy", "63");
            expected1.put("DatagramsReceivedThroughProxy", "3");
            expected1.put("BytesReceivedThroughProxy", "63");
            expected1.put("DatagramsSentDirectly", "2");
            expected1.put("DatagramsDropped", "2");
            expected1.put("LastError", "");
            expected1.put("LastErrorTime", "");
            for (Map.Entry<String, String> e : expected1.entrySet()) {
                check(e.getValue().equals(c1.get(e.getKey())), "status " + e.getKey() + " should be '" + e.getValue()
                        + "' as the far side saw, got " + c1, target, dante, server);
            }
            check(c1.get("DropsByCause").contains("not_from_relay=2"), "two strangers dropped as not_from_relay: "
                    + c1.get("DropsByCause"), target);

            java.time.Instant beforeLoss = java.time.Instant.now().minusMillis(1);
            check(dante.abortControlConnections() == 1, "one control connection to abort", dante);
            for (long deadline = System.nanoTime() + 20_000_000_000L; !target.stderrText().contains("re-established")
                    && System.nanoTime() < deadline; ) {
                Demos.sleep(50);
            }
            check(target.stderrText().contains("re-established"), "the agent did not re-establish", target, dante);
            List<String> again = step(target, rounds, 4, "echo 1");
            check(again.equals(List.of("echo ok 20")), "an echo after the re-association: " + again, target, dante);
            Demos.sleep(200);
            Set<Integer> portsAfter = server.sources().subList(3, server.sources().size()).stream()
                    .map(InetSocketAddress::getPort).collect(Collectors.toSet());
            check(portsAfter.size() == 1 && !relayPorts.containsAll(portsAfter),
                    "after the abort the echo server should see a new relay port: " + server.sources(), server);
            Map<String, String> c2 = counters(Cli.run("status", pid));
            java.time.Instant lossAt = java.time.Instant.parse(c2.get("LastErrorTime"));
            check(c2.get("AssociationsOpened").equals("2") && c2.get("AssociationsReestablished").equals("1")
                            && c2.get("LiveAssociations").equals("1") && c2.get("AssociationsFailed").equals("0")
                            && c2.get("DatagramsSentThroughProxy").equals("4")
                            && c2.get("LastError").contains("lost")
                            && !lossAt.isBefore(beforeLoss) && !lossAt.isAfter(java.time.Instant.now()),
                    "after one loss: 2 opened, 1 re-established, 1 live, the loss as last error with its time (after "
                            + beforeLoss + "): " + c2, target, dante);

            dante.close();
            List<String> down = step(target, rounds, 5, "echo 1");
            check(down.size() == 1 && down.get(0).startsWith("echo error") && down.get(0).contains(dante.address()),
                    "with danted gone the send should fail naming the proxy: " + down, target);
            Map<String, String> c3 = counters(Cli.run("status", pid));
            check(Long.parseLong(c3.get("AssociationsFailed")) >= 1 && c3.get("LastError").contains("cannot reach")
                            && c3.get("LiveAssociations").equals("0") && c3.get("DatagramsSentThroughProxy").equals("4")
                            && server.sources().size() == 4,
                    "with danted gone: failed associations counted, the last error names it, none live, nothing more"
                            + " sent or seen by the echo server: " + c3, target);
            System.out.println("STATUS counters = far side: " + c1 + "; after the loss " + c2.get("LastError")
                    + "; proxy gone: failed " + c3.get("AssociationsFailed") + ", " + c3.get("LastError"));
        } finally {
            dante.close();
        }
    }

    static Map<String, String> counters(ChildJvm status) {
        Map<String, String> counters = new HashMap<>();
        for (String line : status.stdoutLines()) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                counters.put(line.substring(0, colon), line.substring(colon + 2));
            }
        }
        return counters;
    }

    @Test
    void statusOfAJvmWithoutTheAgentSaysSo() throws IOException {
        Path rounds = Files.createTempDirectory("socksudp-attach-");
        try (EchoServer server = Demos.startEchoServer(false);
             ChildJvm target = startTarget(TestEnv.javaHome(), server, rounds)) {
            ChildJvm status = Cli.run("status", String.valueOf(target.pid()));
            check(Cli.code(status) == 1 && status.stderrText().contains("has no socksudp agent"),
                    "status of a JVM without the agent should exit 1 saying so", status);
            check(round(target, rounds, 1).values().stream().allMatch(v -> v.startsWith("ok")),
                    "status must leave a JVM without the agent working", target);
        }
    }

    /**
     * The agent on the -javaagent path registers nothing at start: a program that installs its own
     * java.util.logging.manager in main gets it; none of the CLI's classes load; then status (which asks for the
     * MBean) reports what the far side saw.
     */
    @Test
    void premainLeavesLoggingAndJmxToTheApplicationAndStatusReadsTheMBean() throws IOException {
        Path rounds = Files.createTempDirectory("socksudp-attach-");
        try (EchoServer server = Demos.startEchoServer(false);
             ReferenceRelay relay = Demos.startReferenceRelay();
             ChildJvm target = ChildJvm.builder("jul-target").classpath(TestEnv.testClasses())
                     .agent(TestEnv.agentJar(), "proxy=" + relay.address() + ",nonProxyHosts=")
                     .jvmArg("-verbose:class").mainClass(TARGET)
                     .args("--server", server.address(), "--rounds", rounds.toString(), "--jul-manager").start()) {
            target.awaitStdout("^READY$", Demos.STARTUP);
            check(target.stdoutLines().contains("jul io.socksudp.it.app.AttachTarget$AppLogManager"),
                    "the program's own java.util.logging.manager must be the one in use", target);
            List<String> loaded = new ArrayList<>(target.stdoutLines());
            for (String room : List.of("io.socksudp.agent.cli.", "io.socksudp.agent.probe.", "io.socksudp.agent.jmx.")) {
                check(loaded.stream().noneMatch(l -> l.contains(room)), "the -javaagent path loaded " + room, target);
            }
            // No JMX class at all: the agent's MBeanServerBuilder is defined only when MBeanServerFactory loads.
            check(loaded.stream().noneMatch(l -> l.contains("javax.management.") || l.contains(".MBeanServerHook")),
                    "the -javaagent path touched JMX", target);
            Map<String, String> r = round(target, rounds, 1);
            check(r.values().stream().allMatch(v -> v.startsWith("ok")), "all three sockets through the relay: " + r,
                    target, relay);
            ChildJvm status = Cli.run("status", String.valueOf(target.pid()));
            check(Cli.code(status) == 0, "status should exit 0", status, target);
            Map<String, String> counters = counters(status);
            server.awaitDatagrams(3, Duration.ofSeconds(10)); // the echo server's list lags its replies
            long bytes = server.sizes().stream().mapToLong(Integer::longValue).sum();
            check(counters.get("DatagramsSentThroughProxy").equals("3") && counters.get("AssociationsOpened").equals("3")
                            && counters.get("BytesSentThroughProxy").equals(String.valueOf(bytes))
                            && server.sources().size() == 3,
                    "status should report the 3 datagrams (" + bytes + " bytes) the far side saw: " + counters,
                    status, server);
            check(counters.get("DropsByCause").contains("not_from_relay=0"), "drops by cause listed: " + counters,
                    status);
            check(target.stderrLines().isEmpty(), "status must leave nothing on the program's stderr (no second agent"
                    + " load)", target);
        }
    }
}
