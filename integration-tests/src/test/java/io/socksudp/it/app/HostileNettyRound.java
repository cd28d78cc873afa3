package io.socksudp.it.app;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;

/**
 * HostileClient's relay round on a Netty datagram channel, written as any Netty program is: NIO (which the agent sees
 * through the JDK's DatagramChannel) or the native epoll transport (which the agent tunnels itself, NativeFrontEnd).
 * One datagram to the target, then every datagram the channel's handler reads for 5 s or until the good reply, each
 * printed as {@code rx API from=ADDRESS text=PAYLOAD} like the JDK rounds. In its own class so that HostileClient
 * links Netty only when asked to (Netty 4.2's jars are on the class path then; the epoll classes are named, not linked).
 */
final class HostileNettyRound {

    private HostileNettyRound() {
    }

    /**
     * Loads the transport's classes, its native library and jars and starts and stops an event loop, without sending:
     * HostileClient does this before it counts threads and fds, as it probes the agent, so that what Netty keeps for
     * the life of the JVM (open jars) is not taken for a leak.
     */
    static void warmUp(String api) throws Exception {
        EventLoopGroup group = group(api);
        try {
            new Bootstrap().group(group).channel(channelClass(api)).handler(new Collector(null)).bind(0).sync()
                    .channel().close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    static void relayRound(String api, InetSocketAddress target) throws Exception {
        byte[] d = api.getBytes(StandardCharsets.US_ASCII);
        String expected = "plain:" + api;
        long end = System.currentTimeMillis() + 5000;
        BlockingQueue<String> received = new LinkedBlockingQueue<String>();
        EventLoopGroup group = group(api);
        try {
            Channel ch = new Bootstrap().group(group).channel(channelClass(api)).handler(new Collector(received))
                    .bind(0).sync().channel();
            try {
                // While the association is being set up a write may fail (the agent's "proxy unavailable" or a full
                // buffer); a program writes again, as here.
                while (true) {
                    ChannelFuture f = ch.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(d), target)).await();
                    if (f.isSuccess() || System.currentTimeMillis() > end) {
                        if (!f.isSuccess()) {
                            System.out.println("ioerror " + api + " " + f.cause());
                        }
                        break;
                    }
                    Thread.sleep(10);
                }
                while (System.currentTimeMillis() < end) {
                    String rx = received.poll(200, TimeUnit.MILLISECONDS);
                    if (rx == null) {
                        continue;
                    }
                    System.out.println("rx " + api + " " + rx);
                    if (rx.endsWith(" text=" + expected)) {
                        return;
                    }
                }
                System.out.println("rx " + api + " timeout");
            } finally {
                ch.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static EventLoopGroup group(String api) throws ReflectiveOperationException {
        switch (api) {
            case "netty-nio":
                return new NioEventLoopGroup(1);
            case "netty-epoll":
                Class<?> epoll = Class.forName("io.netty.channel.epoll.Epoll");
                if (!(Boolean) epoll.getMethod("isAvailable").invoke(null)) {
                    throw new IllegalStateException("epoll unavailable: "
                            + epoll.getMethod("unavailabilityCause").invoke(null));
                }
                return NettySoakApp.epollGroup();
            default:
                throw new IllegalArgumentException("unknown Netty API " + api);
        }
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Channel> channelClass(String api) throws ClassNotFoundException {
        return api.equals("netty-nio") ? NioDatagramChannel.class
                : (Class<? extends Channel>) Class.forName("io.netty.channel.epoll.EpollDatagramChannel");
    }

    /** Every datagram read, as {@code from=ADDRESS text=PAYLOAD}; exceptions as {@code ioerror}. */
    private static final class Collector extends SimpleChannelInboundHandler<DatagramPacket> {
        private final BlockingQueue<String> received;

        Collector(BlockingQueue<String> received) {
            this.received = received;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            String text = p.content().toString(StandardCharsets.ISO_8859_1);
            if (received != null) {
                received.add("from=" + p.sender() + " text=" + HostileClient.printable(text));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            System.out.println("ioerror netty " + cause);
        }
    }
}
