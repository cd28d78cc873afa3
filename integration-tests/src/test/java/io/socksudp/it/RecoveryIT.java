package io.socksudp.it;

import static io.socksudp.it.support.Checks.check;

import java.time.Duration;
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
import io.socksudp.it.support.TestEnv;

/**
 * The association dies by the proxy's doing and the application's socket keeps working: the agent notices
 * (control connection closed), re-establishes a new association with a new relay port, and traffic flows
 * again through the same socket. Asserted from the far side: the echo server sees the new association's
 * external port after the failure.
 */
@Timeout(120)
class RecoveryIT {

    private static final Pattern RECOVERED = Pattern.compile(".*re-established .* (\\d+) ms after the loss.*");

    @ParameterizedTest(name = "connected={0}")
    @ValueSource(booleans = {false, true})
    void killingDantesRelayingProcessIsSurvived(boolean connected) throws Exception {
        try (Dante dante = Dante.start();
             EchoServer server = Demos.startEchoServer(false);
             ChildJvm client = pingLoop(server, dante.address(), 40, connected)) {
            client.awaitStdout("^ping 4 ok.*", Duration.ofSeconds(30));
            int sourcesBefore = server.sources().size();
            List<Long> killed = dante.killIoChildren();
            check(!killed.isEmpty(), "no danted io child to kill", dante);
            check(client.awaitExit(Duration.ofSeconds(60)) == 0, "ping loop failed", client, dante, server);

            Matcher recovered = recoveryLine(client);
            check(recovered != null, "the agent did not report re-establishing the association", client, dante);
            System.out.println("RecoveryIT: association re-established " + recovered.group(1)
                    + " ms after Dante's relaying process was killed (connected=" + connected + ")");
            List<String> out = client.stdoutLines();
            long okAfterKill = out.subList(out.size() - 15, out.size() - 1).stream().filter(l -> l.contains(" ok ")).count();
            check(okAfterKill == 14, "traffic did not flow again after the recovery", client, dante, server);
            check(out.stream().noneMatch(l -> l.contains(" error ")), "a send failed during recovery", client);
            long portsBefore = server.sources().subList(0, sourcesBefore).stream().map(a -> a.getPort()).distinct().count();
            long portsAfter = server.sources().subList(sourcesBefore, server.sources().size()).stream()
                    .filter(a -> server.sources().subList(0, sourcesBefore).stream().noneMatch(b -> b.getPort() == a.getPort()))
                    .count();
            check(portsBefore == 1 && portsAfter > 0,
                    "the echo server did not see the datagrams arrive from a new relay port after the kill", server, dante);
        }
    }

    @Test
    void aProxyRestartFailsSendsClearlyAndThenTrafficResumes() throws Exception {
        Dante dante = Dante.start();
        try (EchoServer server = Demos.startEchoServer(false);
             ChildJvm client = pingLoop(server, dante.address(), 50, false)) {
            client.awaitStdout("^ping 3 ok.*", Duration.ofSeconds(30));
            dante = dante.restart(Duration.ofMillis(1500));
            check(client.awaitExit(Duration.ofSeconds(60)) == 0, "ping loop failed", client, dante, server);
            List<String> out = client.stdoutLines();
            String proxy = Pattern.quote(dante.address());
            check(out.stream().anyMatch(l -> l.matches("ping \\d+ error io\\.socksudp\\.agent\\.association\\.ProxyUnavailableException: "
                            + "cannot reach SOCKS5 proxy "
                            + proxy + ".*")),
                    "no send failed with an IOException (ProxyUnavailableException) naming the proxy while it was down", client, dante);
            check(recoveryLine(client) != null, "the agent did not report re-establishing the association", client);
            long okAtEnd = out.subList(out.size() - 11, out.size() - 1).stream().filter(l -> l.contains(" ok ")).count();
            check(okAtEnd == 10, "traffic did not resume after the proxy came back", client, dante, server);
        } finally {
            dante.close();
        }
    }

    private static ChildJvm pingLoop(EchoServer server, String proxy, int count, boolean connected) {
        ChildJvm.Builder b = Demos.socksified(ChildJvm.builder("ping-loop"), proxy)
                .classpath(TestEnv.testClasses()).mainClass(PingLoop.class.getName())
                .args("--server", server.address(), "--count", String.valueOf(count), "--interval", "100",
                        "--timeout", "400");
        if (connected) {
            b.args("--connect");
        }
        return b.start();
    }

    private static Matcher recoveryLine(ChildJvm client) {
        return client.stderrLines().stream().map(RECOVERED::matcher).filter(Matcher::matches).findFirst().orElse(null);
    }
}
