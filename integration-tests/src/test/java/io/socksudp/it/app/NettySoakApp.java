package io.socksudp.it.app;

import java.io.File;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;

/**
 * SoakApp's Netty twin: an ordinary Netty program on the epoll transport, knowing nothing of SOCKS, that hammers ONE
 * unconnected {@code EpollDatagramChannel} from many writer threads at once (each {@code writeAndFlush} from its own
 * thread, handed to the event loop, its future awaited) while the channel's handler checks every datagram it reads:
 * exactly a payload this program sent, from the echo server, else CORRUPT. The epoll classes are named, not linked
 * (they exist only in the native jars the test puts on the class path); Netty 4.2's {@code MultiThreadIoEventLoopGroup}
 * with the {@code EpollIoHandler}, or 4.1's {@code EpollEventLoopGroup}. Output as SoakApp's, with the tag
 * {@code netty}:
 * <pre>
 * soak: local netty=PORT   soak: ready   soak: sent netty=N   soak: received netty=N   soak: corrupt N
 * soak: exceptions {class=count}   (failed write futures and exceptionCaught, by the cause's class)
 * soak: UNEXPECTED ...     (a Throwable that is not an IOException, with its stack)
 * soak: timeline netty START_MS c0 c1 ...   soak: fds warm=N end=N   soak: threads warm|end=[names]
 * soak: DEADLOCK + every thread's stack, when a writer (or the channel's close) does not finish within 10 s of the end
 * soak: done
 * </pre>
 * "warm" is measured with the channel, its association and the event loop running; "end" after the channel is closed
 * and the group shut down, so a flat program ends below "warm" by at least the channel and its control connection.
 * Usage: {@code --server HOST:PORT --seconds S [--threads T]} (T writer threads; the reads are the event loop's).
 */
public final class NettySoakApp {

    private static final int SLICE_MS = 100;
    private static final String TAG = "netty";

    private final InetSocketAddress server;
    private final int seconds;
    private volatile long startMs = System.currentTimeMillis();
    private volatile boolean stopping;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong corrupt = new AtomicLong();
    private final Map<String, AtomicLong> exceptions = new ConcurrentHashMap<String, AtomicLong>();
    private final AtomicIntegerArray timeline;
    private final CountDownLatch firstEcho = new CountDownLatch(1);

    private NettySoakApp(InetSocketAddress server, int seconds) {
        this.server = server;
        this.seconds = seconds;
        this.timeline = new AtomicIntegerArray(seconds * 1000 / SLICE_MS + 100);
    }

