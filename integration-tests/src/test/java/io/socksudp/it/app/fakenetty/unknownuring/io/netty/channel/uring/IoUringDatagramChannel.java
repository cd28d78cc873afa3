package io.socksudp.it.app.fakenetty.unknownuring.io.netty.channel.uring;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;

/**
 * A stand-in for a Netty io_uring datagram channel whose channel class looks tunnellable (it declares {@code
 * filterOutboundMessage(Object)}, {@code doDisconnect()} and {@code doClose()}) but whose read loop, the unsafe it makes
 * in its constructor as Netty's channels do, fires no packet through {@code ChannelPipeline.fireChannelRead}: a future
 * io_uring whose reads the agent could not unwrap. The agent must refuse the read loop, and so the channel, before it
 * can send anything ("sending natively" here is a plain DatagramSocket, made after the unsafe).
 */
public final class IoUringDatagramChannel implements AutoCloseable {
    private final IoUringDatagramChannelUnsafe unsafe;
    private final DatagramSocket socket;

    public IoUringDatagramChannel() throws IOException {
        unsafe = new IoUringDatagramChannelUnsafe();
        socket = new DatagramSocket();
    }

    protected Object filterOutboundMessage(Object msg) {
        return msg;
    }

    protected void doDisconnect() {
    }

    protected void doClose() {
        socket.close();
    }

    public void sendTo(byte[] payload, InetSocketAddress target) throws IOException {
        socket.send(new DatagramPacket(payload, payload.length, target));
    }

    @Override
    public void close() {
        doClose();
    }

    /** The read loop: reads nothing, fires nothing. */
    final class IoUringDatagramChannelUnsafe {
        int reads;
    }
}
