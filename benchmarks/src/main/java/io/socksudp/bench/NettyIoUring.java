package io.socksudp.bench;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * {@link NettyEpoll}'s send and receive on Netty 4.2's io_uring datagram channel: a write becomes an {@code
 * IORING_OP_SENDMSG} submission (64 per flush), a read a {@code IORING_OP_RECVMSG} completion; with the agent, the
 * same framing in {@code filterOutboundMessage} and unwrapping where the read loop fires each packet as on epoll.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class NettyIoUring {

    @State(Scope.Thread)
    public static class SendState extends NettyEpoll.SendState {
        @Override
        IoHandlerFactory ioHandler() {
            return IoUringIoHandler.newFactory();
        }

        @Override
        Class<? extends Channel> channelClass() {
            return IoUringDatagramChannel.class;
        }
    }

    @State(Scope.Thread)
    public static class ReceiveState extends NettyEpoll.ReceiveState {
        @Override
        IoHandlerFactory ioHandler() {
            return IoUringIoHandler.newFactory();
        }

        @Override
        Class<? extends Channel> channelClass() {
            return IoUringDatagramChannel.class;
        }
    }

    @Benchmark
    @OperationsPerInvocation(NettyEpoll.BATCH)
    public void send(SendState s) {
        NettyEpoll.sendBatch(s);
    }

    @Benchmark
    @OperationsPerInvocation(NettyEpoll.BATCH)
    public long receive(ReceiveState s) {
        return NettyEpoll.receiveBatch(s);
    }
}
