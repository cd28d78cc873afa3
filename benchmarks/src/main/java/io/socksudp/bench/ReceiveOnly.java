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
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Blocking receive only, while BenchPeer blasts datagrams at the socket from another process as fast as it can
 * (plain: from a plain socket; with the agent: SOCKS-framed, from the SOCKS stub's relay socket, so the agent
 * vets, unframes and attributes every one). One op is one datagram delivered. If the blaster were slower than
 * the receiver, the receiver would wait and both modes would show the blaster's rate: see the README.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ReceiveOnly {

    @State(Scope.Thread)
    public static class ChannelState {
        @Param({"64", "1024"})
        int size;
        DatagramChannel channel;
        ByteBuffer in;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            channel = Endpoints.openChannel();
            in = ByteBuffer.allocateDirect(65536);
            channel.send(Endpoints.ascii("BLAST " + size), Endpoints.blaster());
            Endpoints.awaitFirst(channel, in);
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
        DatagramPacket in;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            socket = Endpoints.openSocket();
            in = new DatagramPacket(new byte[65536], 65536);
            byte[] hello = ("BLAST " + size).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(hello, hello.length, Endpoints.blaster()));
            Endpoints.awaitFirst(socket, in);
        }

        @TearDown(Level.Trial)
        public void close() {
            socket.close();
        }
    }

    @Benchmark
    public SocketAddress channel(ChannelState s) throws IOException {
        s.in.clear();
        return s.channel.receive(s.in);
    }

    @Benchmark
    public int socket(SocketState s) throws IOException {
        s.socket.receive(s.in);
        return s.in.getLength();
    }
}
