package io.socksudp.it;

import static io.socksudp.it.support.Checks.assertEchoClientOk;
import static io.socksudp.it.support.Checks.check;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Dante;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.NatLab;
import io.socksudp.it.support.NatLab.Host;
import io.socksudp.it.support.NatLab.NatType;

/**
 * Story 2 of the seed, across real iptables NAT with real Dante in the public namespace: the echo client behind
 * the client NAT, with the agent, to an echo server on the public host. Dante enforces a non-zero DST exactly, so
 * only requests that do not name what the NAT changes can work.
 */
@Timeout(180)
class NatIT {

    private static final int COUNT = 2;
    private static NatLab lab;

    @BeforeAll
    static void buildLab() {
        lab = NatLab.create();
        System.out.println("NAT lab setup took " + lab.setupTime().toMillis() + " ms");
    }

    @AfterAll
    static void removeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    private static ChildJvm.Builder client(NatLab in, EchoServer server, Dante dante, String associate) {
        return in.demo(Host.CLIENT, "echo-client-" + associate, Demos.ECHO_CLIENT)
                // --bind: the socket's local address is the private one, which associate=full names
                .args("--server", server.address(), "--count", String.valueOf(COUNT), "--timeout", "2000",
                        "--bind", NatLab.CLIENT_IP)
                .withAgent().sysProp("socksudp.proxy", dante.host() + ":" + dante.port())
                .sysProp("socksudp.associate", associate);
    }

    @Test
    void zeroFilledAssociationWorksAcrossNat() throws Exception {
        try (Dante dante = Dante.startIn(lab, Host.PUBLIC);
             EchoServer server = Demos.startEchoServer(lab, Host.PUBLIC);
             ChildJvm client = client(lab, server, dante, "zero").start()) {
            assertEchoClientOk(client, COUNT, server, dante, lab);
            for (InetSocketAddress source : server.awaitDatagrams(COUNT, Duration.ofSeconds(5))) {
                check(source.getAddress().equals(InetAddress.getByName(NatLab.PUBLIC_IP)),
                        "the echo server saw " + source + ", not danted's external address", client, server, dante);
            }
            check(dante.awaitLog("udp/udpassociate", Duration.ofSeconds(5)), "danted logged no UDP association",
                    client, server, dante);
            // danted saw the client as the NAT's outside address, which the client could never have named.
            check(dante.awaitLog(NatLab.CLIENT_NAT_IP + ".", Duration.ofSeconds(5)),
                    "danted's log does not show the client NAT's address " + NatLab.CLIENT_NAT_IP, client, dante);
        }
    }

    /**
     * associate=auto behind the NAT: danted cannot reach the check's socket at the client's private address, so the
     * check cannot tell, says so once at info, and keeps the zero-filled form, which works across NAT.
     */
    @Test
    void autoCannotCheckAcrossNatAndKeepsZero() throws Exception {
        try (Dante dante = Dante.startIn(lab, Host.PUBLIC);
             EchoServer server = Demos.startEchoServer(lab, Host.PUBLIC);
             ChildJvm client = client(lab, server, dante, "auto").start()) {
            assertEchoClientOk(client, COUNT, server, dante, lab);
            assertAutoCouldNotCheck(client, dante);
            for (InetSocketAddress source : server.awaitDatagrams(COUNT, Duration.ofSeconds(5))) {
                check(source.getAddress().equals(InetAddress.getByName(NatLab.PUBLIC_IP)),
                        "the echo server saw " + source + ", not danted's external address", client, server, dante);
            }
        }
    }

    private static void assertAutoCouldNotCheck(ChildJvm client, Dante dante) {
        java.util.List<String> decisions = client.stderrLines().stream()
                .filter(l -> l.contains("socksudp.associate=auto")).toList();
        check(decisions.size() == 1 && decisions.get(0).contains("INFO") && decisions.get(0).contains(
                "could not check SOCKS5 proxy " + dante.host() + ":" + dante.port()) && decisions.get(0).contains(
                "using zero"), "expected one info line: auto could not check and uses zero; got " + decisions,
                client, dante);
        System.out.println("NAT auto: " + decisions.get(0));
    }

    @Test
    void namingThePrivateAddressFailsAcrossNat() {
        try (Dante dante = Dante.startIn(lab, Host.PUBLIC);
             EchoServer server = Demos.startEchoServer(lab, Host.PUBLIC);
             ChildJvm client = client(lab, server, dante, "full").start()) {
            assertFailedAndFarSideSawNothing(client, server, dante);
        }
    }

    @Test
    void zeroAddressWithTheRealPortWorksAcrossAPortPreservingNat() {
        try (Dante dante = Dante.startIn(lab, Host.PUBLIC);
             EchoServer server = Demos.startEchoServer(lab, Host.PUBLIC);
             ChildJvm client = client(lab, server, dante, "port").start()) {
            assertEchoClientOk(client, COUNT, server, dante, lab);
        }
    }

    @Test
    void zeroAddressWithTheRealPortFailsAcrossAPortRewritingNatWhereZeroFilledWorks() {
        try (NatLab rewriting = NatLab.create(NatType.portRange(20000, 20099), NatType.PORT_PRESERVING);
             Dante dante = Dante.startIn(rewriting, Host.PUBLIC);
             EchoServer server = Demos.startEchoServer(rewriting, Host.PUBLIC)) {
            try (ChildJvm client = client(rewriting, server, dante, "port").start()) {
                assertFailedAndFarSideSawNothing(client, server, dante);
            }
            try (ChildJvm client = client(rewriting, server, dante, "zero").start()) {
                assertEchoClientOk(client, COUNT, server, dante, rewriting);
            }
            try (ChildJvm client = client(rewriting, server, dante, "auto").start()) {
                assertEchoClientOk(client, COUNT, server, dante, rewriting);
                assertAutoCouldNotCheck(client, dante);
            }
        }
    }

    /** Story 2: danted answered REP 0 and then dropped every datagram; the echo server never saw one. */
    private static void assertFailedAndFarSideSawNothing(ChildJvm client, EchoServer server, Dante dante) {
        int code = client.awaitExit(Duration.ofSeconds(60));
        check(code == 1, "the echo client exited " + code + ", expected 1 (timed out)", client, server, dante, lab);
        check(client.stdoutText().contains("echo-client: FAILED no reply"), "the client did not time out",
                client, server, dante);
        Demos.sleep(300);
        check(server.sources().isEmpty(), "the echo server saw datagrams: " + server.sources(), client, server, dante);
    }
}
