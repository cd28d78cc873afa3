package io.socksudp.it.app.fakenetty.unknown.io.netty.channel.epoll;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;

/**
 * A stand-in for a Netty epoll datagram channel of a layout the agent has never seen (no
 * {@code filterOutboundMessage(Object)}): what a future Netty, or a copy changed beyond relocation, could look like.
 * It "sends natively" with a plain DatagramSocket; the agent must refuse it before it can send anything at all.
 */
public final class EpollDatagramChannel implements AutoCloseable {
    private final DatagramSocket socket;

    public EpollDatagramChannel() throws IOException {
        socket = new DatagramSocket();
    }

    public void sendTo(byte[] payload, InetSocketAddress target) throws IOException {
        socket.send(new DatagramPacket(payload, payload.length, target));
    }

    @Override
    public void close() {
        socket.close();
    }
}
