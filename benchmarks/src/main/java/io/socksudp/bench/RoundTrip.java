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
 * One datagram out and its echo back, one at a time. {@code relay*}: to the demo echo server; plain goes
 * straight there, with the agent through the reference relay (Main points the agent at it for this class).
 * {@code reflect*}: to BenchPeer's reflector, which does nothing else; with the agent through BenchPeer's
 * SOCKS stub, which reflects the framed datagram itself, so the only extra work on the path is the agent's.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RoundTrip {

    @State(Scope.Thread)
    public static class ChannelState {
        @Param({"64", "1024"})
        int size;
        DatagramChannel channel;
        ByteBuffer out;
        ByteBuffer in;
        InetSocketAddress target;

        void open(InetSocketAddress to, String hello) throws IOException {
            target = to;
            channel = Endpoints.openChannel();
            out = Endpoints.payload(size);
            in = ByteBuffer.allocateDirect(65536);
            channel.send(Endpoints.ascii(hello), target); // opens the association (agent), sets the mode
            Endpoints.awaitFirst(channel, in);
        }

        int roundTrip() throws IOException {
            out.rewind();
            channel.send(out, target);
            in.clear();
            channel.receive(in);
            return in.position();
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
        DatagramPacket out;
        DatagramPacket in;

        void open(InetSocketAddress to, String hello) throws IOException {
            socket = Endpoints.openSocket();
            byte[] h = hello.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            in = new DatagramPacket(new byte[65536], 65536);
            socket.send(new DatagramPacket(h, h.length, to));
            Endpoints.awaitFirst(socket, in);
            byte[] payload = new byte[size];
            java.util.Arrays.fill(payload, (byte) 'p');
            out = new DatagramPacket(payload, size, to);
        }

        int roundTrip() throws IOException {
            socket.send(out);
            socket.receive(in);
            return in.getLength();
        }

        @TearDown(Level.Trial)
        public void close() {
            socket.close();
        }
    }

    public static class RelayChannel extends ChannelState {
        @Setup(Level.Trial)
        public void setup() throws IOException {
            open(Endpoints.echo(), "hello");
        }
    }

    public static class RelaySocket extends SocketState {
        @Setup(Level.Trial)
        public void setup() throws IOException {
            open(Endpoints.echo(), "hello");
        }
    }

    public static class ReflectChannel extends ChannelState {
        @Setup(Level.Trial)
        public void setup() throws IOException {
            open(Endpoints.reflector(), "REFLECT");
        }
    }

    public static class ReflectSocket extends SocketState {
        @Setup(Level.Trial)
        public void setup() throws IOException {
            open(Endpoints.reflector(), "REFLECT");
        }
    }

    @Benchmark
    public int relayChannel(RelayChannel s) throws IOException {
        return s.roundTrip();
    }

    @Benchmark
    public int relaySocket(RelaySocket s) throws IOException {
        return s.roundTrip();
    }

    @Benchmark
    public int reflectChannel(ReflectChannel s) throws IOException {
        return s.roundTrip();
    }

    @Benchmark
    public int reflectSocket(ReflectSocket s) throws IOException {
        return s.roundTrip();
    }
}
