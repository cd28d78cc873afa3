package io.socksudp.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.bootstrap.Bootstrap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Netty 4.2's native epoll datagram channel (issue 10), send only and receive only, against the same far sides
 * as {@link SendOnly} and {@link ReceiveOnly} (BenchPeer's sink and blaster plain, its SOCKS stub with the
 * agent). The channel lives on its own event loop as in any Netty program, so every figure includes Netty's own
 * cost (a task hand-off from the benchmark thread, a {@code DatagramPacket} and its future per write, a pooled
 * buffer per read); the agent/plain ratio and the difference in B/op are what the agent adds.
 *
 * <p>One op is one datagram. {@code send}: {@value #BATCH} writes from the benchmark thread, one flush, then a
 * wait for the last write's future (which completes after the previous ones: one channel, one loop), so the
 * queue stays bounded. {@code receive}: the benchmark thread waits until the channel's handler has seen
 * {@value #BATCH} more datagrams from the blaster. {@link NettyIoUring} runs the same on io_uring (its states
 * override {@code ioHandler()} and {@code channelClass()}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class NettyEpoll {

    static final int BATCH = 64;

    @State(Scope.Thread)
    public static class SendState {
        @Param({"64"})
        int size;
        EventLoopGroup group;
        Channel channel;
        InetSocketAddress target;
        ByteBuf payload;

        IoHandlerFactory ioHandler() {
            return EpollIoHandler.newFactory();
        }

        Class<? extends Channel> channelClass() {
            return EpollDatagramChannel.class;
        }

        @Setup(Level.Trial)
        public void setup() throws Exception {
            group = new MultiThreadIoEventLoopGroup(1, ioHandler());
            channel = new Bootstrap().group(group).channel(channelClass())
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                        }
                    })
                    .bind(new InetSocketAddress(Endpoints.LOOPBACK, 0)).sync().channel();
            target = Endpoints.sink();
            channel.writeAndFlush(new DatagramPacket(ascii("SINK"), target)).sync(); // opens the association (agent)
            payload = PooledByteBufAllocator.DEFAULT.directBuffer(size);
            payload.writeZero(size);
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            channel.close().sync();
            payload.release();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @State(Scope.Thread)
    public static class ReceiveState {
        @Param({"64"})
        int size;
        EventLoopGroup group;
        Channel channel;
        final AtomicLong received = new AtomicLong();
        long seen;

        IoHandlerFactory ioHandler() {
            return EpollIoHandler.newFactory();
        }

        Class<? extends Channel> channelClass() {
            return EpollDatagramChannel.class;
        }

        @Setup(Level.Trial)
        public void setup() throws Exception {
            group = new MultiThreadIoEventLoopGroup(1, ioHandler());
            channel = new Bootstrap().group(group).channel(channelClass())
                    .option(ChannelOption.SO_RCVBUF, 1 << 20)
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() { // releases each packet
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                            received.lazySet(received.get() + 1); // only the event loop writes it
                        }
                    })
                    .bind(new InetSocketAddress(Endpoints.LOOPBACK, 0)).sync().channel();
            channel.writeAndFlush(new DatagramPacket(ascii("BLAST " + size), Endpoints.blaster())).sync();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (received.get() == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no datagram within 10 s: is the far side up?");
                }
                Thread.sleep(1);
            }
            seen = received.get();
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            channel.close().sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void send(SendState s) {
        sendBatch(s);
    }

    static void sendBatch(SendState s) {
        ChannelFuture last = null;
        for (int i = 0; i < BATCH; i++) {
            last = s.channel.write(new DatagramPacket(s.payload.retainedDuplicate(), s.target));
        }
        s.channel.flush();
        last.syncUninterruptibly();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long receive(ReceiveState s) {
        return receiveBatch(s);
    }

    static long receiveBatch(ReceiveState s) {
        long until = s.seen + BATCH;
        long now;
        while ((now = s.received.get()) < until) {
            Thread.onSpinWait();
        }
        s.seen = until;
        return now;
    }

    private static ByteBuf ascii(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return PooledByteBufAllocator.DEFAULT.directBuffer(b.length).writeBytes(b);
    }
}
