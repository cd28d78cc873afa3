package io.socksudp.it;

import static io.socksudp.it.support.Checks.assertEchoClientOk;
import static io.socksudp.it.support.Checks.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.ChildProcess;
import io.socksudp.it.support.Cli;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.TestEnv;

/** {@code java -jar socksudp-agent.jar} (help, bad usage) and {@code socksudp.logFile}. */
@Timeout(120)
class CliIT {

    static final List<String> KEYS = List.of("proxy", "username", "password", "nonProxyHosts", "log", "connectTimeout",
            "associate", "relayHost", "onUnavailable", "logFile");

    @Test
    void javaDashJarPrintsUsageVersionAndEverySettingWithItsDefault() {
        String java = TestEnv.javaHome().resolve("bin").resolve("java").toString();
        ChildProcess help = ChildProcess.start("java-jar", List.of(java, "-jar", TestEnv.agentJar().toString()));
        check(help.awaitExit(Cli.EXIT) == 0, "java -jar socksudp-agent.jar should exit 0", help);
        String text = help.stdoutText();
        for (String expected : List.of("socksudp 0.", "probe HOST:PORT", "attach PID", "status PID", "Troubleshooting")) {
            check(text.contains(expected), "help should mention " + expected, help);
        }
        for (String key : KEYS) {
            check(text.lines().anyMatch(l -> l.trim().startsWith(key + " ")), "help should list the setting " + key,
                    help);
        }
        check(text.contains("default: zero") && text.contains("default: info") && text.contains("default: 10000"),
                "help should give the defaults", help);
        ChildJvm dashHelp = Cli.run("--help");
        check(Cli.code(dashHelp) == 0 && dashHelp.stdoutText().equals(text), "--help is the same text", dashHelp);
        ChildJvm bad = Cli.run("frobnicate");
        check(Cli.code(bad) == 2 && bad.stderrLines().size() == 1 && bad.stderrText().contains("unknown command"),
                "an unknown command: exit 2, one line", bad);
    }

    /**
     * A runtime without the Attach API (jlink'd without jdk.attach: {@code --limit-modules} makes one of the test JDK)
     * and one without JMX: attach and status each say so in one sentence, exit 1, no stack trace (status without
     * java.management died with NoClassDefFoundError: javax/management/JMException before).
     */
    @Test
    void aRuntimeWithoutTheAttachApiOrJmxIsOneSentence() {
        String pid = String.valueOf(ProcessHandle.current().pid());
        for (String[] c : new String[][] {{"attach", "java.base,java.instrument,java.management", "has no Attach API"},
                {"status", "java.base,java.instrument,java.management", "has no Attach API"},
                {"status", "java.base,java.instrument", "has no JMX (module java.management)"}}) {
            ChildJvm cli = Cli.run(Cli.on(TestEnv.javaHome(), "cli-" + c[0] + "-limited", c[0], pid)
                    .jvmArg("--limit-modules", c[1]));
            check(Cli.code(cli) == 1 && cli.stderrLines().size() == 1 && cli.stderrText().contains(c[2])
                    && cli.stderrText().contains("run the command with a JDK's java"), c[0] + " with only " + c[1]
                    + ": expected exit 1 and one sentence '" + c[2] + "'", cli);
        }
    }

    @Test
    void logFileGetsTheAgentsLinesAppendedTimestampedAndPrivate() throws IOException {
        Path dir = Files.createTempDirectory("socksudp-log");
        Path log = dir.resolve("agent.log");
        try (EchoServer server = Demos.startEchoServer(false);
             ReferenceRelay relay = Demos.startReferenceRelay()) {
            for (int run = 1; run <= 2; run++) {
                try (ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), 1, false), relay.address())
                        .sysProp("socksudp.log", "debug").sysProp("socksudp.logFile", log.toString()).start()) {
                    assertEchoClientOk(client, 1, server, relay);
                    check(client.stderrLines().isEmpty(), "with logFile nothing of the agent goes to stderr", client);
                }
                List<String> lines = Files.readAllLines(log);
                check(lines.stream().filter(l -> l.contains("opened association via " + relay.address())).count() == run,
                        "run " + run + ": the log file should hold one association line per run (appended): " + lines);
                check(lines.stream().allMatch(l -> l.matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}"
                        + "(Z|[+-]\\d\\d:\\d\\d) .*") || l.startsWith("\t") || l.startsWith("Caused by")),
                        "every line should start with a timestamp: " + lines);
            }
            check(Files.getPosixFilePermissions(log).equals(PosixFilePermissions.fromString("rw-------")),
                    "the log file should be created 0600, is " + Files.getPosixFilePermissions(log));
            try (ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), 1, false), relay.address())
                    .sysProp("socksudp.logFile", dir.resolve("no/such/dir/agent.log").toString()).start()) {
                int code = client.awaitExit(Cli.EXIT);
                check(code == 2 && client.stderrLines().size() == 1 && client.stderrText().startsWith(
                        "socksudp: System property socksudp.logFile names a log file that cannot be written"),
                        "an unwritable log file stops the start with one sentence", client);
            }
        }
    }
}
