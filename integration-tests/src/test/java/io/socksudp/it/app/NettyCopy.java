package io.socksudp.it.app;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One copy of Netty, reached only by reflection: a class loader and a package root ({@code io.netty.}, or a
 * relocated one such as gRPC's {@code io.grpc.netty.shaded.io.netty.}), so the same code drives Netty 4.1, 4.2 and a
 * shaded copy, each in a loader of its own. An epoll event loop group and {@code EpollDatagramChannel}s, used as any
 * Netty application uses them (Bootstrap, a handler, writeAndFlush of DatagramPackets or, connected, of buffers); the
 * handler is a {@link Proxy} of the copy's {@code ChannelInboundHandler} that forwards every event it does not
 * handle. Each datagram is {@code LABEL-C-I} (C the channel's number); a reply counts only if it is one of this
 * copy's own datagrams not yet answered, from the server as {@code sender()}.
 */
final class NettyCopy {

    private final String label;
    private final ClassLoader loader;
    private final String root;
    private final InetSocketAddress server;
    private final Set<String> unanswered = ConcurrentHashMap.newKeySet();
    private final AtomicInteger wrong = new AtomicInteger();
    private volatile CountDownLatch replies = new CountDownLatch(0);
    private Object group;
    private Object[] channels = new Object[0];

    NettyCopy(String label, ClassLoader loader, String root, InetSocketAddress server) {
        this.label = label;
        this.loader = loader;
        this.root = root;
        this.server = server;
    }

    /** Null when this copy's epoll transport runs here, else why not. */
    Throwable unavailability() throws Exception {
        Class<?> epoll = type("channel.epoll.Epoll");
        boolean available = (Boolean) epoll.getMethod("isAvailable").invoke(null);
        return available ? null : (Throwable) epoll.getMethod("unavailabilityCause").invoke(null);
    }

    /** Opens {@code n} epoll datagram channels on one event loop, bound (to the wildcard) or connected to the server. */
    void open(int n, boolean connect) throws Exception {
        group = type("channel.epoll.EpollEventLoopGroup").getConstructor(int.class).newInstance(1);
        Class<?> bootstrapType = type("bootstrap.Bootstrap");
        Object bootstrap = bootstrapType.getConstructor().newInstance();
        call(bootstrapType, bootstrap, "group", new Class<?>[] {type("channel.EventLoopGroup")}, group);
        call(bootstrapType, bootstrap, "channel", new Class<?>[] {Class.class},
                type("channel.epoll.EpollDatagramChannel"));
        call(bootstrapType, bootstrap, "handler", new Class<?>[] {type("channel.ChannelHandler")}, handler());
        channels = new Object[n];
        Class<?> futureType = type("channel.ChannelFuture");
        for (int i = 0; i < n; i++) {
            Object future = connect
                    ? call(bootstrapType, bootstrap, "connect", new Class<?>[] {SocketAddress.class}, server)
                    : call(bootstrapType, bootstrap, "bind", new Class<?>[] {int.class}, 0);
            call(futureType, future, "await", new Class<?>[0]);
            if (!(Boolean) call(futureType, future, "isSuccess", new Class<?>[0])) {
                throw new Exception((connect ? "connect" : "bind") + " failed", (Throwable) call(futureType, future,
                        "cause", new Class<?>[0]));
            }
            channels[i] = call(futureType, future, "channel", new Class<?>[0]);
            System.out.println("copy " + label + ": channel " + i + " " + channels[i].getClass().getName() + " local "
                    + format((SocketAddress) call(type("channel.Channel"), channels[i], "localAddress",
                    new Class<?>[0])) + (connect ? " remote " + format((SocketAddress) call(type("channel.Channel"),
                    channels[i], "remoteAddress", new Class<?>[0])) : ""));
        }
    }

    /** Sends {@code count} datagrams on each channel (addressed packets, or buffers on a connected channel). */
    int send(int count, boolean connect) throws Exception {
        replies = new CountDownLatch(count * channels.length);
        Class<?> channelType = type("channel.Channel");
        Class<?> bufType = type("buffer.ByteBuf");
        Class<?> futureType = type("channel.ChannelFuture");
        int sent = 0;
        for (int c = 0; c < channels.length; c++) {
            for (int i = 0; i < count; i++) {
                String text = label + "-" + c + "-" + i;
                unanswered.add(text);
                Object buf = type("buffer.Unpooled").getMethod("copiedBuffer", byte[].class)
                        .invoke(null, (Object) text.getBytes(StandardCharsets.US_ASCII));
                Object msg = connect ? buf : type("channel.socket.DatagramPacket")
                        .getConstructor(bufType, InetSocketAddress.class).newInstance(buf, server);
                Object f = call(channelType, channels[c], "writeAndFlush", new Class<?>[] {Object.class}, msg);
                call(futureType, f, "await", new Class<?>[0]);
                if ((Boolean) call(futureType, f, "isSuccess", new Class<?>[0])) {
                    sent++;
                } else {
                    System.out.println("copy " + label + ": send " + text + " FAILED " + call(futureType, f, "cause",
                            new Class<?>[0]));
                }
            }
        }
        return sent;
    }

    /** True when every datagram sent was echoed, byte for byte, from the server, and nothing else arrived. */
    boolean awaitReplies(long seconds) throws InterruptedException {
        return replies.await(seconds, TimeUnit.SECONDS) && unanswered.isEmpty() && wrong.get() == 0;
    }

    String shortfall() {
        return unanswered.size() + " unanswered " + unanswered + ", " + wrong.get() + " not an echo of this copy's";
    }

    /** Closes every channel (and waits). */
    void closeChannels() throws Exception {
        for (Object ch : channels) {
            Object f = call(type("channel.Channel"), ch, "close", new Class<?>[0]);
            call(type("channel.ChannelFuture"), f, "await", new Class<?>[0]);
        }
    }

    /**
     * Takes every channel off its event loop without closing it (the loop no longer holds it) and forgets it: the
     * channel is then reachable from nothing, as an application's dropped, unclosed socket is.
     */
    void deregisterAndDrop() throws Exception {
        deregister();
        Arrays.fill(channels, null);
        channels = new Object[0];
    }

    /** Takes every channel off its event loop, neither closing nor forgetting it. */
    void deregister() throws Exception {
        for (Object ch : channels) {
            Object f = call(type("channel.Channel"), ch, "deregister", new Class<?>[0]);
            call(type("channel.ChannelFuture"), f, "await", new Class<?>[0]);
        }
    }

    /** Shuts the event loop group down (Netty closes the channels still registered with it). */
    void shutdown() throws Exception {
        if (group != null) {
            Class<?> groupType = type("util.concurrent.EventExecutorGroup");
            Object f = call(groupType, group, "shutdownGracefully", new Class<?>[] {long.class, long.class,
                    TimeUnit.class}, 0L, 1L, TimeUnit.SECONDS);
            call(type("util.concurrent.Future"), f, "await", new Class<?>[] {long.class, TimeUnit.class}, 5L,
                    TimeUnit.SECONDS);
            group = null;
        }
    }

    private void received(Object packet) throws Exception {
        Class<?> packetType = type("channel.socket.DatagramPacket");
        if (!packetType.isInstance(packet)) {
            System.out.println("copy " + label + ": received a " + packet.getClass().getName());
            wrong.incrementAndGet();
            return;
        }
        try {
            Object content = packetType.getMethod("content").invoke(packet);
            String text = (String) type("buffer.ByteBuf").getMethod("toString", Charset.class)
                    .invoke(content, StandardCharsets.US_ASCII);
            InetSocketAddress sender = (InetSocketAddress) packetType.getMethod("sender").invoke(packet);
            System.out.println("copy " + label + ": reply " + text + " from " + format(sender));
            // The address and port: a connected channel's reads name its remoteAddress(), which Netty records with
            // the host string it was connected with (127.0.0.1/127.0.0.1:port), without the agent as with it.
            if (!unanswered.remove(text) || !server.equals(sender)) {
                wrong.incrementAndGet();
            }
            replies.countDown();
        } finally {
            type("util.ReferenceCounted").getMethod("release").invoke(packet);
        }
    }

    /** A ChannelInboundHandler of this copy: reads handled, every other event passed on as Netty's adapter does. */
    private Object handler() throws Exception {
        final Class<?> handlerType = type("channel.ChannelInboundHandler");
        final Class<?> contextType = type("channel.ChannelHandlerContext");
        return Proxy.newProxyInstance(loader, new Class<?>[] {handlerType}, new InvocationHandler() {
            @Override
            public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                String name = method.getName();
                switch (name) {
                    case "equals":
                        return proxy == args[0];
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "toString":
                        return "NettyCopy " + label + " handler";
                    case "handlerAdded":
                    case "handlerRemoved":
                        return null;
                    case "channelRead":
                        received(args[1]);
                        return null;
                    case "exceptionCaught":
                        System.out.println("copy " + label + ": exception " + args[1]);
                        return null;
                    default:
                        // channelRegistered -> ctx.fireChannelRegistered(), and so on
                        Class<?>[] params = Arrays.copyOfRange(method.getParameterTypes(), 1,
                                method.getParameterCount());
                        String fire = "fire" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
                        try {
                            contextType.getMethod(fire, params).invoke(args[0], Arrays.copyOfRange(args, 1,
                                    args.length));
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                        return null;
                }
            }
        });
    }

    /**
     * As {@code NettyEchoClient.format} (one spelling on every JDK); not that one itself, which would link the Netty
     * of the class path, and this program has none there.
     */
    static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress
                && ((InetSocketAddress) address).getAddress() instanceof java.net.Inet6Address) {
            InetSocketAddress a = (InetSocketAddress) address;
            return a.getHostString() + "/[" + a.getAddress().getHostAddress() + "]:" + a.getPort();
        }
        return String.valueOf(address);
    }

    private Class<?> type(String suffix) throws ClassNotFoundException {
        return Class.forName(root + suffix, true, loader);
    }

    /** {@code owner.method(args)} on {@code target}, looked up on a public type of the copy (never the impl class). */
    private static Object call(Class<?> owner, Object target, String method, Class<?>[] types, Object... args)
            throws Exception {
        try {
            return owner.getMethod(method, types).invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }
}
