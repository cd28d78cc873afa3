package io.socksudp.it.app;

import java.lang.reflect.Method;
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
import io.netty.channel.socket.DatagramPacket;

/**
 * An ordinary Netty UDP echo client on one of Netty's native Linux transports (epoll, or io_uring on Netty 4.2),
 * written as anyone would, knowing nothing about SOCKS. The transport's classes are named, not linked, so one program
 * runs on Netty 4.1 and 4.2 jars alike (4.2 creates an io_uring event loop group differently; epoll's works on both).
 *
 * <p>Usage: {@code NettyNativeEchoClient --transport epoll|io_uring --server IP:PORT --count N [--connect]}. Prints
 * {@code native: available}, {@code native: local ADDR}, {@code native: sent TEXT} (or {@code ... FAILED cause}),
 * {@code native: reply TEXT from ADDR} per echo, then {@code native: OK n/n} (exit 0) or {@code native: FAILED ...}
 * (exit 1). A transport this machine cannot run prints {@code native: UNAVAILABLE cause} and exits 3.
 */
public final class NettyNativeEchoClient {
    public static void main(String[] args) throws Exception {
        String server = null;
        String transport = "epoll";
        int count = 3;
        boolean connect = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--transport":
                    transport = args[++i];
                    break;
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
        Transport t = Transport.of(transport);
        Throwable unavailable = t.unavailability();
        if (unavailable != null) {
            System.out.println("native: UNAVAILABLE " + unavailable);
            System.out.flush();
            System.exit(3);
        }
        System.out.println("native: available " + t.channelClass.getName());
        CountDownLatch replies = new CountDownLatch(count);
        EventLoopGroup group = t.newGroup();
        int code = 1;
        try {
            Bootstrap b = new Bootstrap().group(group).channel(t.channelClass)
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                            System.out.println("native: reply " + p.content().toString(StandardCharsets.US_ASCII)
                                    + " from " + NettyEchoClient.format(p.sender()));
                            replies.countDown();
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            System.out.println("native: exception " + cause);
                        }
                    });
            ChannelFuture opened = connect ? b.connect(target).await() : b.bind(0).await();
            if (!opened.isSuccess()) {
                System.out.println("native: FAILED to " + (connect ? "connect" : "bind") + ": " + chain(opened.cause()));
            } else {
                Channel ch = opened.channel();
                System.out.println("native: local " + NettyEchoClient.format(ch.localAddress()));
                int sent = 0;
                for (int i = 0; i < count; i++) {
                    String text = "native-" + i;
                    ChannelFuture f = connect
                            ? ch.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII)).await()
                            : ch.writeAndFlush(new DatagramPacket(
                                    Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII), target)).await();
                    System.out.println("native: sent " + text + (f.isSuccess() ? "" : " FAILED " + chain(f.cause())));
                    sent += f.isSuccess() ? 1 : 0;
                }
                if (sent == count && replies.await(10, TimeUnit.SECONDS)) {
                    System.out.println("native: OK " + count + "/" + count);
                    code = 0;
                } else {
                    System.out.println("native: FAILED " + sent + " sent, " + (count - replies.getCount()) + "/"
                            + count + " replies");
                }
                ch.close().sync();
            }
        } catch (Exception e) {
            System.out.println("native: FAILED " + chain(e));
            e.printStackTrace(System.out);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
        System.out.flush();
        System.exit(code);
    }

    /** The exception and its causes on one line: Netty wraps a channel's construction failure in a ChannelException. */
    private static String chain(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            s.append(s.length() == 0 ? "" : " <- ").append(c);
        }
        return s.toString();
    }

    /** A native transport, by class name (its availability class, event loop group and datagram channel). */
    private static final class Transport {
        final Class<?> availability;
        final Class<? extends io.netty.channel.Channel> channelClass;
        final String groupFactory;

        @SuppressWarnings("unchecked")
        private Transport(String availability, String channel, String groupFactory) throws ClassNotFoundException {
            this.availability = Class.forName(availability);
            this.channelClass = (Class<? extends io.netty.channel.Channel>) Class.forName(channel);
            this.groupFactory = groupFactory;
        }

        static Transport of(String name) throws ClassNotFoundException {
            switch (name) {
                case "epoll":
                    return new Transport("io.netty.channel.epoll.Epoll", "io.netty.channel.epoll.EpollDatagramChannel",
                            "io.netty.channel.epoll.EpollEventLoopGroup");
                case "io_uring":
                    return new Transport("io.netty.channel.uring.IoUring",
                            "io.netty.channel.uring.IoUringDatagramChannel", "io.netty.channel.uring.IoUringIoHandler");
                default:
                    throw new IllegalArgumentException("transport " + name);
            }
        }

        Throwable unavailability() throws ReflectiveOperationException {
            boolean available = (Boolean) availability.getMethod("isAvailable").invoke(null);
            return available ? null : (Throwable) availability.getMethod("unavailabilityCause").invoke(null);
        }

        EventLoopGroup newGroup() throws ReflectiveOperationException {
            Class<?> factory = Class.forName(groupFactory);
            if (EventLoopGroup.class.isAssignableFrom(factory)) {
                return (EventLoopGroup) factory.getConstructor(int.class).newInstance(1); // EpollEventLoopGroup
            }
            Method newFactory = factory.getMethod("newFactory"); // Netty 4.2: an IoHandler factory for a group
            Class<?> handlerFactory = Class.forName("io.netty.channel.IoHandlerFactory");
            return (EventLoopGroup) Class.forName("io.netty.channel.MultiThreadIoEventLoopGroup")
                    .getConstructor(int.class, handlerFactory).newInstance(1, newFactory.invoke(null));
        }
    }
}
