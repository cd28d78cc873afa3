package io.socksudp.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/**
 * What the forked benchmark JVM knows about the run: whether the agent is attached, and the far sides, all on
 * 127.0.0.1, passed by {@link Main} as system properties. With the agent (and an empty nonProxyHosts) every
 * one of these destinations goes through the proxy named by {@code socksudp.proxy}.
 */
final class Endpoints {

    static final boolean AGENT = Boolean.getBoolean("bench.agent");
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private Endpoints() {
    }

    /** The demo echo server (prints a line per datagram, like the reference relay). */
    static InetSocketAddress echo() {
        return address("bench.echo");
    }

    /** BenchPeer's plain sink; through the agent, any destination that the SOCKS stub then drains. */
    static InetSocketAddress sink() {
        return address("bench.sink");
    }

    static InetSocketAddress reflector() {
        return address("bench.reflect");
    }

    static InetSocketAddress blaster() {
        return address("bench.blast");
    }

    private static InetSocketAddress address(String property) {
        String port = System.getProperty(property);
        if (port == null) {
            throw new IllegalStateException("-D" + property + " is not set: run the benchmarks with java -jar"
                    + " benchmarks/target/benchmarks.jar (io.socksudp.bench.Main), which starts the far sides");
        }
        return new InetSocketAddress(LOOPBACK, Integer.parseInt(port));
    }

    static ByteBuffer payload(int size) {
        ByteBuffer b = ByteBuffer.allocateDirect(size);
        while (b.hasRemaining()) {
            b.put((byte) 'p');
        }
        return b.flip();
    }

    static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    static DatagramChannel openChannel() {
        try {
            DatagramChannel ch = DatagramChannel.open();
            ch.bind(new InetSocketAddress(LOOPBACK, 0));
            ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 1 << 20);
            return ch; // blocking
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DatagramSocket openSocket() {
        try {
            DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
            s.setReceiveBufferSize(1 << 20);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits up to 10 s for one datagram on a blocking channel (which has no receive timeout of its own). */
    static void awaitFirst(DatagramChannel ch, ByteBuffer into) throws IOException {
        ch.configureBlocking(false);
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (ch.receive(into) == null) {
                if (System.nanoTime() > deadline) {
                    throw new SocketTimeoutException("no datagram within 10 s: is the far side up?");
                }
                Thread.onSpinWait();
            }
        } finally {
            ch.configureBlocking(true);
        }
    }

    static void awaitFirst(DatagramSocket s, DatagramPacket into) throws IOException {
        s.setSoTimeout(10_000);
        try {
            s.receive(into);
        } finally {
            s.setSoTimeout(0); // the measured receives are plain blocking ones
        }
    }
}
