package io.socksudp.it.app;

import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;

/**
 * An ordinary Netty UDP echo client on one of Netty's native Linux transports (epoll, io_uring on Netty 4.2, or the
 * incubator io_uring on Netty 4.1),
 * written as anyone would, knowing nothing about SOCKS. The transport's classes are named, not linked, so one program
 * runs on Netty 4.1 and 4.2 jars alike (4.2 creates an io_uring event loop group differently; epoll's works on both).
 *
 * <p>Usage: {@code NettyNativeEchoClient --transport epoll|io_uring|incubator_io_uring --server IP:PORT --count N [--connect]
 * [--size BYTES] [--expect-length BYTES] [--batch] [--recvmmsg SLOT] [--gro] [--segmented]}. Each datagram is {@code native-I} padded with
 * dots to {@code --size} bytes; {@code --expect-length N}: each echo is its payload's first N bytes (what a receive
 * buffer of N bytes holds of a longer datagram). {@code --batch} writes all of them and flushes once (epoll then sends them with one
 * {@code sendmmsg}, io_uring with one submission queue entry each); {@code --segmented} sends them as one
 * SegmentedDatagramPacket (UDP GSO, segments of {@code --size} bytes); {@code --recvmmsg SLOT} sets the transport's
 * {@code MAX_DATAGRAM_PAYLOAD_SIZE} (epoll then receives with {@code recvmmsg} into slots of that size, io_uring with
 * linked {@code recvmsg} entries) with a receive buffer of 16 slots; {@code --gro} sets {@code UDP_GRO} (epoll only).
 * {@code --bind IP} binds an unconnected channel to that address (not the wildcard). {@code --rounds R --pause MS} sends them R times on the same channel, MS apart, printing {@code native: round I OK}
 * (or {@code FAILED}, which ends it) after each; {@code --close-at-once} writes and flushes them without waiting, then
 * closes the channel at once and prints {@code native: closed after N ms}; {@code --leave-open} does not close the channel (the
 * event loop group's shutdown does); {@code --probe-loop IP} writes and flushes the first round's
 * datagrams without waiting for each and probes the event loop meanwhile (see {@code probeLoop}); any datagram that is not an echo fails the round it arrives in.
 * Prints {@code native: available}, {@code native: local ADDR}, {@code native: sent TEXT} (or {@code ... FAILED
 * cause}), {@code native: reply TEXT from ADDR} per echo (TEXT without its padding, and {@code (N bytes)} when padded),
 * then {@code native: OK n/n} (exit 0: every reply is one of the datagrams sent, byte for byte, from the server) or
 * {@code native: FAILED ...} (exit 1). A transport this machine cannot run prints {@code native: UNAVAILABLE cause}
 * and exits 3.
 */
