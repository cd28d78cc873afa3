package io.socksudp.it;

import static io.socksudp.it.support.Checks.check;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;

import org.junit.jupiter.api.Test;

import io.socksudp.it.app.PingLoop;
import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.HostileSocks;
import io.socksudp.it.support.HostileSocks.Script;
import io.socksudp.it.support.TestEnv;

/**
 * Issue 18 item 2: the system resolver's look-up of the configured proxy's name is part of the one connectTimeout
 * deadline. The child JVM's resolver is its hosts file ({@code jdk.net.hosts.file}, JDK 9+: no DNS query at all,
 * whatever the name), and that file is a FIFO nobody writes: each look-up blocks for ever, as a resolver that never
 * answers would. Before, the set-up thread waited on it for ever (the send gave up after its own wait, blaming
 * the proxy; the next proxy of a failover list was never tried); now the set-up fails within connectTimeout, saying
 * why, and goes on to the next proxy.
 */
class ResolveDeadlineIT {

    @Test
    void aResolverThatNeverAnswersCannotStretchTheConnectTimeout() throws Exception {
        Path dir = Files.createTempDirectory("socksudp-hosts");
        Path fifo = dir.resolve("hosts");
        try {
            check(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo failed");
            try (ChildJvm app = Demos.socksified(ChildJvm.builder("ping-loop"),
                    "hung-resolver.socksudp.test:1080")
                    .sysProp("socksudp.connectTimeout", "1000")
                    .sysProp("jdk.net.hosts.file", fifo.toString())
                    .classpath(TestEnv.testClasses()).mainClass(PingLoop.class.getName())
                    .args("--server", "127.0.0.1:9", "--count", "2", "--interval", "20", "--timeout", "1", "--timed")
                    .start()) {
                Matcher first = app.awaitStdout("^ping 0 (.*) \\((\\d+) ms\\)$", Duration.ofSeconds(30));
                long ms = Long.parseLong(first.group(2));
                System.out.println("ResolveDeadlineIT: the first send failed after " + ms + " ms: " + first.group(1));
                check(ms < 3000, "the first send took " + ms + " ms with connectTimeout 1000", app);
                check(first.group(1).contains("cannot resolve SOCKS5 proxy")
                        && first.group(1).contains("socksudp.connectTimeout")
                        && first.group(1).contains("hung-resolver.socksudp.test"),
                        "the failure does not say the proxy's name went unanswered: " + first.group(1), app);
                Matcher second = app.awaitStdout("^ping 1 (.*) \\((\\d+) ms\\)$", Duration.ofSeconds(30));
                check(Long.parseLong(second.group(2)) < 3000, "the second send took " + second.group(2)
                        + " ms: it waited on the look-up still in flight", app);
            }
        } finally {
            Files.deleteIfExists(fifo);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void aProxyWhoseNameNeverResolvesIsFailedOverWithinTheConnectTimeout() throws Exception {
        Path dir = Files.createTempDirectory("socksudp-hosts");
        Path fifo = dir.resolve("hosts");
        // The second proxy grants the association (and would end it a minute later): reaching it is the point.
        try (HostileSocks second = HostileSocks.start(Script.GRANT_THEN_REP1).rep1DelayMillis(60_000)) {
            check(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo failed");
            try (ChildJvm app = Demos.socksified(ChildJvm.builder("ping-loop"),
                    "hung-resolver.socksudp.test:1080," + second.address())
                    .sysProp("socksudp.connectTimeout", "1000")
                    .sysProp("jdk.net.hosts.file", fifo.toString())
                    .classpath(TestEnv.testClasses()).mainClass(PingLoop.class.getName())
                    .args("--server", "127.0.0.1:9", "--count", "1", "--interval", "20", "--timeout", "1", "--timed")
                    .start()) {
                Matcher first = app.awaitStdout("^ping 0 (.*) \\((\\d+) ms\\)$", Duration.ofSeconds(30));
                System.out.println("ResolveDeadlineIT: failover past the unresolvable proxy: " + first.group(0));
                check(second.associations() == 1, "the second proxy granted " + second.associations()
                        + " association(s): the set-up never got past the first proxy's look-up", app, second);
                check(first.group(1).equals("timeout"), "the send through the second proxy did not go out: "
                        + first.group(0), app, second);
                check(Long.parseLong(first.group(2)) < 4000, "the send took " + first.group(2) + " ms", app, second);
            }
        } finally {
            Files.deleteIfExists(fifo);
            Files.deleteIfExists(dir);
        }
    }
}
