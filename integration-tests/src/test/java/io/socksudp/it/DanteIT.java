package io.socksudp.it;

import static io.socksudp.it.support.Checks.assertAuthFailureAndNothingSent;
import static io.socksudp.it.support.Checks.assertEchoClientOk;
import static io.socksudp.it.support.Checks.check;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Dante;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;

/** The unmodified echo client with the agent, through a real danted, to an echo server without the agent. */
@Timeout(120)
class DanteIT {

    private static final int COUNT = 3;

    @ParameterizedTest(name = "channel={0}")
    @ValueSource(booleans = {false, true})
    void echoGoesThroughDante(boolean channel) throws Exception {
        try (Dante dante = Dante.start();
             EchoServer server = Demos.startEchoServer(channel);
             ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), COUNT, channel), dante.address())
                     .start()) {
            assertEchoClientOk(client, COUNT, server, dante);
            assertRelayedByDante(client, server, dante);
        }
    }

    @Test
    void usernamePasswordWithASystemAccount() throws Exception {
        Dante.assumeTestUserExists();
        try (Dante dante = Dante.start(Dante.Auth.USERNAME);
             EchoServer server = Demos.startEchoServer(false);
             ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), COUNT, false), dante.address())
                     .sysProp("socksudp.username", Dante.TEST_USER)
                     .sysProp("socksudp.password", Dante.TEST_PASSWORD).start()) {
            assertEchoClientOk(client, COUNT, server, dante);
            assertRelayedByDante(client, server, dante);
        }
    }

    @Test
    void wrongPasswordFailsClearlyAndSendsNothingDirectly() {
        Dante.assumeTestUserExists();
        try (Dante dante = Dante.start(Dante.Auth.USERNAME);
             EchoServer server = Demos.startEchoServer(false);
             ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), 1, false), dante.address())
                     .sysProp("socksudp.username", Dante.TEST_USER)
                     .sysProp("socksudp.password", "not-the-password").start()) {
            assertAuthFailureAndNothingSent(client, server, dante);
        }
    }

    /**
     * The server saw datagrams from one port that is not the client's, and danted's log shows a UDP association
     * between the client's port and that very port (danted relays from a separate external socket).
     */
    private static void assertRelayedByDante(ChildJvm client, EchoServer server, Dante dante)
            throws InterruptedException {
        InetSocketAddress local = Demos.echoClientLocal(client);
        List<InetSocketAddress> sources = server.awaitDatagrams(COUNT, Duration.ofSeconds(10));
        for (InetSocketAddress s : sources) {
            check(s.getPort() != local.getPort(), "the echo server saw the client's own port " + local.getPort()
                    + " (sent directly, not through danted): " + s, client, server, dante);
        }
        check(dante.awaitLog("udp/udpassociate", Duration.ofSeconds(5)), "danted logged no UDP association",
                client, server, dante);
        // e.g. "udp/udpassociate -: 127.0.0.1.<client> 127.0.0.1.<relay> -> 127.0.0.1.<server> 127.0.0.1.<external>"
        for (InetSocketAddress s : sources) {
            check(dante.awaitLog("127.0.0.1." + s.getPort(), Duration.ofSeconds(5)), "danted's log does not show"
                    + " its external port " + s.getPort() + " that the echo server saw", client, server, dante);
        }
        check(dante.awaitLog("127.0.0.1." + local.getPort() + " ", Duration.ofSeconds(5)),
                "danted's log does not show the client's port " + local.getPort(), client, server, dante);
    }
}