public final class NettyNativeEchoClient {
    public static void main(String[] args) throws Exception {
        String server = null;
        String transport = "epoll";
        int count = 3;
        boolean connect = false;
        int size = 0;
        int expectLength = 0;
        boolean batch = false;
        int slot = 0;
        boolean gro = false;
        boolean segmented = false;
        String bindTo = null;
        int rounds = 1;
        long pause = 0;
        String probeLoop = null;
        boolean leaveOpen = false;
        boolean closeAtOnce = false;
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
                case "--size":
                    size = Integer.parseInt(args[++i]);
                    break;
                case "--batch":
                    batch = true;
                    break;
                case "--recvmmsg":
                    slot = Integer.parseInt(args[++i]);
                    break;
                case "--gro":
                    gro = true;
                    break;
                case "--bind":
                    bindTo = args[++i];
                    break;
                case "--rounds":
                    rounds = Integer.parseInt(args[++i]);
                    break;
                case "--pause":
                    pause = Long.parseLong(args[++i]);
                    break;
                case "--close-at-once":
                    closeAtOnce = true;
                    break;
                case "--leave-open":
                    leaveOpen = true;
                    break;
                case "--probe-loop":
                    probeLoop = args[++i];
                    break;
                case "--expect-length":
                    expectLength = Integer.parseInt(args[++i]);
                    break;
                case "--segmented":
                    segmented = true;
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
        AtomicReference<CountDownLatch> replies = new AtomicReference<>(new CountDownLatch(count));
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder p = new StringBuilder("native-" + i);
            while (p.length() < size) {
                p.append('.');
            }
            payloads.add(p.toString());
        }
        // --expect-length N: each echo is its payload cut to N bytes (a receive buffer of N bytes, as Netty's default)
        List<String> echoes = new ArrayList<>();
        for (String p : payloads) {
            echoes.add(expectLength > 0 && p.length() > expectLength ? p.substring(0, expectLength) : p);
        }
        Set<String> unanswered = ConcurrentHashMap.newKeySet();
        unanswered.addAll(echoes);
        AtomicInteger wrong = new AtomicInteger();
        EventLoopGroup group = t.newGroup();
        int code = 1;
        try {
            Bootstrap b = new Bootstrap().group(group).channel(t.channelClass)
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                            String text = p.content().toString(StandardCharsets.US_ASCII);
                            String from = NettyEchoClient.format(p.sender());
                            String shown = text.indexOf('.') > 0 ? text.substring(0, text.indexOf('.')) + " ("
                                    + text.length() + " bytes)" : text;
                            System.out.println("native: reply " + shown + " from " + from);
                            // equals, not the text: a connected incubator channel reports its remoteAddress(),
                            // which Netty records with the host string it was connected with (127.0.0.1/127.0.0.1:P)
                            if (!unanswered.remove(text) || !target.equals(p.sender())) {
                                wrong.incrementAndGet();
                            }
                            // Netty's own packets start at index 0 of their buffer, and its decoders count on it
                            // (the DNS codec follows compression pointers as absolute indices)
                            if (p.content().readerIndex() != 0) {
                                System.out.println("native: reply at reader index " + p.content().readerIndex()
                                        + ", not 0 as Netty's own");
                                wrong.incrementAndGet();
                            }
                            replies.get().countDown();
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            System.out.println("native: exception " + cause);
                        }
                    });
            if (slot > 0) {
                b.option(t.option("MAX_DATAGRAM_PAYLOAD_SIZE"), slot)
                        .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(16 * slot));
            }
            if (gro) {
                b.option(t.option("UDP_GRO"), true);
            }
            ChannelFuture opened = connect ? b.connect(target).await()
                    : (bindTo == null ? b.bind(0) : b.bind(bindTo, 0)).await();
            if (!opened.isSuccess()) {
                System.out.println("native: FAILED to " + (connect ? "connect" : "bind") + ": " + chain(opened.cause()));
            } else {
                Channel ch = opened.channel();
                System.out.println("native: local " + NettyEchoClient.format(ch.localAddress()));
                if (connect) {
                    System.out.println("native: remote " + NettyEchoClient.format(ch.remoteAddress()));
                }
                boolean ok = true;
                for (int round = 1; round <= rounds && ok; round++) {
                if (round > 1) {
                    Thread.sleep(pause);
                    replies.set(new CountDownLatch(count));
                    unanswered.addAll(echoes);
                }
                int sent = 0;
                if (segmented) {
                    ByteBuf all = Unpooled.directBuffer();
                    for (String text : payloads) {
                        all.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
                    }
                    Object packet = Class.forName("io.netty.channel.unix.SegmentedDatagramPacket")
                            .getConstructor(ByteBuf.class, int.class, InetSocketAddress.class)
                            .newInstance(all, size, target);
                    ChannelFuture f = ch.writeAndFlush(packet).await();
                    System.out.println("native: sent " + count + " segments" + (f.isSuccess() ? ""
                            : " FAILED " + chain(f.cause())));
                    sent = f.isSuccess() ? count : 0;
                } else {
                    List<ChannelFuture> futures = new ArrayList<>();
                    long issued = System.nanoTime();
                    for (String text : payloads) {
                        Object msg = connect ? Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII)
                                : new DatagramPacket(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII), target);
                        futures.add(batch ? ch.write(msg)
                                : probeLoop != null || closeAtOnce ? ch.writeAndFlush(msg)
                                : ch.writeAndFlush(msg).await());
                    }
                    if (batch) {
                        ch.flush();
                    }
                    if (probeLoop != null && round == 1) {
                        probeLoop(b, ch, probeLoop);
                    }
                    if (closeAtOnce && round == 1) {
                        long closing = System.nanoTime();
                        ch.close().sync();
                        System.out.println("native: closed after " + (System.nanoTime() - closing) / 1_000_000
                                + " ms");
                    }
                    for (int i = 0; i < count; i++) {
                        ChannelFuture f = futures.get(i).await();
                        if (i == 0 && probeLoop != null && round == 1) {
                            System.out.println("native: first write done after "
                                    + (System.nanoTime() - issued) / 1_000_000 + " ms");
                        }
                        String text = payloads.get(i);
                        String shown = text.indexOf('.') > 0 ? text.substring(0, text.indexOf('.')) : text;
                        System.out.println("native: sent " + shown + (f.isSuccess() ? "" : " FAILED " + chain(f.cause())));
                        sent += f.isSuccess() ? 1 : 0;
                    }
                }
                ok = sent == count && replies.get().await(10, TimeUnit.SECONDS) && wrong.get() == 0;
                if (rounds > 1) {
                    System.out.println("native: round " + round + (ok ? " OK" : " FAILED"));
                }
                if (!ok) {
                    System.out.println("native: FAILED " + sent + " sent, " + (count - replies.get().getCount()) + "/"
                            + count + " replies, " + wrong.get() + " not an echo of what was sent");
                }
                }
                if (ok) {
                    System.out.println("native: OK " + count + "/" + count);
                    code = 0;
                }
                if (!leaveOpen) {
                    ch.close().sync();
                }
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

    /**
     * While the first datagrams' futures are pending (each written and flushed, not waited for): a second channel on
     * the same event loop (the group has one thread) sends {@code probe} to a third one bound at {@code address}
     * ("IP", port chosen), and prints {@code native: loop probe N ms} (from its write to the third channel's read) and
     * then {@code native: first write done after N ms} (from the same start to the first datagram's future).
     */
    private static void probeLoop(Bootstrap b, Channel first, String address) throws Exception {
        long start = System.nanoTime();
        CountDownLatch heard = new CountDownLatch(1);
        Channel listener = quiet(b, heard).bind(address, 0).sync().channel();
        Channel second = quiet(b, heard).bind("127.0.0.1", 0).sync().channel();
        if (listener.eventLoop() != first.eventLoop() || second.eventLoop() != first.eventLoop()) {
            throw new IllegalStateException("the probe's channels are not on the first channel's event loop");
        }
        second.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer("probe", StandardCharsets.US_ASCII),
                (InetSocketAddress) listener.localAddress()));
        boolean ok = heard.await(30, TimeUnit.SECONDS);
        System.out.println("native: loop probe " + (ok ? (System.nanoTime() - start) / 1_000_000 + " ms" : "LOST"));
        second.close().sync();
        listener.close().sync();
        System.out.flush();
    }

    private static Bootstrap quiet(Bootstrap b, CountDownLatch heard) {
        return b.clone().handler(new SimpleChannelInboundHandler<DatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                heard.countDown();
            }
        });
    }

    /** The exception and its causes on one line: Netty wraps a channel's construction failure in a ChannelException. */
    private static String chain(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            s.append(s.length() == 0 ? "" : " <- ").append(c);
        }
        return s.toString();
    }

    /**
     * A native transport, by class name (its availability class, event loop group and datagram channel). Also
     * {@link NettyDnsLookup}'s.
     */
    static final class Transport {
        final Class<?> availability;
        final Class<? extends io.netty.channel.Channel> channelClass;
        final String groupFactory;
        final String options;

        @SuppressWarnings("unchecked")
        private Transport(String availability, String channel, String groupFactory, String options)
                throws ClassNotFoundException {
            this.availability = Class.forName(availability);
            this.channelClass = (Class<? extends io.netty.channel.Channel>) Class.forName(channel);
            this.groupFactory = groupFactory;
            this.options = options;
        }

        /** The transport's own channel option by name (named, not linked: the class exists only in its jars). */
        @SuppressWarnings("unchecked")
        <T> ChannelOption<T> option(String name) throws ReflectiveOperationException {
            return (ChannelOption<T>) Class.forName(options).getField(name).get(null);
        }

        static Transport of(String name) throws ClassNotFoundException {
            switch (name) {
                case "epoll":
                    return new Transport("io.netty.channel.epoll.Epoll", "io.netty.channel.epoll.EpollDatagramChannel",
                            "io.netty.channel.epoll.EpollEventLoopGroup", "io.netty.channel.epoll.EpollChannelOption");
                case "io_uring":
                    return new Transport("io.netty.channel.uring.IoUring",
                            "io.netty.channel.uring.IoUringDatagramChannel", "io.netty.channel.uring.IoUringIoHandler",
                            "io.netty.channel.uring.IoUringChannelOption");
                case "incubator_io_uring": // Netty 4.1's incubator: an event loop group of its own, as epoll's
                    return new Transport("io.netty.incubator.channel.uring.IOUring",
                            "io.netty.incubator.channel.uring.IOUringDatagramChannel",
                            "io.netty.incubator.channel.uring.IOUringEventLoopGroup",
                            "io.netty.incubator.channel.uring.IOUringChannelOption");
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
