package io.socksudp.it.app;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
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
 * An ordinary Netty UDP echo client (NIO transport: a non-blocking DatagramChannel driven by Netty's selector loop),
 * written as anyone would, knowing nothing about SOCKS.
 *
 * <p>Usage: {@code NettyEchoClient --server IP:PORT --count N [--connect]}. Prints {@code netty: local ADDR},
 * {@code netty: reply TEXT from ADDR} per datagram, then {@code netty: OK n/n} (exit 0) or {@code netty: FAILED ...}.
 * With {@code --connect} the channel is connected to the server and writes carry no address.
 */
public final class NettyEchoClient {
    public static void main(String[] args) throws Exception {
        String server = null;
        int count = 3;
        boolean connect = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server":
                    server = args[++i];
                    break;
                case "--count":
                    count = Integer.parseInt(args[++i]);
                    break;
                case "--connect":
                    connect = true;
                    break;
                default:
                    throw new IllegalArgumentException(args[i]);
            }
        }
        int colon = server.lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(server.substring(0, colon),
                Integer.parseInt(server.substring(colon + 1)));
        CountDownLatch replies = new CountDownLatch(count);
        EventLoopGroup group = new NioEventLoopGroup(1);
        int code = 1;
        try {
            Bootstrap b = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                            System.out.println("netty: reply " + p.content().toString(StandardCharsets.US_ASCII)
                                    + " from " + format(p.sender()));
                            replies.countDown();
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            System.out.println("netty: exception " + cause);
                        }
                    });
            Channel ch = connect ? b.connect(target).sync().channel() : b.bind(0).sync().channel();
            System.out.println("netty: local " + format(ch.localAddress()));
            for (int i = 0; i < count; i++) {
                String text = "netty-" + i;
                ChannelFuture f = connect
                        ? ch.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII)).await()
                        : ch.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII),
                                target)).await();
                System.out.println("netty: sent " + text + (f.isSuccess() ? "" : " FAILED " + f.cause()));
            }
            if (replies.await(10, TimeUnit.SECONDS)) {
                System.out.println("netty: OK " + count + "/" + count);
                code = 0;
            } else {
                System.out.println("netty: FAILED " + (count - replies.getCount()) + "/" + count + " replies");
            }
            ch.close().sync();
        } catch (Exception e) {
            System.out.println("netty: FAILED " + e);
            e.printStackTrace(System.out);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
        System.out.flush();
        System.exit(code);
    }

    /**
     * The address as JDK 14+ prints an InetSocketAddress ({@code /[v6]:port}) on every JDK: JDK 8 and 11 print IPv6
     * without brackets ({@code /0:0:0:0:0:0:0:0:port}).
     */
    static String format(java.net.SocketAddress address) {
        if (address instanceof java.net.InetSocketAddress
                && ((java.net.InetSocketAddress) address).getAddress() instanceof java.net.Inet6Address) {
            java.net.InetSocketAddress a = (java.net.InetSocketAddress) address;
            return a.getHostString().equals(a.getAddress().getHostAddress())
                    ? "/[" + a.getAddress().getHostAddress() + "]:" + a.getPort()
                    : a.getHostString() + "/[" + a.getAddress().getHostAddress() + "]:" + a.getPort();
        }
        return String.valueOf(address);
    }
}
