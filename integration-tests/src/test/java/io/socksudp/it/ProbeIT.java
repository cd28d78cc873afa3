package io.socksudp.it;

import static io.socksudp.it.support.Checks.assertEchoClientOk;
import static io.socksudp.it.support.Checks.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Cli;
import io.socksudp.it.support.Dante;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.NatLab;
import io.socksudp.it.support.NatLab.Host;
import io.socksudp.it.support.Shadowsocks;
import io.socksudp.it.support.TestEnv;

/**
 * {@code probe} names every quirk the reference relay can imitate and the setting that fixes it (and the agent then
 * works with exactly that setting), describes danted and ss-local as they are, refuses what cannot work with one
 * sentence and a non-zero exit, and keeps passwords off the command line. Across the NAT lab it probes through an echo
 * server on the public host, as a user behind a NAT would.
 */
@Timeout(120)
class ProbeIT {

    private static EchoServer echo;

    /** One echo server for the checks that the recommended setting works, started on first use. */
    static synchronized EchoServer echoServer() {
        if (echo == null) {
            echo = Demos.startEchoServer(false);
        }
        return echo;
    }

    @AfterAll
    static void stopEchoServer() {
        if (echo != null) {
            echo.close();
        }
    }

    /** check -> kind (ok, quirk, fail, skipped) from the text report. */
    static Map<String, String> findings(ChildJvm probe) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String line : probe.stdoutLines()) {
            String[] parts = line.trim().split("\\s+", 3);
            if (parts.length == 3 && List.of("ok", "quirk", "fail", "skipped").contains(parts[0])) {
                result.put(parts[1], parts[0]);
            }
        }
        return result;
    }

    static String conclusion(ChildJvm probe) {
        return probe.stdoutLines().stream().filter(l -> l.startsWith("RECOMMENDATION: ") || l.startsWith("RESULT: "))
                .findFirst().orElse("(no conclusion)");
    }

    static ChildJvm probe(String proxy, String... options) {
        ChildJvm.Builder b = Cli.on(TestEnv.javaHome(), "cli-probe", "probe", proxy, "--wait", "400").args(options);
        return Cli.run(b);
    }

    /**
     * misbehaviours (several at once where they combine), the expected "check kind" findings, the setting the
     * recommendation must name ("" for the defaults).
     */
    static Stream<Arguments> quirks() {
        return Stream.of(
                Arguments.of("strict-dst", "dst ok,teardown.icmp ok,bnd ok,idle ok,idle-timeout ok", ""), // as Dante
                Arguments.of("ignore-dst,bnd-wildcard,icmp-teardown", "dst quirk,bnd quirk,teardown.icmp quirk", ""),
                Arguments.of("reply-to-dst-port", "quirk.reply-to-dst-port quirk", "socksudp.associate=port"),
                Arguments.of("port-zero-is-tcp-port", "quirk.port-zero-is-tcp-port quirk", "socksudp.associate=port"),
                Arguments.of("bnd-unreachable", "bnd quirk", "socksudp.relayHost=127.0.0.1"),
                Arguments.of("drop-tcp-random --drop-after-ms 300 --seed 3", "idle quirk", ""));
    }

    @ParameterizedTest(name = "{0}: {1} {2}")
    @MethodSource("quirks")
    void namesEachQuirkOfTheReferenceRelayAndTheSettingThatWorks(String misbehave, String expected, String setting) {
        String[] relayArgs = misbehave.isEmpty() ? new String[0]
                : ("--misbehave " + misbehave).split(" ");
        try (ReferenceRelay relay = Demos.startReferenceRelayWith(relayArgs)) {
            ChildJvm probe = misbehave.equals("strict-dst") ? probe(relay.address(), "--idle", "1")
                    : probe(relay.address());
            Map<String, String> f = findings(probe);
            check(Cli.code(probe) == 0, misbehave + ": probe should find a working setting (exit 0)", probe, relay);
            for (String e : expected.split(",")) {
                String[] checkAndKind = e.split(" ");
                check(checkAndKind[1].equals(f.get(checkAndKind[0])), misbehave + ": expected " + e + ", got " + f,
                        probe);
            }
            String conclusion = conclusion(probe);
            check(setting.isEmpty() ? conclusion.contains("with the defaults") : conclusion.contains(setting),
                    misbehave + ": the recommendation should name " + (setting.isEmpty() ? "the defaults" : setting)
                            + ": " + conclusion, probe);
            check(probe.stdoutLines().get(probe.stdoutLines().size() - 1).equals(conclusion),
                    "the recommendation comes last", probe);
            System.out.println("PROBE reference relay " + (misbehave.isEmpty() ? "(no misbehaviour)" : misbehave)
                    + ": " + expected + "; " + conclusion);
            if (!setting.isEmpty()) {
                // The recommendation is right: the agent works with exactly that setting.
                EchoServer server = echoServer();
                {
                    String[] kv = setting.split("=");
                    ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), 2, false), relay.address())
                            .sysProp(kv[0], kv[1]).start();
                    try (client) {
                        assertEchoClientOk(client, 2, server, relay);
                    }
                }
            }
        }
    }

    @Test
    void refusedUdpIsOneSentenceAndExit1() {
        try (ReferenceRelay relay = Demos.startReferenceRelayWith("--misbehave", "refuse-udp")) {
            ChildJvm probe = probe(relay.address());
            check(Cli.code(probe) == 1, "probe of a server refusing UDP should exit 1", probe);
            check(probe.stderrLines().size() == 1 && probe.stderrText().contains("command not supported (REP 0x07)"),
                    "one sentence naming REP 7 on stderr", probe);
        }
        ChildJvm unreachable = probe("127.0.0.1:1");
        check(Cli.code(unreachable) == 1 && unreachable.stderrText().contains("cannot reach the SOCKS5 server"),
                "an unreachable server: exit 1 saying so", unreachable);
    }

    /**
     * The reference relay's {@code no-replies} (a relay, or a firewall beside it, that relays out and delivers nothing
     * back, whatever the request names): no setting works, so exit 1 with one sentence saying what was seen.
     */
    @Test
    void aRelayThatNeverDeliversRepliesIsOneSentenceAndExit1() {
        try (ReferenceRelay relay = Demos.startReferenceRelayWith("--misbehave", "no-replies")) {
            ChildJvm probe = probe(relay.address());
            check(Cli.code(probe) == 1, "probe of a relay that never delivers replies should exit 1", probe, relay);
            check(probe.stderrLines().size() == 1 && probe.stderrText().contains("relayed datagrams out but never"
                    + " back with any UDP ASSOCIATE form"), "one sentence: out, never back, with any form", probe,
                    relay);
        }
    }

    @Test
    void credentialsComeFromAFileOrTheEnvironmentNeverTheCommandLine() throws IOException {
        try (ReferenceRelay relay = Demos.startReferenceRelay("alice", "s3cret-pw")) {
            ChildJvm none = probe(relay.address());
            check(Cli.code(none) == 1 && none.stderrText().contains("requires authentication; run probe with --user"),
                    "without --user: exit 1 asking for it", none);
            ChildJvm onCommandLine = probe(relay.address(), "--user", "alice", "--password", "s3cret-pw");
            check(Cli.code(onCommandLine) == 2 && onCommandLine.stderrText().contains("never taken from the command"
                    + " line"), "--password must be refused", onCommandLine);
            ChildJvm fromEnv = Cli.run(Cli.on(TestEnv.javaHome(), "cli-probe", "probe", relay.address(), "--user",
                    "alice", "--json", "--wait", "400").env("SOCKSUDP_PASSWORD", "s3cret-pw"));
            check(Cli.code(fromEnv) == 0 && fromEnv.stdoutText().startsWith("{\"proxy\":")
                    && fromEnv.stdoutText().contains("\"works\":true"), "--user with SOCKSUDP_PASSWORD, --json", fromEnv);
            Path file = Files.createTempFile("socksudp-pw", "", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(file, "wrong-pw\n");
                ChildJvm wrong = probe(relay.address(), "--user", "alice", "--password-file", file.toString());
                check(Cli.code(wrong) == 1 && wrong.stderrText().contains("rejected"), "wrong password: exit 1", wrong);
                check(!wrong.mergedLines().toString().contains("wrong-pw"), "the password was echoed", wrong);

                // The same check as socksudp.passwordFile: a file others may read is refused before anything is sent.
                Files.writeString(file, "s3cret-pw\n");
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
                int handshakes = relay.relayAddresses().size();
                ChildJvm open = probe(relay.address(), "--user", "alice", "--password-file", file.toString());
                check(Cli.code(open) == 2 && open.stderrLines().size() == 1
                                && open.stderrText().contains("Option --password-file '" + file + "' names a file that"
                                + " every user of this machine may read") && open.stderrText().contains("chmod 600"),
                        "a password file others may read: exit 2 with the agent's sentence", open);
                check(!open.mergedLines().toString().contains("s3cret-pw"), "the password was echoed", open);
                check(relay.relayAddresses().size() == handshakes, "the probe went on with an unprotected file", relay);
            } finally {
                Files.delete(file);
            }
        }
    }

    @Test
    void dante() throws IOException {
        try (Dante dante = Dante.start()) {
            ChildJvm probe = probe(dante.address());
            Map<String, String> f = findings(probe);
            check(Cli.code(probe) == 0 && conclusion(probe).contains("with the defaults"), "danted works with the"
                    + " defaults", probe, dante);
            for (String id : List.of("associate.zero", "associate.port", "associate.full", "bnd", "dst", "teardown.icmp",
                    "teardown.tcp", "frag", "atyp.domain", "pipelining", "idle")) {
                check("ok".equals(f.get(id)), "danted: expected " + id + " ok, got " + f, probe);
            }
            System.out.println("PROBE danted: " + f);
        }
        Dante.assumeTestUserExists();
        try (Dante dante = Dante.start(Dante.Auth.USERNAME)) {
            Path file = Files.createTempFile("socksudp-pw", "");
            try {
                Files.writeString(file, Dante.TEST_PASSWORD + "\n");
                ChildJvm probe = probe(dante.address(), "--user", Dante.TEST_USER, "--password-file", file.toString());
                check(Cli.code(probe) == 0 && "ok".equals(findings(probe).get("associate.zero")),
                        "danted with RFC 1929 credentials from a file", probe, dante);
            } finally {
                Files.delete(file);
            }
        }
    }

    @Test
    void ssLocal() {
        try (Shadowsocks ss = Shadowsocks.start()) {
            ChildJvm probe = probe(ss.address());
            Map<String, String> f = findings(probe);
            check(Cli.code(probe) == 0 && conclusion(probe).contains("with the defaults"), "ss-local works with the"
                    + " defaults", probe, ss);
            check("quirk".equals(f.get("dst")) && "quirk".equals(f.get("teardown.tcp"))
                    && "ok".equals(f.get("associate.zero")), "ss-local ignores DST and keeps relaying after the control"
                    + " connection closes (its UDP relay is shared): " + f, probe);
            System.out.println("PROBE ss-local: " + f);
        }
    }

    /**
     * From behind a real NAT (client namespace) with the reference relay on the public host: the probe's own socket
     * cannot be reached, so it says so; with {@code --echo} (an echo server on the public host) it names the quirks
     * that only show across a NAT's port handling, and the full form (the private address) fails.
     */
    @Test
    void behindNat() {
        try (NatLab lab = NatLab.create();
             EchoServer echo = Demos.startEchoServer(lab, Host.PUBLIC)) {
            for (String misbehave : List.of("", "reply-to-dst-port", "port-zero-is-tcp-port")) {
                String[] relayArgs = misbehave.isEmpty() ? new String[0] : new String[] {"--misbehave", misbehave};
                try (ReferenceRelay relay = Demos.startReferenceRelay(lab, Host.PUBLIC, relayArgs)) {
                    if (misbehave.isEmpty()) {
                        ChildJvm blind = Cli.run(lab.jvm(Host.CLIENT, "cli-probe").classpath(TestEnv.agentJar())
                                .mainClass(Cli.MAIN).args("probe", relay.address(), "--wait", "400"));
                        check(Cli.code(blind) == 1 && blind.stderrText().contains("--echo HOST:PORT"),
                                "behind a NAT without --echo the probe should say it cannot see and exit 1", blind);
                    }
                    ChildJvm probe = Cli.run(lab.jvm(Host.CLIENT, "cli-probe").classpath(TestEnv.agentJar())
                            .mainClass(Cli.MAIN).args("probe", relay.address(), "--echo", echo.address(), "--wait",
                                    "400"));
                    Map<String, String> f = findings(probe);
                    String conclusion = conclusion(probe);
                    check(Cli.code(probe) == 0, misbehave + " behind NAT: exit 0", probe, relay, lab);
                    check("fail".equals(f.get("associate.full")), "the full form names the private address and fails"
                            + " across the NAT: " + f, probe);
                    if (misbehave.isEmpty()) {
                        check(conclusion.contains("with the defaults"), "defaults across NAT: " + conclusion, probe);
                    } else {
                        check("quirk".equals(f.get("quirk." + misbehave)) && conclusion.contains(
                                "socksudp.associate=port"), misbehave + " across NAT: " + f + " " + conclusion, probe);
                    }
                    System.out.println("PROBE behind NAT, relay " + (misbehave.isEmpty() ? "(none)" : misbehave) + ": "
                            + f + "; " + conclusion);
                }
            }
        }
    }

    /**
     * From behind the NAT lab's NAT without --echo: two associations sending to each other's relay address. A server
     * with one socket per association (the reference relay's single-socket, as many small servers) delivers both
     * ways: the probe finds it works with the defaults, and with reply-to-dst-port on top, that only the port form
     * delivers (associate=port). Real Dante takes datagrams at its relay address only from its own client: the probe
     * says the check showed nothing, asks for --echo and exits 1.
     */
    @Test
    void behindNatWithoutHelp() {
        try (NatLab lab = NatLab.create()) {
            for (String misbehave : List.of("single-socket", "single-socket,reply-to-dst-port")) {
                try (ReferenceRelay relay = Demos.startReferenceRelay(lab, Host.PUBLIC, "--misbehave", misbehave)) {
                    ChildJvm probe = Cli.run(lab.jvm(Host.CLIENT, "cli-probe").classpath(TestEnv.agentJar())
                            .mainClass(Cli.MAIN).args("probe", relay.address(), "--wait", "400"));
                    Map<String, String> f = findings(probe);
                    String conclusion = conclusion(probe);
                    check(Cli.code(probe) == 0 && "fail".equals(f.get("associate.zero")), misbehave + " behind NAT"
                            + " without --echo: the probe's own socket unreachable, yet exit 0: " + f, probe, relay,
                            lab);
                    if (misbehave.equals("single-socket")) {
                        check("ok".equals(f.get("cross.zero")) && conclusion.contains("with the defaults"),
                                "two zero-filled associations should relay to each other: " + f + " " + conclusion,
                                probe);
                    } else {
                        check("skipped".equals(f.get("cross.zero")) && "ok".equals(f.get("cross.port"))
                                        && "quirk".equals(f.get("quirk.zero-form-undelivered"))
                                        && conclusion.contains("socksudp.associate=port"),
                                "only the port form should deliver between two associations: " + f + " " + conclusion,
                                probe);
                    }
                    System.out.println("PROBE behind NAT without --echo, relay " + misbehave + ": " + f + "; "
                            + conclusion);
                }
            }
            try (Dante dante = Dante.startIn(lab, Host.PUBLIC)) {
                ChildJvm probe = Cli.run(lab.jvm(Host.CLIENT, "cli-probe").classpath(TestEnv.agentJar())
                        .mainClass(Cli.MAIN).args("probe", dante.address(), "--wait", "400"));
                Map<String, String> f = findings(probe);
                check(Cli.code(probe) == 1 && "skipped".equals(f.get("cross.zero"))
                                && probe.stderrText().contains("did not relay to each other")
                                && probe.stderrText().contains("--echo HOST:PORT"),
                        "danted behind NAT without --echo: nothing shown, exit 1 asking for --echo: " + f, probe,
                        dante);
                System.out.println("PROBE behind NAT without --echo, danted: " + f + "; " + probe.stderrText());
            }
        }
    }
}
