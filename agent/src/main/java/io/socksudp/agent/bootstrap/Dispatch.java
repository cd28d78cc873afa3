package io.socksudp.agent.bootstrap;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

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
    public static ChannelTunnel sendTunnel(Object channel, InetSocketAddress target) throws IOException {
        DatagramHooks h = hooks;
        return h == null ? null : h.sendTunnel(channel, target);
    }

    /**
     * For a send to an unresolved {@code target} (a host name the proxy is to resolve, SOCKS5 ATYP 3): the
     * tunnel, or null to let the JDK handle the address (and reject it, as it does without the agent).
     */
    public static ChannelTunnel sendTunnelForName(Object channel, SocketAddress target) throws IOException {
        DatagramHooks h = hooks;
        return h == null ? null : h.sendTunnelForName(channel, target);
    }

    /** The tunnel when the channel is connected to a proxied peer, else null. */
    public static ChannelTunnel peerTunnel(Object channel) {
        DatagramHooks h = hooks;
        return h == null ? null : h.peerTunnel(channel);
    }

    /**
     * As {@link #peerTunnel} for sending: also (re-)establishes the association, so a write never goes to a
     * dead relay; throws when none can be had (unless the user chose to drop).
     */
    public static ChannelTunnel peerSendTunnel(Object channel) throws IOException {
        DatagramHooks h = hooks;
        return h == null ? null : h.peerSendTunnel(channel);
    }

    /** The tunnel that vets and unwraps what the channel receives next, or null for plain delivery. */
    public static ChannelTunnel receiveTunnel(Object channel) {
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

    /**
     * A socket adaptor's timed receive on {@code channel} starts (deadline in System.nanoTime terms) or ends
     * (0): see {@link ChannelTunnel#repeatAfterDrop}.
     */
    public static void timedReceive(Object channel, long deadlineNanos) {
        DatagramHooks h = hooks;
        if (h != null) {
            h.timedReceive(channel, deadlineNanos);
        }
    }

    /** For a connect to a proxied {@code peer}: the tunnel (the OS socket connects to its relay), else null. */
    public static UdpTunnel connectTunnel(Object channel, SocketAddress peer) throws IOException {
        DatagramHooks h = hooks;
        return h == null ? null : h.connectTunnel(channel, peer);
    }

    public static void disconnected(Object channel) {
        DatagramHooks h = hooks;
        if (h != null) {
            h.disconnected(channel);
        }
    }

    public static void closed(Object channel) {
        DatagramHooks h = hooks;
        if (h != null) {
            h.closed(channel);
        }
    }

    /**
     * The tunnel of a legacy {@code java.net.AbstractPlainDatagramSocketImpl} (JDK 8, 11, or 17 with
     * {@code -Djdk.net.usePlainDatagramSocketImpl}), created on first use; null before {@link #install}.
     */
    public static PacketTunnel packetTunnel(Object impl) throws IOException {
        DatagramHooks h = hooks;
        return h == null ? null : h.packetTunnel(impl);
    }
}
