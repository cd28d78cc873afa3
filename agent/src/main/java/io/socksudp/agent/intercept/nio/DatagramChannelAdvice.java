package io.socksudp.agent.intercept.nio;

import io.socksudp.agent.bootstrap.Dispatch;
import io.socksudp.agent.bootstrap.UdpTunnel;
import net.bytebuddy.asm.Advice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Advice inlined into {@code sun.nio.ch.DatagramChannelImpl} (JDK 17 and newer). It holds no logic: it
 * swaps the buffer and address the JDK is about to use for the tunnel's, and lets the JDK's own code do the
 * I/O on the application's own socket. Everything it references must be visible to the bootstrap loader.
 */
final class DatagramChannelAdvice {

    private DatagramChannelAdvice() {
    }

    /** {@code private int send(FileDescriptor fd, ByteBuffer src, InetSocketAddress target)}. */
    static final class Send {

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object channel,
                          @Advice.Argument(value = 1, readOnly = false) ByteBuffer src,
                          @Advice.Argument(value = 2, readOnly = false) InetSocketAddress target,
                          @Advice.Local("tunnel") UdpTunnel tunnel,
                          @Advice.Local("payload") ByteBuffer payload) throws IOException {
            tunnel = Dispatch.sendTunnel(channel, target);
            if (tunnel != null) {
                payload = src;
                src = tunnel.frame(payload, target);
                target = tunnel.relay();
            }
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Return(readOnly = false) int written,
                         @Advice.Local("tunnel") UdpTunnel tunnel,
                         @Advice.Local("payload") ByteBuffer payload) {
            if (tunnel != null) {
                written = tunnel.sent(payload, written);
            }
        }
    }

    /** {@code private int receive(ByteBuffer dst, boolean connected)}. */
    static final class Receive {

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object channel,
                          @Advice.Argument(value = 0, readOnly = false) ByteBuffer dst,
                          @Advice.Local("tunnel") UdpTunnel tunnel,
                          @Advice.Local("callerBuffer") ByteBuffer callerBuffer) {
            tunnel = Dispatch.receiveTunnel(channel);
            if (tunnel != null) {
                callerBuffer = dst;
                dst = tunnel.receiveBuffer();
            }
        }

        @Advice.OnMethodExit
        static void exit(@Advice.This Object channel,
                         @Advice.Return(readOnly = false) int received,
                         @Advice.Local("tunnel") UdpTunnel tunnel,
                         @Advice.Local("callerBuffer") ByteBuffer callerBuffer) throws IOException {
            if (tunnel != null) {
                received = tunnel.received(channel, callerBuffer, received);
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
     * {@code DatagramChannel connect(SocketAddress sa, boolean check)}, behind both
     * {@code DatagramChannel.connect} and {@code DatagramSocket.connect}. A connected channel writes straight
     * to its peer through {@code IOUtil.write}, around the advised send; until connected sockets are
     * tunnelled, connecting to a proxied destination is refused rather than let traffic leave directly.
     */
    static final class Connect {

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object channel, @Advice.Argument(0) Object peer) throws IOException {
            Dispatch.connecting(channel, peer);
        }
    }

    /** {@code protected void implCloseSelectableChannel()}: the association ends with the socket. */
    static final class Close {

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.This Object channel) {
            Dispatch.closed(channel);
        }
    }
}
