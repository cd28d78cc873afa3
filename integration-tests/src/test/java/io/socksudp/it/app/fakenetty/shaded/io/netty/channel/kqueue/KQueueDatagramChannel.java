package io.socksudp.it.app.fakenetty.shaded.io.netty.channel.kqueue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A stand-in for Netty's kqueue datagram channel (which cannot run on Linux) in a shaded copy: the same members as
 * the real one where the agent looks ({@code filterOutboundMessage(Object)} on every write, {@code doConnect}), under
 * a relocated package. It "sends natively" with a plain DatagramSocket, which the agent must never get to see.
 */
public final class KQueueDatagramChannel implements AutoCloseable {
    private final DatagramSocket socket;
    private volatile InetSocketAddress remote;

    public KQueueDatagramChannel() throws IOException {
        socket = new DatagramSocket();
    }

    /** As Netty's AbstractUnsafe.write: the message passes through filterOutboundMessage, then goes out. */
    public void write(Envelope msg) throws IOException {
        Envelope filtered = (Envelope) filterOutboundMessage(msg);
        InetSocketAddress to = filtered.recipient() != null ? filtered.recipient() : remote;
        socket.send(new DatagramPacket(filtered.content(), filtered.content().length, to));
    }

    public void connect(InetSocketAddress peer) throws IOException {
        if (doConnect(peer, null)) {
            remote = peer;
        }
    }

    public InetSocketAddress remoteAddress() {
        return remote;
    }

    protected Object filterOutboundMessage(Object msg) {
        return msg;
    }

    protected boolean doConnect(SocketAddress remoteAddress, SocketAddress localAddress) throws IOException {
        socket.connect(remoteAddress);
        return true;
    }

    @Override
    public void close() {
        socket.close();
    }

    /** As Netty's AddressedEnvelope: content and recipient (null when the channel is connected). */
    public static final class Envelope {
        private final byte[] content;
        private final InetSocketAddress recipient;

        public Envelope(byte[] content, InetSocketAddress recipient) {
            this.content = content;
            this.recipient = recipient;
        }

        public byte[] content() {
            return content;
        }

        public InetSocketAddress recipient() {
            return recipient;
        }
    }
}
