package io.socksudp.it;

import static io.socksudp.it.support.Checks.assertEchoClientOk;
import static io.socksudp.it.support.Checks.check;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.NatLab;
import io.socksudp.it.support.NatLab.Host;
import io.socksudp.it.support.NatLab.NatType;

/** Self-test of the NAT lab: real namespaces, real MASQUERADE, plain programs without the agent. */
@Timeout(120)
class NatLabIT {

    @Test
    void natHappensThePublicSideCannotInitiateAndNothingIsLeftBehind() throws Exception {
        NatLab lab = NatLab.create();
        String prefix = lab.prefix();
        try (lab) {
            System.out.println("NAT lab setup took " + lab.setupTime().toMillis() + " ms (" + prefix + ")");
            try (EchoServer server = Demos.startEchoServer(lab, Host.PUBLIC);
                 ChildJvm client = lab.demo(Host.CLIENT, "echo-client", Demos.ECHO_CLIENT)
                         .args("--server", server.address(), "--count", "2", "--timeout", "3000").start()) {
                assertEchoClientOk(client, 2, server, lab);
                InetSocketAddress local = Demos.echoClientLocal(client);
                for (InetSocketAddress source : server.awaitDatagrams(2, Duration.ofSeconds(5))) {
                    check(source.getAddress().equals(InetAddress.getByName(NatLab.CLIENT_NAT_IP)),
                            "the public echo server saw " + source + ", not the client NAT's outside address "
                                    + NatLab.CLIENT_NAT_IP + ": no NAT happened", client, server, lab);
                    check(source.getPort() == local.getPort(), "a port-preserving NAT changed the port "
                            + local.getPort() + " to " + source.getPort(), client, server, lab);
                }
            }

            // The public host cannot initiate: neither to the private address nor to the NAT's outside address.
            try (EchoServer inside = Demos.startEchoServer(lab, Host.CLIENT)) {
                for (String target : List.of(inside.address(), NatLab.CLIENT_NAT_IP + ":" + inside.port())) {
                    try (ChildJvm outside = lab.demo(Host.PUBLIC, "echo-client", Demos.ECHO_CLIENT)
                            .args("--server", target, "--count", "1", "--timeout", "1000").start()) {
                        int code = outside.awaitExit(Checks60.TIMEOUT);
                        check(code == 1, "the public host reached " + target + " (exit " + code + ")", outside, inside,
                                lab);
                    }
                }
                check(inside.sources().isEmpty(), "the client's echo server got datagrams from the public side: "
                        + inside.sources(), inside, lab);
            }
        }
        check(lab.existingNamespaces().isEmpty(), "namespaces left behind: " + lab.existingNamespaces(), lab);
    }

    @Test
    void aPortRangeNatRewritesSourcePorts() throws Exception {
        try (NatLab lab = NatLab.create(NatType.portRange(20000, 20099), NatType.PORT_PRESERVING);
             EchoServer server = Demos.startEchoServer(lab, Host.PUBLIC);
             ChildJvm client = lab.demo(Host.CLIENT, "echo-client", Demos.ECHO_CLIENT)
                     .args("--server", server.address(), "--count", "1", "--timeout", "3000", "--bind",
                             NatLab.CLIENT_IP).start()) {
            assertEchoClientOk(client, 1, server, lab);
            InetSocketAddress local = Demos.echoClientLocal(client);
            InetSocketAddress seen = server.awaitDatagrams(1, Duration.ofSeconds(5)).get(0);
            check(seen.getPort() >= 20000 && seen.getPort() <= 20099 && seen.getPort() != local.getPort(),
                    "the server saw port " + seen.getPort() + " for local port " + local.getPort()
                            + ", expected one rewritten into 20000-20099", client, server, lab);
        }
    }

    @Test
    void closingRemovesTheNamespacesEvenWithProcessesStillRunningInside() {
        NatLab lab = NatLab.create();
        EchoServer server = Demos.startEchoServer(lab, Host.PUBLIC); // deliberately not closed before the lab
        lab.close();
        check(!server.jvm().isAlive(), "a process inside the lab survived its close", server, lab);
        check(lab.existingNamespaces().isEmpty(), "namespaces left behind: " + lab.existingNamespaces(), lab);
        server.close();
    }

    /** Bounded waits for the short-lived clients here. */
    private static final class Checks60 {
        static final Duration TIMEOUT = Duration.ofSeconds(60);
    }
}