    public static void main(String[] args) throws Exception {
        String server = null;
        int seconds = 30;
        int threads = 16;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--server")) {
                server = args[++i];
            } else if (args[i].equals("--seconds")) {
                seconds = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--threads")) {
                threads = Integer.parseInt(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        int colon = server.lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(server.substring(0, colon),
                Integer.parseInt(server.substring(colon + 1)));
        System.exit(new NettySoakApp(target, seconds).run(threads));
    }

    @SuppressWarnings("unchecked")
    private int run(int threads) throws Exception {
        Class<?> epoll = Class.forName("io.netty.channel.epoll.Epoll");
        if (!(Boolean) epoll.getMethod("isAvailable").invoke(null)) {
            System.out.println("soak: UNAVAILABLE " + epoll.getMethod("unavailabilityCause").invoke(null));
            return 3;
        }
        EventLoopGroup group = epollGroup();
        Bootstrap b = new Bootstrap().group(group)
                .channel((Class<? extends Channel>) Class.forName("io.netty.channel.epoll.EpollDatagramChannel"))
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                        ByteBuf content = p.content();
                        byte[] got = new byte[content.readableBytes()];
                        content.getBytes(content.readerIndex(), got);
                        check(got, p.sender());
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        failed(cause);
                    }
                });
        Channel ch = b.bind(0).sync().channel();
        // Warm-up: until one echo arrived, so that the association exists before the measured part starts.
        for (int i = 0; firstEcho.getCount() > 0; i++) {
            if (i == 100) {
                System.out.println("soak: FAILED no echo in the warm-up");
                return 1;
            }
            ch.writeAndFlush(packet(payload(0, 0))).await();
            firstEcho.await(200, TimeUnit.MILLISECONDS);
        }
        Thread.sleep(200); // the warm-up's other echoes
        int fdsWarm = openFds();
        String threadsWarm = threadNames();
        System.out.println("soak: local " + TAG + "=" + ((InetSocketAddress) ch.localAddress()).getPort());
        startMs = System.currentTimeMillis();
        long endAtMs = startMs + seconds * 1000L;
        System.out.println("soak: ready");
        System.out.flush();

        List<Thread> writers = new ArrayList<Thread>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(writer(ch, t + 1), "soak-netty-write-" + t);
            w.start();
            writers.add(w);
        }
        while (System.currentTimeMillis() < endAtMs) {
            Thread.sleep(50);
        }
        stopping = true;
        long joinDeadline = System.currentTimeMillis() + 10_000;
        for (Thread w : writers) {
            w.join(Math.max(1, joinDeadline - System.currentTimeMillis()));
        }
        Thread.sleep(300); // the last echoes
        boolean closed = ch.close().await(Math.max(1, joinDeadline - System.currentTimeMillis()));
        boolean deadlock = !closed;
        for (Thread w : writers) {
            deadlock |= w.isAlive();
        }
        if (deadlock) {
            System.out.println("soak: DEADLOCK: " + (closed ? "" : "the channel did not close; ")
                    + "writers still running 10 s after the end");
            for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                System.out.println("soak: thread " + e.getKey().getName() + " " + e.getKey().getState());
                for (StackTraceElement frame : e.getValue()) {
                    System.out.println("soak:     at " + frame);
                }
            }
        } else {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
        Thread.sleep(500); // the agent releases the closed channel's association
        System.out.println("soak: sent " + TAG + "=" + sent);
        System.out.println("soak: received " + TAG + "=" + received);
        System.out.println("soak: corrupt " + corrupt);
        System.out.println("soak: exceptions " + new TreeMap<String, AtomicLong>(exceptions));
        StringBuilder slices = new StringBuilder();
        for (int i = 0; i < timeline.length(); i++) {
            slices.append(' ').append(timeline.get(i));
        }
        System.out.println("soak: timeline " + TAG + " " + startMs + slices);
        System.out.println("soak: fds warm=" + fdsWarm + " end=" + openFds());
        System.out.println("soak: threads warm=" + threadsWarm);
        System.out.println("soak: threads end=" + threadNames());
        System.out.println("soak: done");
        System.out.flush();
        return deadlock ? 3 : 0;
    }

    /** Writes a datagram about every 20 ms and waits for its future: a write that never completes is a deadlock. */
    private Runnable writer(final Channel ch, final int thread) {
        return new Runnable() {
            @Override
            public void run() {
                for (int seq = 1; !stopping; seq++) {
                    try {
                        ChannelFuture f = ch.writeAndFlush(packet(payload(thread, seq)));
                        f.await();
                        if (f.isSuccess()) {
                            sent.incrementAndGet();
                        } else if (!stopping) {
                            failed(f.cause());
                        }
                        Thread.sleep(20);
                    } catch (Throwable t) {
                        failed(t);
                    }
                }
            }
        };
    }

    private DatagramPacket packet(byte[] payload) {
        return new DatagramPacket(Unpooled.wrappedBuffer(payload), server);
    }

    /** Exactly a payload this program sent, from the echo server; anything else is CORRUPT. */
    private void check(byte[] got, InetSocketAddress from) {
        String[] parts = new String(got, StandardCharsets.ISO_8859_1).split(" ", 5);
        boolean ok = server.equals(from) && parts.length == 5 && parts[0].equals("SOAK") && parts[1].equals(TAG);
        if (ok) {
            try {
                ok = Arrays.equals(got, payload(Integer.parseInt(parts[2]), Integer.parseInt(parts[3])));
            } catch (NumberFormatException e) {
                ok = false;
            }
        }
        if (!ok) {
            if (corrupt.incrementAndGet() <= 5) {
                System.out.println("soak: CORRUPT on " + TAG + " from " + from + ": " + hex(got));
            }
            return;
        }
        firstEcho.countDown();
        received.incrementAndGet();
        int slice = (int) ((System.currentTimeMillis() - startMs) / SLICE_MS);
        if (slice >= 0 && slice < timeline.length()) {
            timeline.incrementAndGet(slice);
        }
    }

    /** A failure counted by class when it is an IOException; anything else is UNEXPECTED, with its stack. */
    private void failed(Throwable t) {
        if (!(t instanceof java.io.IOException)) {
            System.out.println("soak: UNEXPECTED " + t);
            for (StackTraceElement frame : t.getStackTrace()) {
                System.out.println("soak:     at " + frame);
            }
            return;
        }
        String key = t.getClass().getName();
        AtomicLong n = exceptions.get(key);
        if (n == null) {
            exceptions.putIfAbsent(key, new AtomicLong());
            n = exceptions.get(key);
        }
        n.incrementAndGet();
    }

    /** SoakApp's payload: {@code SOAK netty thread seq } then 'x' to 10..600 bytes. */
    private static byte[] payload(int thread, int seq) {
        StringBuilder b = new StringBuilder("SOAK ").append(TAG).append(' ').append(thread).append(' ').append(seq)
                .append(' ');
        int padding = (thread * 131 + seq * 17) % 590 + 10 - b.length();
        for (int i = 0; i < Math.max(1, padding); i++) {
            b.append('x');
        }
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One event loop on epoll: Netty 4.2's IoHandler way when there, else 4.1's EpollEventLoopGroup. */
    static EventLoopGroup epollGroup() throws ReflectiveOperationException {
        try {
            Method newFactory = Class.forName("io.netty.channel.epoll.EpollIoHandler").getMethod("newFactory");
            Class<?> handlerFactory = Class.forName("io.netty.channel.IoHandlerFactory");
            return (EventLoopGroup) Class.forName("io.netty.channel.MultiThreadIoEventLoopGroup")
                    .getConstructor(int.class, handlerFactory).newInstance(1, newFactory.invoke(null));
        } catch (ClassNotFoundException netty41) {
            return (EventLoopGroup) Class.forName("io.netty.channel.epoll.EpollEventLoopGroup")
                    .getConstructor(int.class).newInstance(1);
        }
    }

    private static String threadNames() {
        List<String> names = new ArrayList<String>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            names.add(t.getName());
        }
        Collections.sort(names);
        return names.toString();
    }

    private static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    private static String hex(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 40); i++) {
            b.append(String.format("%02x", bytes[i] & 0xff));
        }
        return b.append(bytes.length > 40 ? "... (" + bytes.length + " bytes)" : "").toString();
    }
}
