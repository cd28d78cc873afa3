package io.socksudp.it.app;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import io.socksudp.it.app.fakenetty.shaded.io.netty.channel.kqueue.KQueueDatagramChannel;
import io.socksudp.it.app.fakenetty.unknown.io.netty.channel.epoll.EpollDatagramChannel;
import io.socksudp.it.app.fakenetty.unknownuring.io.netty.channel.uring.IoUringDatagramChannel;

/**
 * Drives the fake Netty native channels of {@code io.socksudp.it.app.fakenetty} (a test library): {@code --layout
 * unknown} constructs an epoll channel of a layout the agent does not know and sends, {@code --layout unknown-io_uring}
 * an io_uring channel whose read loop fires nothing; {@code --layout kqueue} writes
 * through a shaded kqueue-like channel, unconnected or {@code --connect}ed; {@code --layout two-loaders} writes through
 * two copies of it, each defined by a class loader of its own. Prints {@code fake: sent} or
 * {@code fake: FAILED <step>: <exception>} and exits 0 either way (the test judges).
 */
public final class FakeNettyApp {
    public static void main(String[] args) throws Exception {
        String layout = null;
        String server = null;
        boolean connect = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--layout":
                    layout = args[++i];
                    break;
                case "--server":
                    server = args[++i];
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
        byte[] payload = "fake-0".getBytes(StandardCharsets.US_ASCII);
        String step = "construct";
        try {
            if ("two-loaders".equals(layout)) {
                twoLoaders(payload, target);
                return;
            }
            if ("unknown".equals(layout)) {
                try (EpollDatagramChannel ch = new EpollDatagramChannel()) {
                    step = "send";
                    ch.sendTo(payload, target);
                }
            } else if ("unknown-io_uring".equals(layout)) {
                try (IoUringDatagramChannel ch = new IoUringDatagramChannel()) {
                    step = "send";
                    ch.sendTo(payload, target);
                }
            } else {
                try (KQueueDatagramChannel ch = new KQueueDatagramChannel()) {
                    if (connect) {
                        step = "connect";
                        ch.connect(target);
                    }
                    step = "write";
                    ch.write(new KQueueDatagramChannel.Envelope(payload, connect ? null : target));
                }
            }
            System.out.println("fake: sent");
        } catch (Throwable t) {
            System.out.println("fake: FAILED " + step + ": " + t);
        }
        System.out.flush();
    }

    /**
     * The shaded kqueue-like channel defined twice, by two class loaders of its own (as two applications in one JVM,
     * each with its own Netty): each copy must be refused. The loaders' parent is the platform (JDK 8: extension)
     * loader, so they share nothing with the application's loader but the JDK, and the bootstrap classes.
     */
    private static void twoLoaders(byte[] payload, InetSocketAddress target) throws Exception {
        java.net.URL classes = FakeNettyApp.class.getProtectionDomain().getCodeSource().getLocation();
        String channel = KQueueDatagramChannel.class.getName();
        for (int i = 1; i <= 2; i++) {
            java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {classes},
                    ClassLoader.getSystemClassLoader().getParent());
            String step = "construct";
            try {
                Class<?> type = Class.forName(channel, true, loader);
                Class<?> envelope = Class.forName(channel + "$Envelope", true, loader);
                if (type == KQueueDatagramChannel.class) {
                    throw new IllegalStateException("the application's own copy, not loader " + i + "'s");
                }
                Object ch = type.getConstructor().newInstance();
                step = "write";
                type.getMethod("write", envelope).invoke(ch,
                        envelope.getConstructor(byte[].class, InetSocketAddress.class).newInstance(payload, target));
                System.out.println("fake: loader " + i + " sent");
            } catch (java.lang.reflect.InvocationTargetException e) {
                System.out.println("fake: loader " + i + " FAILED " + step + ": " + e.getCause());
            }
        }
    }
}
