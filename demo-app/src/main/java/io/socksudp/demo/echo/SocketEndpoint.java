package io.socksudp.demo.echo;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;

/** Unconnected {@link DatagramSocket}: {@code send(DatagramPacket)} and {@code receive(DatagramPacket)}. */
final class SocketEndpoint implements UdpEndpoint {
    private final DatagramSocket socket;

    SocketEndpoint(InetSocketAddress bind) throws IOException {
        socket = new DatagramSocket(bind);
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void send(byte[] data, int length, InetSocketAddress target) throws IOException {
        socket.send(new DatagramPacket(data, length, target));
    }

    @Override
    public Received receive(byte[] buffer, int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        return new Received(packet.getLength(), (InetSocketAddress) packet.getSocketAddress());
    }

    @Override
    public String kind() {
        return "DatagramSocket";
    }

    @Override
    public void close() {
        socket.close();
    }
}
