package io.socksudp.it;

import static io.socksudp.it.support.Checks.assertEchoClientOk;
import static io.socksudp.it.support.Checks.check;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;

/**
 * The baseline without agent or proxy: the echo client talks to the echo server directly, and the server sees the
 * client's own port. This proves that the far-side check of the other tests ("not the client's port") can fail,
 * and that the harness parses the demo programs' real output.
 */
@Timeout(60)
class DemoBaselineIT {

    @ParameterizedTest(name = "channel={0}")
    @ValueSource(booleans = {false, true})
    void directEchoIsSeenFromTheClientsOwnPort(boolean channel) {
        try (EchoServer server = Demos.startEchoServer(channel);
             ChildJvm client = Demos.echoClient(server.address(), 2, channel).start()) {
            assertEchoClientOk(client, 2, server);
            InetSocketAddress local = Demos.echoClientLocal(client);
            List<InetSocketAddress> sources = server.awaitDatagrams(2, Duration.ofSeconds(10));
            for (InetSocketAddress s : sources) {
                check(s.getPort() == local.getPort(), "without the agent the server should see the client's port "
                        + local.getPort() + ", saw " + s, client, server);
            }
        }
    }
}
