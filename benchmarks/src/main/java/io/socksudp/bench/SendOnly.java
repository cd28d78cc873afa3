package io.socksudp.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Send only, to a far side that drains (BenchPeer's sink; with the agent, BenchPeer's SOCKS stub, which drains
 * the association's UDP socket without forwarding). An unconnected send to the same address object each time,
 * as applications do. A loopback UDP send never waits for the receiver, so this is the sender's own cost:
 * the JDK's and the syscall's, plus, with the agent, the framing.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SendOnly {

    @State(Scope.Thread)
    public static class ChannelState {
        @Param({"64", "1024"})
        int size;
        DatagramChannel channel;
        ByteBuffer payload;
        InetSocketAddress target;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            target = Endpoints.sink();
            channel = Endpoints.openChannel();
            channel.send(Endpoints.ascii("SINK"), target); // opens the association (agent)
            payload = Endpoints.payload(size);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            channel.close();
        }
    }

    @State(Scope.Thread)
    public static class SocketState {
        @Param({"64", "1024"})
        int size;
        DatagramSocket socket;
        DatagramPacket packet;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            InetSocketAddress target = Endpoints.sink();
            socket = Endpoints.openSocket();
            byte[] hello = "SINK".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(hello, hello.length, target));
            byte[] bytes = new byte[size];
            java.util.Arrays.fill(bytes, (byte) 'p');
            packet = new DatagramPacket(bytes, size, target);
        }

        @TearDown(Level.Trial)
        public void close() {
            socket.close();
        }
    }

    @Benchmark
    public int channel(ChannelState s) throws IOException {
        s.payload.rewind();
        return s.channel.send(s.payload, s.target);
    }

    @Benchmark
    public void socket(SocketState s) throws IOException {
        s.socket.send(s.packet);
    }
}
