package io.socksudp.it;

import static io.socksudp.it.support.Checks.assertAuthFailureAndNothingSent;
import static io.socksudp.it.support.Checks.assertEchoClientOk;
import static io.socksudp.it.support.Checks.assertServerSawOnlyRelay;
import static io.socksudp.it.support.Checks.check;
import static io.socksudp.it.support.Checks.ports;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Demos.ReferenceRelay;

/**
 * An unmodified echo client with the agent, through the project's reference relay, to an echo server without it.
 * Everything is asserted from the far side (echo server) and from the relay's own event lines.
 */
@Timeout(120)
class ReferenceRelayIT {

    private static final int COUNT = 3;

    @ParameterizedTest(name = "channel={0}")
    @ValueSource(booleans = {false, true})
    void echoGoesThroughTheRelay(boolean channel) {
        try (EchoServer server = Demos.startEchoServer(channel);
             ReferenceRelay relay = Demos.startReferenceRelay();
             ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), COUNT, channel), relay.address())
                     .start()) {
            assertEchoClientOk(client, COUNT, server, relay);
            assertRelayed(client, server, relay);
        }
    }

    @Test
    void usernamePasswordAccepted() {
        try (EchoServer server = Demos.startEchoServer(false);
             ReferenceRelay relay = Demos.startReferenceRelay("alice", "s3cret-pw");
             ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), COUNT, false), relay.address())
                     .sysProp("socksudp.username", "alice").sysProp("socksudp.password", "s3cret-pw").start()) {
            assertEchoClientOk(client, COUNT, server, relay);
            assertRelayed(client, server, relay);
        }
    }

    @Test
    void wrongPasswordFailsClearlyAndSendsNothingDirectly() {
        try (EchoServer server = Demos.startEchoServer(false);
             ReferenceRelay relay = Demos.startReferenceRelay("alice", "s3cret-pw");
             ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), 1, false), relay.address())
                     .sysProp("socksudp.username", "alice").sysProp("socksudp.password", "wrong-pw").start()) {
            assertAuthFailureAndNothingSent(client, server, relay);
            check(relay.relayAddresses().isEmpty(), "the relay created an association for a wrong password",
                    client, server, relay);
        }
    }

    /** The server saw only the relay's UDP address; the relay reports both directions for the client's port. */
    private static void assertRelayed(ChildJvm client, EchoServer server, ReferenceRelay relay) {
        InetSocketAddress local = Demos.echoClientLocal(client);
        List<InetSocketAddress> relayAddresses = relay.relayAddresses();
        check(!relayAddresses.isEmpty(), "the relay reported no association", client, server, relay);
        List<InetSocketAddress> sources = server.awaitDatagrams(COUNT, Duration.ofSeconds(10));
        assertServerSawOnlyRelay(sources, ports(relay.externalAddresses()), local, client, server, relay);
        check(relay.clientToPeer().stream().anyMatch(p -> p.get(0).getPort() == local.getPort()
                        && p.get(1).getPort() == server.port()),
                "the relay did not report 'client <client port " + local.getPort() + "> -> <server port "
                        + server.port() + ">'", client, server, relay);
        check(relay.peerToClient().stream().anyMatch(p -> p.get(0).getPort() == server.port()
                        && p.get(1).getPort() == local.getPort()),
                "the relay did not report '<server> -> client <client port>'", client, server, relay);
    }
}
