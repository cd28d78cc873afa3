package io.socksudp.it.support;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.Demos.Rendezvous;
import io.socksudp.it.support.NatLab.Host;
import io.socksudp.it.support.NatLab.NatType;

/**
 * Failure story 1 of the seed (shared/seed/SUMMARY.md) set up in a {@link NatLab}, written once for Story1IT and
 * the demo (io.socksudp.it.demo.Story1Demo, run by {@code demo-story1}). The rendezvous sits on the public host;
 * peer B behind the peer NAT (port-preserving, no agent) holds back every datagram to A for {@link #PUNCH_DELAY_MS},
 * so that A's first message reaches B's NAT before B has punched; peer A behind the client NAT starts once B has
 * registered, either with the agent through a WinGate-like relay ({@code --misbehave icmp-teardown}) on the public
 * host, or without it, chatting directly. {@link #close()} stops everything and removes the lab, also when starting
 * failed half-way.
 */
public final class Story1 implements AutoCloseable, Diagnosable {

    /** B holds back every datagram to A this long: A's first message reaches B's NAT before any punch. */
    public static final int PUNCH_DELAY_MS = 4000;

    /** One run: A's NAT, whether A has the agent, and the chat settings both peers get. */
    public record Plot(NatType clientNat, boolean agent, int count, Duration timeout, Duration linger) {
    }

    private final NatLab lab;
    /** Everything started, closed in reverse order before the lab. */
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private Rendezvous rendezvous;
    private ReferenceRelay relay;
    private ChildJvm b;
    private ChildJvm a;

    private Story1(NatLab lab) {
        this.lab = lab;
    }

    /** Builds the lab and starts the rendezvous, the relay (with the agent only), B, then A. */
    public static Story1 start(Plot plot) {
        Story1 story = new Story1(NatLab.create(plot.clientNat(), NatType.PORT_PRESERVING));
        boolean ok = false;
        try {
            story.play(plot);
            ok = true;
            return story;
        } finally {
            if (!ok) {
                story.close();
            }
        }
    }

    private void play(Plot plot) {
        rendezvous = keep(Demos.startRendezvous(lab, Host.PUBLIC));
        if (plot.agent()) {
            relay = keep(Demos.startReferenceRelay(lab, Host.PUBLIC, "--misbehave", "icmp-teardown"));
        }
        b = keep(chatPeer(Host.PEER, "B", "A", plot)
                .args("--punch-delay", String.valueOf(PUNCH_DELAY_MS)).start());
        rendezvous.jvm().awaitStdout("^rendezvous: B registered from ", Demos.STARTUP);
        ChildJvm.Builder builder = chatPeer(Host.CLIENT, "A", "B", plot);
        if (plot.agent()) {
            builder.withAgent().sysProp("socksudp.proxy", relay.address()).sysProp("socksudp.log", "info");
        }
        a = keep(builder.start());
    }

    private ChildJvm.Builder chatPeer(Host host, String name, String peer, Plot plot) {
        return Demos.chatPeer(lab, host, rendezvous, name, peer)
                .args("--message", "hi-from-" + name, "--count", String.valueOf(plot.count()),
                        "--timeout", String.valueOf(plot.timeout().toMillis()),
                        "--linger", String.valueOf(plot.linger().toMillis()));
    }

    private <T extends AutoCloseable> T keep(T resource) {
        started.push(resource);
        return resource;
    }

    public NatLab lab() { return lab; }

    public Rendezvous rendezvous() { return rendezvous; }

    /** The WinGate-like relay, started only when A has the agent. */
    public Optional<ReferenceRelay> relay() { return Optional.ofNullable(relay); }

    /** Peer A, behind the client NAT. */
    public ChildJvm a() { return a; }

    /** Peer B, behind the peer NAT, never with the agent. */
    public ChildJvm b() { return b; }

    @Override
    public String describe() {
        return Diagnosable.describeAll(a, b, relay, rendezvous, lab);
    }

    @Override
    public void close() {
        try {
            while (!started.isEmpty()) {
                try {
                    started.pop().close();
                } catch (Exception e) {
                    System.err.println("story 1: could not stop a process: " + e);
                }
            }
        } finally {
            lab.close();
        }
    }
}
