package io.socksudp.demo.echo;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The two plain JDK ways to do unconnected UDP, behind one face, so that the echo programs exercise
 * either {@link java.net.DatagramSocket} or {@link java.nio.channels.DatagramChannel} with the same logic.
 */
interface UdpEndpoint extends Closeable {

    /** What one receive produced. */
    final class Received {
        private final int length;
        private final InetSocketAddress source;

        Received(int length, InetSocketAddress source) {
            this.length = length;
            this.source = source;
        }

        int length() {
            return length;
        }

        InetSocketAddress source() {
            return source;
        }
    }

    static UdpEndpoint open(InetSocketAddress bind, boolean useChannel) throws IOException {
        return useChannel ? new ChannelEndpoint(bind) : new SocketEndpoint(bind);
    }

    InetSocketAddress localAddress();

    void send(byte[] data, int length, InetSocketAddress target) throws IOException;

    /**
     * Blocks for one datagram.
     *
     * @param timeoutMillis 0 waits forever; otherwise a {@link java.net.SocketTimeoutException} after that long
     */
    Received receive(byte[] buffer, int timeoutMillis) throws IOException;

    /** A name for the API in use, printed so that a reader knows which path was exercised. */
    String kind();
}
