package io.socksudp.it.app;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * The Netty half of the differential suite ({@code NettyDifferentialIT}): scenarios over Netty's datagram API on one
 * transport, each printing what an application can observe, in a form that is the same whether the program runs
 * directly or socksified (no port numbers, no timings). Knows nothing about SOCKS. The far side is the differential
 * suite's {@code probe.Peer} (echo, {@code CMD:SIZE n}, {@code CMD:FROM2 text}).
 *
 * <p>Usage: {@code NettyProbe --transport nio|epoll|io_uring|incubator_io_uring --peer IP:PORT --second PORT}.
 * Prints {@code LOCAL port} for every channel it opens (not part of the transcript: the suite checks that the far side
 * never sees these ports when socksified), {@code OBS scenario key=value...} lines (the transcript), then {@code
 * NETTYPROBE done}. A transport this machine cannot run prints {@code NETTYPROBE UNAVAILABLE cause} and exits 3.
 *
 * <p>What a received packet shows: its payload's length and CRC-32, the content's reader index (Netty's own packets
 * start at 0, and its decoders count on it), whether the sender is the peer, and whether the recipient is the
 * channel's local address.
 */
public final class NettyProbe {

    private static final long WAIT_MILLIS = 3000;
    /** After the expected datagrams, how long to wait for any that should not come. */
    private static final long QUIET_MILLIS = 300;

    private final Class<? extends Channel> channelClass;
    private final EventLoopGroup group;
    private final InetSocketAddress peer;
    private final InetSocketAddress second;
    private final String transport;

    private NettyProbe(String transport, Class<? extends Channel> channelClass, EventLoopGroup group,
                       InetSocketAddress peer, InetSocketAddress second) {
        this.transport = transport;
        this.channelClass = channelClass;
        this.group = group;
        this.peer = peer;
        this.second = second;
    }

