package io.socksudp.agent.association;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;

/**
 * Where {@link ProxyHandshake} gets its control connections and its time. In the agent it is always
 * {@link #SOCKETS}: a blocking {@link SocketChannel} and {@link System#nanoTime()}. The seam exists for the
 * handshake fuzz test (ProxyHandshakeFuzzTest), which plays the proxy from an in-memory byte stream with a clock
 * that only moves when a read waits, so that millions of handshakes run in a minute and a stall is detected, not
 * waited for; a real-socket test keeps this implementation covered.
 */
interface ControlWire {

    /** A new, unconnected control connection. */
    Connection open() throws IOException;

    /** The clock the deadlines are read on, as {@link System#nanoTime()}. */
    long nanoTime();

    /** One control connection, as the handshake uses it. */
    interface Connection {
        /** The channel, handed to the association afterwards; null for a connection that is not a socket. */
        SocketChannel channel();

        /** Connects within {@code timeoutMillis} (> 0), or throws (a {@code SocketTimeoutException} when late). */
        void connect(InetSocketAddress proxy, int timeoutMillis) throws IOException;

        /** The connection's local address, once connected. */
        InetAddress localAddress();

        void write(byte[] bytes, int offset, int length) throws IOException;

        /**
         * Reads at least one byte, waiting no longer than {@code timeoutMillis} (> 0): the count, -1 at the end of
         * the stream, or a {@code SocketTimeoutException}.
         */
        int read(byte[] into, int offset, int length, int timeoutMillis) throws IOException;

        /** Closes quietly. */
        void close();
    }

    /** Real sockets and the real clock. */
    ControlWire SOCKETS = new ControlWire() {
        @Override
        public Connection open() throws IOException {
            return new SocketConnection(SocketChannel.open());
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }
    };

    /**
     * A blocking SocketChannel, used through its socket adaptor. A channel: the monitor's selector can watch it
     * afterwards, and channels never go through the JDK's socksProxyHost, which would socksify a plain new Socket()
     * when the user set it.
     */
    final class SocketConnection implements Connection {
        private final SocketChannel channel;
        private InputStream in;
        private OutputStream out;

        SocketConnection(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public SocketChannel channel() {
            return channel;
        }

        @Override
        public void connect(InetSocketAddress proxy, int timeoutMillis) throws IOException {
            Socket socket = channel.socket();
            socket.setTcpNoDelay(true);
            // Keepalive lets a dead path eventually surface as a reset of the control connection.
            socket.setKeepAlive(true);
            socket.connect(proxy, timeoutMillis);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        @Override
        public InetAddress localAddress() {
            return channel.socket().getLocalAddress();
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            out.flush();
        }

        @Override
        public int read(byte[] into, int offset, int length, int timeoutMillis) throws IOException {
            channel.socket().setSoTimeout(timeoutMillis);
            return in.read(into, offset, length);
        }

        @Override
        public void close() {
            ProxyHandshake.closeQuietly(channel);
        }
    }
}
