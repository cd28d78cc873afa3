package io.socksudp.it.demo;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.NatLab;
import io.socksudp.it.support.NatLab.NatType;
import io.socksudp.it.support.Story1;

/**
 * What {@code sudo ./demo-story1} runs: failure story 1 of the seed (shared/seed/SUMMARY.md) across real NAT in
 * network namespaces, told to a newcomer, first without the agent, then with it. The set-up is Story1IT's
 * ({@link Story1}); this class only narrates. The children's lines are shown as they come
 * ({@code socksudp.it.verbose}), then each run is summed up: where each peer registered from, what arrived where,
 * what the relay tore down, and the verdict. The lab is removed after each run, also on Ctrl-C (NatLab's shutdown
 * hook). Exits 0 when the story went as told (the direct chat failed, the chat with the agent worked), 1 when not,
 * 2 when the lab cannot be built here.
 *
 * <p>Needs the system properties the failsafe plugin would set: {@code socksudp.agentJar}, {@code socksudp.demoJar}.
 */
public final class Story1Demo {
    private static final int COUNT = 2;
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Duration LINGER = Duration.ofMillis(1500);

    /** Set on Ctrl-C: NatLab's own hook kills the peers and removes the lab, so their ends are no verdict. */
    private static volatile boolean stopping;
    /** Set once the verdict is out: the JVM then ends on purpose. */
    private static volatile boolean finished;

    private Story1Demo() {}

    public static void main(String[] args) {
        Optional<String> unavailable = NatLab.unavailable();
        if (unavailable.isPresent()) {
            System.err.println("demo-story1: cannot build the NAT lab: " + unavailable.get());
            System.exit(2);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping = true;
            if (!finished) {
                System.out.println("demo-story1: stopped; the lab's namespaces are being removed");
            }
        }, "story1-demo-stop"));
        // Before any child starts: ChildProcess reads it once, and then echoes every child's line as it comes.
        System.setProperty("socksudp.it.verbose", "true");

        System.out.println("Story 1 (shared/seed/SUMMARY.md): peer A behind one NAT, peer B behind an iptables NAT, a"
                + " rendezvous on");
        System.out.println("the public host " + NatLab.PUBLIC_IP + ". B waits " + Story1.PUNCH_DELAY_MS / 1000
                + " s before sending anything to A, so A's first message reaches B's");
        System.out.println("NAT before B has punched a hole for it.");
        boolean direct = play("without the agent: A's NAT picks a new port per destination, so direct P2P cannot work",
                new Story1.Plot(NatType.RANDOM, false, COUNT, TIMEOUT, LINGER));
        boolean agent = play("with the agent: A goes through a WinGate-like SOCKS5 relay (icmp-teardown) on the public"
                + " host", new Story1.Plot(NatType.PORT_PRESERVING, true, COUNT, TIMEOUT, LINGER));
        if (stopping) {
            return;
        }
        finished = true;
        System.out.println();
        System.out.println("With the agent, the relay's 'torn down' line is B's NAT refusing A's early message; A's chat"
                + " only finishes");
        System.out.println("if the agent notices the dead association and opens a new one (issue 4's recovery).");
        boolean asTold = !direct && agent;
        System.out.println(asTold ? "The story went as told: without the agent the chat failed, with it the chat worked."
                : "The story did NOT go as told: the chat " + (direct ? "worked" : "failed") + " without the agent and "
                + (agent ? "worked" : "failed") + " with it.");
        System.exit(asTold ? 0 : 1);
    }

    /** Plays one run and sums it up; true when both peers finished their chat. */
    private static boolean play(String title, Story1.Plot plot) {
        if (stopping) {
            return false;
        }
        System.out.println();
        System.out.println("=== " + title);
        try (Story1 story = Story1.start(plot)) {
            NatLab lab = story.lab();
            System.out.println("--- the lab (built in " + lab.setupTime().toMillis() + " ms): A " + NatLab.CLIENT_IP
                    + " behind " + NatLab.CLIENT_NAT_IP + " (" + plot.clientNat() + "), B " + NatLab.PEER_IP
                    + " behind " + NatLab.PEER_NAT_IP + " (" + NatType.PORT_PRESERVING + "), rendezvous "
                    + story.rendezvous().address()
                    + story.relay().map(r -> ", relay " + r.address() + " (A's -javaagent proxy)").orElse(""));
            Duration wait = plot.timeout().plus(Duration.ofSeconds(60));
            int codeA = story.a().awaitExit(wait);
            int codeB = story.b().awaitExit(wait);
            if (stopping) {
                return false;
            }
            System.out.println("--- A registered from " + format(story.rendezvous().registrations("A")) + ", B from "
                    + format(story.rendezvous().registrations("B")) + " (what the rendezvous told the other peer)");
            System.out.println("--- A received " + received(story.a(), "B") + " of B's " + plot.count()
                    + " messages, B received " + received(story.b(), "A") + " of A's " + plot.count());
            story.relay().ifPresent(Story1Demo::sumUpRelay);
            boolean worked = codeA == 0 && codeB == 0;
            System.out.println("--- A exited " + codeA + ", B exited " + codeB + ": "
                    + (worked ? "the chat worked" : "the chat FAILED"));
            return worked;
        }
    }

    private static void sumUpRelay(ReferenceRelay relay) {
        List<InetSocketAddress> relays = relay.relayAddresses();
        System.out.println("--- the relay opened " + relays.size() + " association(s), relaying on " + format(relays)
                + "; torn down: " + relay.teardowns().size());
        relay.teardowns().forEach(t -> System.out.println("      " + t));
    }

    /** "ip:port, ip:port" (InetSocketAddress's own form starts with "/"). */
    private static String format(List<InetSocketAddress> addresses) {
        return addresses.stream().map(a -> a.getAddress().getHostAddress() + ":" + a.getPort())
                .collect(Collectors.joining(", "));
    }

    /** How many different messages (sequence numbers) a peer reported receiving from the other. */
    private static long received(ChildJvm peer, String from) {
        return peer.stdoutLines().stream().filter(l -> l.startsWith("chat: received ") && l.contains(" from " + from + " "))
                .map(l -> l.split(" ")[2]).distinct().count();
    }
}