    public static void main(String[] args) throws Exception {
        String transport = "nio";
        String peerArg = null;
        int secondPort = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--transport")) {
                transport = args[++i];
            } else if (args[i].equals("--peer")) {
                peerArg = args[++i];
            } else if (args[i].equals("--second")) {
                secondPort = Integer.parseInt(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        int colon = peerArg.lastIndexOf(':');
        InetSocketAddress peer = new InetSocketAddress(peerArg.substring(0, colon),
                Integer.parseInt(peerArg.substring(colon + 1)));
        EventLoopGroup group;
        Class<? extends Channel> channelClass;
        if (transport.equals("nio")) {
            group = new NioEventLoopGroup(1);
            channelClass = NioDatagramChannel.class;
        } else {
            NettyNativeEchoClient.Transport t = NettyNativeEchoClient.Transport.of(transport);
            Throwable unavailable = t.unavailability();
            if (unavailable != null) {
                System.out.println("NETTYPROBE UNAVAILABLE " + unavailable);
                System.exit(3);
            }
            group = t.newGroup();
            channelClass = t.channelClass;
        }
        NettyProbe probe = new NettyProbe(transport, channelClass, group, peer,
                new InetSocketAddress(peer.getAddress(), secondPort));
        try {
            probe.sizes();
            probe.connected();
            probe.envelope();
            probe.batch();
            probe.slots();
            probe.segmented();
            probe.closed();
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await();
        }
        System.out.println("NETTYPROBE done");
    }

    /** Unconnected: the peer answers {@code CMD:SIZE n} with n pattern bytes, around Netty's 2048-byte read buffer. */
    private void sizes() throws Exception {
        Opened o = open(false, null);
        try {
            for (int size : new int[] {0, 1, 64, 1400, 2026, 2038, 2048, 3000, 9000}) {
                o.channel.writeAndFlush(new DatagramPacket(ascii("CMD:SIZE " + size), peer)).await();
                obs("sizes", "asked=" + size + " " + o.next());
            }
            // sends of every size reach the peer whole: what it echoes is what was sent
            for (int size : new int[] {1, 1400, 9000, 60000}) {
                ChannelFuture f = o.channel.writeAndFlush(new DatagramPacket(pattern(size), peer)).await();
                obs("sizes", "sent=" + size + " written=" + f.isSuccess() + " " + o.next());
            }
        } finally {
            o.close();
        }
    }

    /** Connected: writes of a bare ByteBuf, remoteAddress(), and a stranger (the second socket) never heard. */
    private void connected() throws Exception {
        Opened o = open(true, null);
        try {
            obs("connected", "remote=" + name(o.channel.remoteAddress()) + " active=" + o.channel.isActive());
            o.channel.writeAndFlush(ascii("hello connected")).await();
            obs("connected", o.next());
            o.channel.writeAndFlush(ascii("CMD:FROM2 stranger")).await();
            obs("connected", "after FROM2: " + o.next()); // AFTER, from the peer; never the second socket's
            obs("connected", "then " + o.quiet());
            o.channel.writeAndFlush(new DatagramPacket(ascii("packet to the remote"), peer)).await();
            obs("connected", "packet: " + o.next());
        } finally {
            o.close();
        }
    }

    /** An AddressedEnvelope that is not a DatagramPacket, which Netty's datagram channels also take. */
    private void envelope() throws Exception {
        Opened o = open(false, null);
        try {
            ChannelFuture f = o.channel.writeAndFlush(
                    new DefaultAddressedEnvelope<ByteBuf, InetSocketAddress>(ascii("in an envelope"), peer)).await();
            obs("envelope", "written=" + f.isSuccess() + " " + (f.isSuccess() ? o.next() : f.cause().toString()));
        } finally {
            o.close();
        }
    }

    /** Eight packets written, one flush (epoll: one sendmmsg), each answered. */
    private void batch() throws Exception {
        Opened o = open(false, null);
        try {
            ChannelFuture last = null;
            for (int i = 0; i < 8; i++) {
                last = o.channel.write(new DatagramPacket(ascii("batch-" + i), peer));
            }
            o.channel.flush();
            last.await();
            List<String> got = new ArrayList<String>();
            for (int i = 0; i < 8; i++) {
                got.add(o.next());
            }
            Collections.sort(got); // the order of arrival is the kernel's
            obs("batch", got.toString());
        } finally {
            o.close();
        }
    }

    /**
     * The transport's own receive slots ({@code MAX_DATAGRAM_PAYLOAD_SIZE} 1024: epoll's recvmmsg, io_uring's linked
     * recvmsg) with a 16-slot buffer: datagrams within a slot arrive whole.
     */
    private void slots() throws Exception {
        if (transport.equals("nio")) {
            obs("slots", "not a native transport");
            return;
        }
        Opened o = open(false, "MAX_DATAGRAM_PAYLOAD_SIZE");
        try {
            for (int size : new int[] {100, 1000, 1024}) {
                o.channel.writeAndFlush(new DatagramPacket(ascii("CMD:SIZE " + size), peer)).await();
                obs("slots", "asked=" + size + " " + o.next());
            }
        } finally {
            o.close();
        }
    }

    /** UDP GSO: one SegmentedDatagramPacket of three 300-byte segments, where the transport supports it. */
    private void segmented() throws Exception {
        Class<?> type;
        try {
            type = Class.forName("io.netty.channel.unix.SegmentedDatagramPacket");
        } catch (ClassNotFoundException e) {
            obs("segmented", "no SegmentedDatagramPacket");
            return;
        }
        boolean supported = transport.contains("io_uring") || transport.equals("epoll")
                ? (Boolean) Class.forName(transport.equals("epoll") ? "io.netty.channel.epoll.EpollDatagramChannel"
                : NettyNativeEchoClient.Transport.of(transport).channelClass.getName())
                .getMethod("isSegmentedDatagramPacketSupported").invoke(null) : false;
        if (!supported) {
            obs("segmented", "not supported here");
            return;
        }
        Opened o = open(false, null);
        try {
            ByteBuf three = Unpooled.directBuffer(900).writeBytes(pattern(900));
            Object packet = type.getConstructor(ByteBuf.class, int.class, InetSocketAddress.class)
                    .newInstance(three, 300, peer);
            ChannelFuture f = o.channel.writeAndFlush(packet).await();
            List<String> got = new ArrayList<String>();
            for (int i = 0; i < 3 && f.isSuccess(); i++) {
                got.add(o.next());
            }
            obs("segmented", "written=" + f.isSuccess() + " " + got);
        } finally {
            o.close();
        }
    }

    /** Writes on a closed channel fail as Netty fails them. */
    private void closed() throws Exception {
        Opened o = open(false, null);
        o.close();
        ChannelFuture f = o.channel.writeAndFlush(new DatagramPacket(ascii("too late"), peer)).await();
        obs("closed", "written=" + f.isSuccess() + " cause=" + (f.cause() == null ? null
                : f.cause().getClass().getName()));
    }

    // ------------------------------------------------------------------------------------------ plumbing

    private Opened open(boolean connect, String slotOption) throws Exception {
        final Opened o = new Opened();
        Bootstrap b = new Bootstrap().group(group).channel(channelClass)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        try {
                            o.received.add(describe(ctx.channel(), msg));
                        } finally {
                            ReferenceCountUtil.release(msg);
                        }
                    }
                });
        if (slotOption != null) {
            String options = transport.equals("epoll") ? "io.netty.channel.epoll.EpollChannelOption"
                    : transport.equals("io_uring") ? "io.netty.channel.uring.IoUringChannelOption"
                    : "io.netty.incubator.channel.uring.IOUringChannelOption";
            @SuppressWarnings("unchecked")
            ChannelOption<Integer> slot = (ChannelOption<Integer>) Class.forName(options).getField(slotOption).get(null);
            b.option(slot, 1024).option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(16 * 1024));
        }
        ChannelFuture opened = connect ? b.connect(peer).await() : b.bind(0).await();
        if (!opened.isSuccess()) {
            throw new IllegalStateException("cannot open the channel", opened.cause());
        }
        o.channel = opened.channel();
        System.out.println("LOCAL " + ((InetSocketAddress) o.channel.localAddress()).getPort());
        return o;
    }

    private String describe(Channel channel, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            return "not a DatagramPacket: " + msg.getClass().getName();
        }
        DatagramPacket p = (DatagramPacket) msg;
        ByteBuf content = p.content();
        byte[] bytes = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), bytes);
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length);
        String text = bytes.length > 0 && bytes.length < 40 && bytes[0] >= 'A' && bytes[0] <= 'z'
                ? " text=" + new String(bytes, java.nio.charset.StandardCharsets.US_ASCII).replace(' ', '_') : "";
        return "len=" + bytes.length + " crc=" + Long.toHexString(crc.getValue()) + " readerIndex="
                + content.readerIndex() + " sender=" + name(p.sender()) + " recipientIsLocal="
                + String.valueOf(p.recipient()).equals(String.valueOf(channel.localAddress())) + text;
    }

    private String name(SocketAddress a) {
        if (peer.equals(a)) {
            return "peer";
        }
        if (second.equals(a)) {
            return "second";
        }
        return a == null ? "null" : "other";
    }

    private static void obs(String scenario, String what) {
        System.out.println("OBS " + scenario + " " + what);
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static ByteBuf pattern(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return Unpooled.wrappedBuffer(b);
    }

    /** A channel and what it received, in order. */
    private static final class Opened {
        final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<String>();
        Channel channel;

        String next() throws InterruptedException {
            String s = received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            return s == null ? "nothing" : s;
        }

        String quiet() throws InterruptedException {
            String s = received.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS);
            return s == null ? "nothing more" : "unexpected " + s;
        }

        void close() throws InterruptedException {
            channel.close().await();
        }
    }
}
