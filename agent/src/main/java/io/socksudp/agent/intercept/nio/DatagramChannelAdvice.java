package io.socksudp.agent.intercept.nio;

import io.socksudp.agent.bootstrap.Dispatch;
import io.socksudp.agent.bootstrap.ChannelTunnel;
import io.socksudp.agent.bootstrap.UdpTunnel;
import net.bytebuddy.asm.Advice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * Advice inlined into {@code sun.nio.ch.DatagramChannelImpl}. It holds no logic: it
 * swaps the buffers and addresses the JDK is about to use for the tunnel's, and lets the JDK's own code do
 * the I/O on the application's own socket. Everything it references must be visible to the bootstrap loader.
 */
final class DatagramChannelAdvice {

    private DatagramChannelAdvice() {
    }

    /**
     * {@code private int send(FileDescriptor fd, ByteBuffer src, InetSocketAddress target)}: unconnected sends.
     * The send advice all share one shape: the enter swaps in the framed datagram and the relay, or returns
     * true to skip the JDK's send when the tunnel discards (onUnavailable=drop); the exit turns the JDK's count
     * of framed bytes into the application's count of payload bytes.
     */
    static final class Send {

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Object channel,
                             @Advice.Argument(value = 1, readOnly = false) ByteBuffer src,
                             @Advice.Argument(value = 2, readOnly = false) InetSocketAddress target,
                             @Advice.Local("tunnel") ChannelTunnel tunnel,
                             @Advice.Local("payload") ByteBuffer payload) throws IOException {
            tunnel = Dispatch.sendTunnel(channel, target);
            if (tunnel == null) {
                return false;
            }
            payload = src;
            if (tunnel.discarding()) {
                return true;
            }
            src = tunnel.frame(payload, target);
            target = tunnel.relay();
            return false;
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Enter boolean discarded,
                         @Advice.Return(readOnly = false) int written,
                         @Advice.Local("tunnel") ChannelTunnel tunnel,
                         @Advice.Local("payload") ByteBuffer payload) {
            if (tunnel != null) {
                written = tunnel.sent(payload, discarded ? Integer.MAX_VALUE : written);
            }
        }
    }

    /**
     * {@code public int send(ByteBuffer src, SocketAddress target)}: the two sends that never reach the private
     * send: on a connected socket (the JDK writes to the OS socket, connected to the relay), and to a host name
     * the proxy resolves (the JDK would reject an unresolved address).
     */
    static final class PublicSend {

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Object channel,
                             @Advice.Argument(value = 0, readOnly = false) ByteBuffer src,
                             @Advice.Argument(value = 1, readOnly = false) SocketAddress target,
                             @Advice.Local("tunnel") ChannelTunnel tunnel,
                             @Advice.Local("payload") ByteBuffer payload) throws IOException {
            tunnel = Dispatch.peerSendTunnel(channel);
            boolean connected = tunnel != null;
            if (!connected) {
                tunnel = Dispatch.sendTunnelForName(channel, target);
                if (tunnel == null) {
                    return false;
                }
            }
            payload = src;
            if (tunnel.discarding()) {
                return true;
            }
            if (connected) {
                src = tunnel.frameForPeer(payload);
            } else {
                src = tunnel.frame(payload, (InetSocketAddress) target);
                target = tunnel.relay();
            }
            return false;
        }

        @Advice.OnMethodExit(onThrowable = IOException.class)
        static void exit(@Advice.Enter boolean discarded,
                         @Advice.Return(readOnly = false) int written,
                         @Advice.Thrown(readOnly = false) Throwable thrown,
                         @Advice.Local("tunnel") ChannelTunnel tunnel,
                         @Advice.Local("payload") ByteBuffer payload) {
            if (tunnel == null) {
                return;
            }
            if (thrown == null) {
                written = tunnel.sent(payload, discarded ? Integer.MAX_VALUE : written);
            } else if (tunnel.relayFailed(thrown)) {
                thrown = null; // the relay is gone: this datagram is lost, as UDP may lose it
                written = tunnel.sent(payload, Integer.MAX_VALUE);
            }
        }
    }

    /** {@code public int write(ByteBuffer)}: connected only. */
    static final class Write {

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Object channel,
                             @Advice.Argument(value = 0, readOnly = false) ByteBuffer src,
                             @Advice.Local("tunnel") ChannelTunnel tunnel,
                             @Advice.Local("payload") ByteBuffer payload) throws IOException {
            tunnel = Dispatch.peerSendTunnel(channel);
            if (tunnel == null) {
                return false;
            }
            if (tunnel.framedAlready(src)) {
                tunnel = null; // JDK 8: send() framed it and calls write(); send() accounts for it too
                return false;
            }
            payload = src;
            if (tunnel.discarding()) {
                return true;
            }
            src = tunnel.frameForPeer(payload);
            return false;
        }

        @Advice.OnMethodExit(onThrowable = IOException.class)
        static void exit(@Advice.Enter boolean discarded,
                         @Advice.Return(readOnly = false) int written,
                         @Advice.Thrown(readOnly = false) Throwable thrown,
                         @Advice.Local("tunnel") ChannelTunnel tunnel,
                         @Advice.Local("payload") ByteBuffer payload) {
            if (tunnel == null) {
                return;
            }
            if (thrown == null) {
                written = tunnel.sent(payload, discarded ? Integer.MAX_VALUE : written);
            } else if (tunnel.relayFailed(thrown)) {
                thrown = null; // the relay is gone: this datagram is lost, as UDP may lose it
                written = tunnel.sent(payload, Integer.MAX_VALUE);
            }
        }
    }

    /** {@code public long write(ByteBuffer[] srcs, int offset, int length)}: connected, gathering. */
    static final class GatheringWrite {

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Object channel,
                             @Advice.Argument(value = 0, readOnly = false) ByteBuffer[] srcs,
                             @Advice.Argument(value = 1, readOnly = false) int offset,
                             @Advice.Argument(value = 2, readOnly = false) int length,
                             @Advice.Local("tunnel") ChannelTunnel tunnel,
                             @Advice.Local("payloads") ByteBuffer[] payloads,
                             @Advice.Local("offset") int payloadOffset,
                             @Advice.Local("length") int payloadLength) throws IOException {
            tunnel = Dispatch.peerSendTunnel(channel);
            if (tunnel == null) {
                return false;
            }
            payloads = srcs;
            payloadOffset = offset;
            payloadLength = length;
            if (tunnel.discarding()) {
                return true;
            }
            srcs = tunnel.frameForPeer(payloads, offset, length);
            offset = 0;
            length = 1;
            return false;
        }

        @Advice.OnMethodExit(onThrowable = IOException.class)
        static void exit(@Advice.Enter boolean discarded,
                         @Advice.Return(readOnly = false) long written,
                         @Advice.Thrown(readOnly = false) Throwable thrown,
                         @Advice.Local("tunnel") ChannelTunnel tunnel,
                         @Advice.Local("payloads") ByteBuffer[] payloads,
                         @Advice.Local("offset") int payloadOffset,
                         @Advice.Local("length") int payloadLength) {
            if (tunnel == null) {
                return;
            }
            if (thrown == null) {
                written = tunnel.sent(payloads, payloadOffset, payloadLength, discarded ? Long.MAX_VALUE : written);
            } else if (tunnel.relayFailed(thrown)) {
                thrown = null; // the relay is gone: this datagram is lost, as UDP may lose it
                written = tunnel.sent(payloads, payloadOffset, payloadLength, Long.MAX_VALUE);
            }
        }
    }

    /** {@code private int receive(ByteBuffer dst, boolean connected)}: every receive, and the connect flush. */
    static final class Receive {

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object channel,
                          @Advice.Argument(value = 0, readOnly = false) ByteBuffer dst,
                          @Advice.Local("tunnel") ChannelTunnel tunnel,
                          @Advice.Local("callerBuffer") ByteBuffer callerBuffer) {
            tunnel = Dispatch.receiveTunnel(channel);
            if (tunnel != null) {
                callerBuffer = dst;
                dst = tunnel.receiveBuffer();
            }
        }

        @Advice.OnMethodExit(onThrowable = IOException.class)
        static void exit(@Advice.This Object channel,
                         @Advice.Return(readOnly = false) int received,
                         @Advice.Thrown(readOnly = false) Throwable thrown,
                         @Advice.Local("tunnel") ChannelTunnel tunnel,
                         @Advice.Local("callerBuffer") ByteBuffer callerBuffer) throws IOException {
            if (tunnel == null) {
                return;
            }
            if (thrown == null) {
                received = tunnel.received(channel, callerBuffer, received);
            } else if (tunnel.relayFailed(thrown)) {
                thrown = null;
                received = ChannelTunnel.UNAVAILABLE;
            }
        }
    }

    /**
     * JDK 8 to 14: {@code private int receive(FileDescriptor fd, ByteBuffer dst[, boolean connected])}. As
     * {@link Receive}, with two differences of these JDKs: the native code stores the sender in the field
     * {@code sender} (only when it changes, so the advice sets it for every datagram), and a blocking receive
     * that gets "nothing there" hands null to its caller, so after a drop the advice repeats the receive.
     */
    static final class ReceiveIntoSenderField {

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object channel,
                          @Advice.Argument(value = 1, readOnly = false) ByteBuffer dst,
                          @Advice.Local("tunnel") ChannelTunnel tunnel,
                          @Advice.Local("callerBuffer") ByteBuffer callerBuffer) {
            tunnel = Dispatch.receiveTunnel(channel);
            if (tunnel != null) {
                callerBuffer = dst;
                dst = tunnel.receiveBuffer();
            }
        }

        @Advice.OnMethodExit(onThrowable = IOException.class, repeatOn = Advice.OnNonDefaultValue.class)
        static boolean exit(@Advice.This Object channel,
                            @Advice.Return(readOnly = false) int received,
                            @Advice.Thrown(readOnly = false) Throwable thrown,
                            @Advice.FieldValue(value = "sender", readOnly = false) SocketAddress sender,
                            @Advice.Local("tunnel") ChannelTunnel tunnel,
                            @Advice.Local("callerBuffer") ByteBuffer callerBuffer) throws IOException {
            if (tunnel == null) {
                return false;
            }
            int n = received;
            if (thrown == null) {
                received = tunnel.received(channel, callerBuffer, n);
            } else if (tunnel.relayFailed(thrown)) {
                thrown = null;
                n = 0;
                received = ChannelTunnel.UNAVAILABLE;
            } else {
                return false;
            }
            if (received >= 0) {
                sender = tunnel.reportedSender();
                return false;
            }
            return n >= 0 && tunnel.repeatAfterDrop(channel);
        }
    }

    /**
     * JDK 8 to 14: {@code sun.nio.ch.DatagramSocketAdaptor}'s private {@code SocketAddress receive(ByteBuffer)},
     * the socket adaptor's receive with SO_TIMEOUT. JDK 11 waits for readability with the timeout and then
     * receives blocking, so a datagram dropped there must not make the repeated receive wait past the deadline:
     * the tunnel is told the deadline for the duration (see {@link ReceiveIntoSenderField}).
     */
    static final class AdaptorTimedReceive {

        @Advice.OnMethodEnter
        static void enter(@Advice.FieldValue("dc") Object channel,
                          @Advice.FieldValue("timeout") int timeout,
                          @Advice.Local("timed") boolean timed) {
            if (timeout > 0) {
                timed = true;
                Dispatch.timedReceive(channel, System.nanoTime() + timeout * 1_000_000L);
            }
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.FieldValue("dc") Object channel,
                         @Advice.Local("timed") boolean timed) {
            if (timed) {
                Dispatch.timedReceive(channel, 0L);
            }
        }
    }

    /**
     * {@code public int read(ByteBuffer)} on a socket connected through the tunnel: served by the channel's own
     * {@code receive}, whose inner receive is vetted like any other, so a datagram that must be dropped makes
     * the JDK park and retry (blocking) or report nothing (non-blocking), as it does for an empty socket.
     */
    static final class Read {

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Object channel,
                             @Advice.Argument(0) ByteBuffer dst,
                             @Advice.Local("read") int read) throws IOException {
            ChannelTunnel tunnel = Dispatch.peerTunnel(channel);
            if (tunnel == null) {
                return false;
            }
            read = tunnel.readFromPeer(channel, dst);
            return true;
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Enter boolean handled,
                         @Advice.Local("read") int read,
                         @Advice.Return(readOnly = false) int result) {
            if (handled) {
                result = read;
            }
        }
    }

    /** {@code public long read(ByteBuffer[] dsts, int offset, int length)}: as {@link Read}, scattering. */
    static final class ScatteringRead {

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Object channel,
                             @Advice.Argument(0) ByteBuffer[] dsts,
                             @Advice.Argument(1) int offset,
                             @Advice.Argument(2) int length,
                             @Advice.Local("read") long read) throws IOException {
            ChannelTunnel tunnel = Dispatch.peerTunnel(channel);
            if (tunnel == null) {
                return false;
            }
            read = tunnel.readFromPeer(channel, dsts, offset, length);
            return true;
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Enter boolean handled,
                         @Advice.Local("read") long read,
                         @Advice.Return(readOnly = false) long result) {
            if (handled) {
                result = read;
            }
        }
    }

    /**
     * {@code private InetSocketAddress sourceSocketAddress()}: the sender the JDK reports to its caller.
     * The tunnel already called the real method once for this datagram (to vet its source), and the method
     * is not idempotent: it swaps two native buffers as it caches. So when the tunnel knows the answer, the
     * body is skipped and the tunnel's answer returned: the peer from the SOCKS header, or the real source.
     */
    static final class SourceAddress {

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static InetSocketAddress enter(@Advice.This Object channel) {
            return Dispatch.sender(channel);
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Enter InetSocketAddress known,
                         @Advice.Return(readOnly = false) InetSocketAddress sender) {
            if (known != null) {
                sender = known;
            }
        }
    }

    /**
     * {@code DatagramChannel connect(SocketAddress sa, boolean check)} (JDK 8 to 14: {@code connect(SocketAddress)}),
     * behind both
     * {@code DatagramChannel.connect} and {@code DatagramSocket.connect}. To a proxied peer, the OS socket is
     * connected to the relay instead (so the kernel itself drops whatever does not come from the relay), and
     * the JDK's {@code remoteAddress} is set back to the peer: {@code getRemoteAddress()}, {@code isConnected()}
     * and the JDK's own checks of send targets all see the peer, as without the agent.
     */
    static final class Connect {

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object channel,
                          @Advice.Argument(value = 0, readOnly = false) SocketAddress peer,
                          @Advice.Local("tunnel") UdpTunnel tunnel,
                          @Advice.Local("peer") SocketAddress logicalPeer) throws IOException {
            tunnel = Dispatch.connectTunnel(channel, peer);
            if (tunnel != null) {
                logicalPeer = peer;
                peer = tunnel.relay();
            }
        }

        @Advice.OnMethodExit
        static void exit(@Advice.FieldValue(value = "remoteAddress", readOnly = false) InetSocketAddress remote,
                         @Advice.Local("tunnel") UdpTunnel tunnel,
                         @Advice.Local("peer") SocketAddress logicalPeer) {
            if (tunnel != null) {
                remote = (InetSocketAddress) logicalPeer;
                tunnel.connected(remote);
            }
        }
    }

    /** {@code public DatagramChannel disconnect()}. */
    static final class Disconnect {

        @Advice.OnMethodExit
        static void exit(@Advice.This Object channel) {
            Dispatch.disconnected(channel);
        }
    }

    /**
     * {@code protected void implCloseSelectableChannel()}: the association ends with the socket. Told on entry
     * too: a blocking channel's close waits there for senders to leave, and a sender may be waiting for its
     * association's set-up, which the tunnel then cancels, so that the close wins at once.
     */
    static final class Close {

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object channel) {
            Dispatch.closed(channel);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.This Object channel) {
            Dispatch.closed(channel);
        }
    }
}
