package io.socksudp.it;

import static io.socksudp.it.support.Checks.check;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.Demos.Rendezvous;
import io.socksudp.it.support.NatLab;
import io.socksudp.it.support.NatLab.NatType;
import io.socksudp.it.support.Story1;

/**
 * Story 1 of the seed, end to end across real NAT. Peer A sits behind the client NAT and talks through a
 * WinGate-like relay ({@code --misbehave icmp-teardown}) via the agent; peer B sits behind the peer NAT with no
 * agent; the rendezvous and the relay are on the public host. A messages B before B has punched, so B's NAT answers
 * the relay with ICMP port-unreachable and the relay tears the association down (reply 1, close). The agent must
 * notice, re-associate, and once B punches, messages must flow both ways through A's one and only socket.
 *
 * <p>Needs the agent's recovery (issue 4): without it A keeps sending into the dead relay port and times out. The
 * set-up is {@link Story1}, which {@code demo-story1} plays too.
 */
@Timeout(180)
class Story1IT {

    @Test
    void afterTheRelayTearsTheAssociationDownMessagesFlowBothWaysThroughTheSameSocket() throws Exception {
        try (Story1 story = Story1.start(new Story1.Plot(NatType.PORT_PRESERVING, true, 3, Duration.ofSeconds(40),
                Duration.ofSeconds(2)))) {
            System.out.println("NAT lab setup took " + story.lab().setupTime().toMillis() + " ms");
            ChildJvm a = story.a();
            ChildJvm b = story.b();
            ReferenceRelay relay = story.relay().orElseThrow();
            Rendezvous rendezvous = story.rendezvous();
            int codeA = a.awaitExit(Duration.ofSeconds(90));
            int codeB = b.awaitExit(Duration.ofSeconds(90));

            check(!relay.teardowns().isEmpty(), "the relay never tore an association down: A's first message"
                    + " did not reach B's NAT before B punched", story);
            check(relay.teardowns().get(0).contains("ICMP port unreachable from " + NatLab.PEER_NAT_IP),
                    "the first teardown was not caused by B's NAT: " + relay.teardowns().get(0), relay);
            check(codeA == 0, "peer A (with the agent) exited " + codeA + ": after the WinGate-style teardown"
                    + " its messages did not flow again", story);
            check(codeB == 0, "peer B exited " + codeB, story);

            List<String> locals = a.stdoutLines().stream().filter(l -> l.startsWith("chat: local ")).toList();
            check(locals.size() == 1, "A opened more than one socket: " + locals, a);
            for (int seq = 1; seq <= 3; seq++) {
                String fromB = "chat: received " + seq + " from B at ";
                String fromA = "chat: received " + seq + " from A at ";
                check(a.stdoutLines().stream().anyMatch(l -> l.startsWith(fromB)), "A never got B's " + seq, a, b);
                check(b.stdoutLines().stream().anyMatch(l -> l.startsWith(fromA)), "B never got A's " + seq, a, b);
            }
            // B only ever saw A as the relay: the agent tunnelled everything.
            InetAddress relayIp = InetAddress.getByName(NatLab.PUBLIC_IP);
            for (InetSocketAddress seen : rendezvous.registrations("A")) {
                check(seen.getAddress().equals(relayIp), "A registered from " + seen + ", not via the relay",
                        a, rendezvous);
            }
            check(rendezvous.registrations("A").size() >= 2, "A never showed up from a new relay port after"
                    + " the teardown: " + rendezvous.registrations("A"), a, relay, rendezvous);
        }
    }
}
