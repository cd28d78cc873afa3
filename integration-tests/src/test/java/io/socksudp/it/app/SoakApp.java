package io.socksudp.it.app;

import java.io.File;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain UDP program that hammers ONE DatagramChannel and ONE DatagramSocket from many threads at once, each
 * socket with its own senders and receivers, against an echo server, and checks every datagram it gets back:
 * the payload must be exactly one it sent on that same socket (so a SOCKS header or a stray byte delivered to the
 * application shows up as CORRUPT), and the sender must be the echo server. It reports instead of giving up:
 * <pre>
 * soak: local ch=PORT sock=PORT      the sockets' own ports
 * soak: ready                         both sockets had an echo
 * soak: sent ch=N sock=N  soak: received ch=N sock=N  soak: corrupt N  soak: CORRUPT ... (the first few)
 * soak: exceptions {class=count}      soak: UNEXPECTED ... (anything but an IOException, with its stack)
 * soak: timeline ch|sock START_MS c0 c1 ...   echoes received per 100 ms from START_MS
 * soak: fds warm=N end=N              open fds after the warm-up, and after closing both sockets
 * soak: threads warm|end=[names]      live threads then (sorted)
 * soak: DEADLOCK + every thread's stack, when a thread does not finish within 10 s of the end
 * soak: done
 * </pre>
 * Usage: {@code --server HOST:PORT --seconds S [--threads T]} (T senders and T receivers per socket).
 */
public final class SoakApp {

    private static final int SLICE_MS = 100;
    private static final int MAX_PAYLOAD = 700;

    private final InetSocketAddress server;
    private final int seconds;
    /** Set once warmed up ("soak: ready"): the test schedules its kills from then, so the run lasts from then. */
    private volatile long endAtMs;
    private final AtomicLong sentCh = new AtomicLong();
    private final AtomicLong sentSock = new AtomicLong();
    private final AtomicLong receivedCh = new AtomicLong();
    private final AtomicLong receivedSock = new AtomicLong();
    private final AtomicLong corrupt = new AtomicLong();
    private final Map<String, AtomicLong> exceptions = new ConcurrentHashMap<String, AtomicLong>();
    private volatile long startMs;
    private final AtomicIntegerArray timelineCh;
    private final AtomicIntegerArray timelineSock;
    private volatile boolean stopping;

    private SoakApp(InetSocketAddress server, int seconds) {
        this.server = server;
        this.seconds = seconds;
        this.startMs = System.currentTimeMillis();
        this.timelineCh = new AtomicIntegerArray(seconds * 1000 / SLICE_MS + 100);
        this.timelineSock = new AtomicIntegerArray(seconds * 1000 / SLICE_MS + 100);
    }

    public static void main(String[] args) throws Exception {
        String server = null;
        int seconds = 30;
        int threads = 8;
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
        System.exit(new SoakApp(target, seconds).run(threads));
    }

    private int run(int threads) throws Exception {
        DatagramChannel channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress(0));
        DatagramSocket socket = new DatagramSocket();
        socket.setSoTimeout(200);
        warmUp(channel, socket);
        int fdsWarm = openFds();
        String threadsWarm = threadNames();
        System.out.println("soak: local ch=" + ((InetSocketAddress) channel.getLocalAddress()).getPort() + " sock="
                + socket.getLocalPort());
        startMs = System.currentTimeMillis(); // warming up can take seconds on a loaded machine
        endAtMs = startMs + seconds * 1000L;
        System.out.println("soak: ready");
        System.out.flush();

