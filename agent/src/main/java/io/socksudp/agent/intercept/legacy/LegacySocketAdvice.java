package io.socksudp.agent.intercept.legacy;

import io.socksudp.agent.bootstrap.Dispatch;
import io.socksudp.agent.bootstrap.PacketTunnel;
import io.socksudp.agent.bootstrap.UdpTunnel;
import net.bytebuddy.asm.Advice;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;

/**
 * Advice inlined into the legacy {@code java.net.AbstractPlainDatagramSocketImpl} (JDK 8 and 11; 17 with
 * -Djdk.net.usePlainDatagramSocketImpl) and, on JDK 8, into {@code DatagramSocket}/{@code MulticastSocket}.
 * Like the NIO advice it holds no logic: it swaps the packet the JDK is about to use for the tunnel's and
 * lets the JDK's own native code do the I/O on the application's own socket. Everything it references must
 * be visible to the bootstrap loader.
 */
final class LegacySocketAdvice {

    private LegacySocketAdvice() {
    }

    /**
     * {@code AbstractPlainDatagramSocketImpl.send(DatagramPacket)} (JDK 11, 17: Java, calls native send0).
     * The enter swaps in the framed packet to the relay, or returns true to skip the send when the tunnel
     * discards (onUnavailable=drop); the exit hands the framed packet back for reuse.
     */
    static final class ImplSend {

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Object impl,
                             @Advice.Argument(value = 0, readOnly = false) DatagramPacket packet,
                             @Advice.Local("tunnel") PacketTunnel tunnel,
                             @Advice.Local("framed") DatagramPacket framed) throws IOException {
            tunnel = Dispatch.packetTunnel(impl);
            if (tunnel == null) {
                return false;
            }
            PacketTunnel.Send send = tunnel.frame(impl, packet);
            if (send == PacketTunnel.Send.DISCARDED) {
                return true; // skipped, as a datagram lost on the way would be; framed stays null
            }
            framed = send == PacketTunnel.Send.FRAMED ? tunnel.framedPacket() : packet;
            packet = framed;
            return false;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Argument(0) DatagramPacket sent,
                         @Advice.Thrown(readOnly = false) Throwable thrown,
                         @Advice.Local("tunnel") PacketTunnel tunnel,
                         @Advice.Local("framed") DatagramPacket framed) {
            if (tunnel != null && framed != null && tunnel.packetSent(framed, thrown)) {
                thrown = null; // the relay is gone: this datagram is lost, as UDP may lose it
            }
        }
    }

    /**
     * JDK 8: {@code PlainDatagramSocketImpl.send} is native, so {@code DatagramSocket.send(DatagramPacket)} and
     * {@code MulticastSocket.send(DatagramPacket, byte)} are advised instead, keyed by the socket's impl. Their
     * checks then run on the framed packet, which for a connected socket carries the application's address.
     */
    static final class SocketSend {

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.FieldValue("impl") Object impl,
                             @Advice.Argument(value = 0, readOnly = false) DatagramPacket packet,
                             @Advice.Local("tunnel") PacketTunnel tunnel,
                             @Advice.Local("framed") DatagramPacket framed) throws IOException {
            tunnel = Dispatch.packetTunnel(impl);
            if (tunnel == null) {
                return false;
            }
            PacketTunnel.Send send = tunnel.frame(impl, packet);
            if (send == PacketTunnel.Send.DISCARDED) {
                return true;
            }
            framed = send == PacketTunnel.Send.FRAMED ? tunnel.framedPacket() : packet;
            packet = framed;
            return false;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Thrown(readOnly = false) Throwable thrown,
                         @Advice.Local("tunnel") PacketTunnel tunnel,
                         @Advice.Local("framed") DatagramPacket framed) {
            if (tunnel != null && framed != null && tunnel.packetSent(framed, thrown)) {
                thrown = null;
            }
        }
    }

    /**
     * {@code synchronized void receive(DatagramPacket)}: every receive, on all three JDKs (then native
     * receive0). The JDK receives into the tunnel's packet; the exit vets the datagram and copies its payload
     * into the caller's. A datagram that must be dropped repeats the body (repeatOn), with the impl's
     * {@code timeout} (which the native receive reads on each call) set to what is left of the caller's
     * SO_TIMEOUT, so junk arriving cannot postpone the timeout; the field is restored on the way out.
     */
    static final class Receive {

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object impl,
                          @Advice.Argument(value = 0, readOnly = false) DatagramPacket packet,
                          @Advice.FieldValue("timeout") int timeout,
                          @Advice.Local("tunnel") PacketTunnel tunnel,
                          @Advice.Local("caller") DatagramPacket caller,
                          @Advice.Local("timeout") int callerTimeout,
                          @Advice.Local("deadline") long deadline) throws IOException {
            tunnel = Dispatch.packetTunnel(impl);
            if (tunnel != null) {
                caller = packet;
                packet = tunnel.receivePacket();
                callerTimeout = timeout;
                deadline = timeout > 0 ? System.nanoTime() + timeout * 1_000_000L : 0L;
            }
        }

        @Advice.OnMethodExit(onThrowable = IOException.class, repeatOn = Advice.OnNonDefaultValue.class)
        static boolean exit(@Advice.This Object impl,
                            @Advice.Thrown(readOnly = false) Throwable thrown,
                            @Advice.FieldValue(value = "timeout", readOnly = false) int timeout,
                            @Advice.Local("tunnel") PacketTunnel tunnel,
                            @Advice.Local("caller") DatagramPacket caller,
                            @Advice.Local("timeout") int callerTimeout,
                            @Advice.Local("deadline") long deadline) throws IOException {
            if (tunnel == null) {
                return false;
            }
            boolean again;
            if (thrown == null) {
                again = !tunnel.receivedPacket(impl, caller);
            } else {
                again = tunnel.relayFailed(thrown); // connected: the relay's ICMP error, not the peer's
                if (again) {
                    thrown = null;
                }
            }
            if (again && callerTimeout > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    again = false;
                    thrown = new SocketTimeoutException("Receive timed out");
                } else {
                    timeout = (int) Math.max(1L, (left + 999_999L) / 1_000_000L);
                    return true;
                }
            }
            if (timeout != callerTimeout && callerTimeout > 0) {
                timeout = callerTimeout;
            }
            return again;
        }
    }

    /**
     * {@code void connect(InetAddress, int)}: to a proxied peer, the OS socket is connected to the relay
     * (associating first; an unavailable proxy fails the connect with the agent's IOException rather than
     * the SocketException that would make DatagramSocket emulate the connection by peeking). DatagramSocket
     * keeps its own connectedAddress/connectedPort, so the application still sees the peer.
     */
    static final class Connect {

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object impl,
                          @Advice.Argument(value = 0, readOnly = false) InetAddress address,
                          @Advice.Argument(value = 1, readOnly = false) int port,
                          @Advice.Local("tunnel") UdpTunnel tunnel,
                          @Advice.Local("peer") InetSocketAddress peer) throws IOException {
            if (address == null) {
                return; // the JDK fails it as usual
            }
            peer = new InetSocketAddress(address, port);
            tunnel = Dispatch.connectTunnel(impl, peer);
            if (tunnel != null) {
                InetSocketAddress relay = tunnel.relay();
                address = relay.getAddress();
                port = relay.getPort();
            }
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Local("tunnel") UdpTunnel tunnel,
                         @Advice.Local("peer") InetSocketAddress peer) {
            if (tunnel != null) {
                tunnel.connected(peer);
            }
        }
    }

    /** {@code void disconnect()}. */
    static final class Disconnect {

        @Advice.OnMethodExit
        static void exit(@Advice.This Object impl) {
            Dispatch.disconnected(impl);
        }
    }

    /** {@code join(InetAddress)} and {@code joinGroup(SocketAddress, NetworkInterface)}: group traffic is direct. */
    static final class Join {

        @Advice.OnMethodExit
        static void exit(@Advice.This Object impl) throws IOException {
            PacketTunnel tunnel = Dispatch.packetTunnel(impl);
            if (tunnel != null) {
                tunnel.joinedGroup();
            }
        }
    }

    /** {@code void close()}: the association ends with the socket. */
    static final class Close {

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.This Object impl) {
            Dispatch.closed(impl);
        }
    }
}
