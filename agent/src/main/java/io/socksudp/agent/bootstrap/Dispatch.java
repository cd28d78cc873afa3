package io.socksudp.agent.bootstrap;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Static entry points called by the advice inlined into the JDK's datagram classes.
 *
 * <p>Before {@link #install} nothing is intercepted; the advice is installed only after the hooks, so a
 * proxied datagram can never slip out directly during start-up.
 */
public final class Dispatch {

    private static volatile DatagramHooks hooks;

    private Dispatch() {
    }

    public static void install(DatagramHooks installed) {
        hooks = installed;
    }

    /** The tunnel to send {@code target}'s datagram through, or null to send it directly. */
    public static UdpTunnel sendTunnel(Object channel, InetSocketAddress target) throws IOException {
        DatagramHooks h = hooks;
        return h == null ? null : h.sendTunnel(channel, target);
    }

    /** The tunnel that vets and unwraps what the channel receives next, or null for plain delivery. */
    public static UdpTunnel receiveTunnel(Object channel) {
        DatagramHooks h = hooks;
        return h == null ? null : h.receiveTunnel(channel);
    }

    /**
     * The sender to report for the datagram just received, or null when the JDK should work it out itself
     * (no tunnel vetted this datagram).
     */
    public static InetSocketAddress sender(Object channel) {
        DatagramHooks h = hooks;
        return h == null ? null : h.sender(channel);
    }

    /** Vets a connect() before the JDK connects the OS socket; throws to refuse it. */
    public static void connecting(Object channel, Object peer) throws IOException {
        DatagramHooks h = hooks;
        if (h != null) {
            h.connecting(channel, peer);
        }
    }

    public static void closed(Object channel) {
        DatagramHooks h = hooks;
        if (h != null) {
            h.closed(channel);
        }
    }
}