        List<Thread> workers = new ArrayList<Thread>();
        for (int t = 0; t < threads; t++) {
            workers.add(worker("soak-ch-send-" + t, channelSender(channel, t)));
            workers.add(worker("soak-ch-recv-" + t, channelReceiver(channel)));
            workers.add(worker("soak-sock-send-" + t, socketSender(socket, t)));
            workers.add(worker("soak-sock-recv-" + t, socketReceiver(socket)));
        }
        while (System.currentTimeMillis() < endAtMs) {
            Thread.sleep(50);
        }
        stopping = true;
        Thread.sleep(300); // receivers collect the last echoes
        channel.close(); // ends the channel receivers' blocking receive (AsynchronousCloseException)
        socket.close();
        long joinDeadline = System.currentTimeMillis() + 10_000;
        for (Thread w : workers) {
            w.join(Math.max(1, joinDeadline - System.currentTimeMillis()));
        }
        boolean deadlock = false;
        for (Thread w : workers) {
            deadlock |= w.isAlive();
        }
        if (deadlock) {
            System.out.println("soak: DEADLOCK: threads still running 10 s after the end");
            for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                System.out.println("soak: thread " + e.getKey().getName() + " " + e.getKey().getState());
                for (StackTraceElement frame : e.getValue()) {
                    System.out.println("soak:     at " + frame);
                }
            }
        }
        // The agent releases the associations of the closed sockets; a re-association that was in flight at the close
        // ends when its set-up gives up (at most socksudp.connectTimeout). Whatever is still open after that is leaked:
        // both sockets and their two control connections must be gone.
        long settle = System.nanoTime() + 12_000_000_000L;
        int endFds = openFds();
        while (endFds > fdsWarm - 4 && System.nanoTime() < settle) {
            Thread.sleep(100);
            endFds = openFds();
        }
        System.out.println("soak: sent ch=" + sentCh + " sock=" + sentSock);
        System.out.println("soak: received ch=" + receivedCh + " sock=" + receivedSock);
        System.out.println("soak: corrupt " + corrupt);
        System.out.println("soak: exceptions " + new TreeMap<String, AtomicLong>(exceptions));
        System.out.println("soak: timeline ch " + startMs + timeline(timelineCh));
        System.out.println("soak: timeline sock " + startMs + timeline(timelineSock));
        System.out.println("soak: fds warm=" + fdsWarm + " end=" + endFds);
        System.out.println("soak: threads warm=" + threadsWarm);
        System.out.println("soak: threads end=" + threadNames());
        System.out.println("soak: done");
        System.out.flush();
        return deadlock ? 3 : 0;
    }

    /** Until each socket has had one echo: both associations exist before the measured part starts. */
    private void warmUp(DatagramChannel channel, DatagramSocket socket) throws Exception {
        byte[] hello = payload("ch", 0, 0);
        channel.send(ByteBuffer.wrap(hello), server);
        ByteBuffer in = ByteBuffer.allocate(MAX_PAYLOAD);
        channel.receive(in);
        byte[] hi = payload("sock", 0, 0);
        socket.send(new DatagramPacket(hi, hi.length, server));
        socket.receive(new DatagramPacket(new byte[MAX_PAYLOAD], MAX_PAYLOAD));
    }

    private Runnable channelSender(final DatagramChannel channel, final int thread) {
        return new Runnable() {
            @Override
            public void run() {
                for (int seq = 1; !stopping; seq++) {
                    try {
                        channel.send(ByteBuffer.wrap(payload("ch", thread, seq)), server);
                        sentCh.incrementAndGet();
                    } catch (IOException e) {
                        if (stopping) {
                            return;
                        }
                        count(e);
                    } catch (Throwable t) {
                        unexpected(t);
                    }
                    pause();
                }
            }
        };
    }

    private Runnable socketSender(final DatagramSocket socket, final int thread) {
        return new Runnable() {
            @Override
            public void run() {
                for (int seq = 1; !stopping; seq++) {
                    try {
                        byte[] p = payload("sock", thread, seq);
                        socket.send(new DatagramPacket(p, p.length, server));
                        sentSock.incrementAndGet();
                    } catch (IOException e) {
                        if (stopping) {
                            return;
                        }
                        count(e);
                    } catch (Throwable t) {
                        unexpected(t);
                    }
                    pause();
                }
            }
        };
    }

    private Runnable channelReceiver(final DatagramChannel channel) {
        return new Runnable() {
            @Override
            public void run() {
                ByteBuffer in = ByteBuffer.allocate(MAX_PAYLOAD);
                while (true) {
                    try {
                        in.clear();
                        SocketAddress from = channel.receive(in);
                        in.flip();
                        byte[] got = new byte[in.remaining()];
                        in.get(got);
                        check("ch", got, from, timelineCh, receivedCh);
                    } catch (AsynchronousCloseException closedAtTheEnd) {
                        return;
                    } catch (IOException e) {
                        if (!channel.isOpen()) {
                            return;
                        }
                        count(e);
                    } catch (Throwable t) {
                        unexpected(t);
                        return;
                    }
                }
            }
        };
    }

    private Runnable socketReceiver(final DatagramSocket socket) {
        return new Runnable() {
            @Override
            public void run() {
                DatagramPacket in = new DatagramPacket(new byte[MAX_PAYLOAD], MAX_PAYLOAD);
                while (!socket.isClosed()) {
                    try {
                        in.setLength(MAX_PAYLOAD);
                        socket.receive(in);
                        byte[] got = new byte[in.getLength()];
                        System.arraycopy(in.getData(), in.getOffset(), got, 0, got.length);
                        check("sock", got, in.getSocketAddress(), timelineSock, receivedSock);
                    } catch (SocketTimeoutException idle) {
                        // look at the flag again
                    } catch (IOException e) {
                        if (socket.isClosed()) {
                            return;
                        }
                        count(e);
                    } catch (Throwable t) {
                        unexpected(t);
                        return;
                    }
                }
            }
        };
    }

    /** Exactly a payload this socket sent, from the echo server; anything else is CORRUPT. */
    private void check(String tag, byte[] got, SocketAddress from, AtomicIntegerArray timeline, AtomicLong received) {
        String text = new String(got, StandardCharsets.ISO_8859_1);
        String[] parts = text.split(" ", 5);
        boolean ok = server.equals(from) && parts.length == 5 && parts[0].equals("SOAK") && parts[1].equals(tag);
        if (ok) {
            try {
                ok = java.util.Arrays.equals(got, payload(tag, Integer.parseInt(parts[2]), Integer.parseInt(parts[3])));
            } catch (NumberFormatException e) {
                ok = false;
            }
        }
        if (!ok) {
            if (corrupt.incrementAndGet() <= 5) {
                System.out.println("soak: CORRUPT on " + tag + " from " + from + ": " + hex(got));
            }
            return;
        }
        received.incrementAndGet();
        int slice = (int) ((System.currentTimeMillis() - startMs) / SLICE_MS);
        if (slice >= 0 && slice < timeline.length()) {
            timeline.incrementAndGet(slice);
        }
    }

    /** {@code SOAK tag thread seq } then a run of 'x' whose length depends on thread and seq (10..600 bytes). */
    private static byte[] payload(String tag, int thread, int seq) {
        StringBuilder b = new StringBuilder("SOAK ").append(tag).append(' ').append(thread).append(' ').append(seq)
                .append(' ');
        int padding = (thread * 131 + seq * 17) % 590 + 10 - b.length();
        for (int i = 0; i < Math.max(1, padding); i++) {
            b.append('x');
        }
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private void count(IOException e) {
        String key = e.getClass().getName();
        AtomicLong n = exceptions.get(key);
        if (n == null) {
            exceptions.putIfAbsent(key, new AtomicLong());
            n = exceptions.get(key);
        }
        n.incrementAndGet();
    }

    private void unexpected(Throwable t) {
        System.out.println("soak: UNEXPECTED " + t);
        for (StackTraceElement frame : t.getStackTrace()) {
            System.out.println("soak:     at " + frame);
        }
    }

    /** About 50 datagrams a second per sender. */
    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread worker(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.start();
        return t;
    }

    private static String timeline(AtomicIntegerArray slices) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < slices.length(); i++) {
            b.append(' ').append(slices.get(i));
        }
        return b.toString();
    }

    private static String threadNames() {
        List<String> names = new ArrayList<String>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            names.add(t.getName());
        }
        java.util.Collections.sort(names);
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
