package io.socksudp.it.app;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Vert.x's datagram socket as its documentation shows it: {@code Vertx.vertx(new
 * VertxOptions().setPreferNativeTransport(true))}, {@code createDatagramSocket()}, a handler, {@code listen(0,
 * "0.0.0.0")}, {@code send(text, port, host)}. Vert.x picks Netty's epoll transport by itself when its jar is on the
 * class path. Vert.x 5 is Java 11+, and this program is compiled for Java 8 with the others, so its API is reached by
 * reflection (the calls are the same ones).
 *
 * <p>Usage: {@code VertxDatagramApp --server IP:PORT [--count N]}. Prints {@code vertx: native TRUE|FALSE}, {@code
 * vertx: local ADDR}, {@code vertx: reply TEXT from HOST:PORT}, then {@code vertx: OK n/n} (exit 0: every datagram
 * echoed, from the server) or {@code vertx: FAILED ...} (exit 1).
 */
public final class VertxDatagramApp {
    public static void main(String[] args) throws Exception {
        String server = null;
        int count = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server":
                    server = args[++i];
                    break;
                case "--count":
                    count = Integer.parseInt(args[++i]);
                    break;
                default:
                    throw new IllegalArgumentException(args[i]);
            }
        }
        final String host = server.substring(0, server.lastIndexOf(':'));
        final int port = Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
        int code = 1;
        Class<?> optionsType = Class.forName("io.vertx.core.VertxOptions");
        Object options = optionsType.getConstructor().newInstance();
        optionsType.getMethod("setPreferNativeTransport", boolean.class).invoke(options, true);
        Class<?> vertxType = Class.forName("io.vertx.core.Vertx");
        Object vertx = vertxType.getMethod("vertx", optionsType).invoke(null, options);
        try {
            System.out.println("vertx: native " + vertxType.getMethod("isNativeTransportEnabled").invoke(vertx));
            Class<?> socketType = Class.forName("io.vertx.core.datagram.DatagramSocket");
            Object socket = vertxType.getMethod("createDatagramSocket").invoke(vertx);
            final Set<String> unanswered = ConcurrentHashMap.newKeySet();
            final AtomicInteger wrong = new AtomicInteger();
            final CountDownLatch replies = new CountDownLatch(count);
            final Class<?> packetType = Class.forName("io.vertx.core.datagram.DatagramPacket");
            final Class<?> addressType = Class.forName("io.vertx.core.net.SocketAddress");
            Class<?> handlerType = Class.forName("io.vertx.core.Handler");
            Object handler = Proxy.newProxyInstance(VertxDatagramApp.class.getClassLoader(),
                    new Class<?>[] {handlerType}, new InvocationHandler() {
                        @Override
                        public Object invoke(Object proxy, Method method, Object[] a) throws Throwable {
                            if (!method.getName().equals("handle")) {
                                return method.getName().equals("equals") ? proxy == a[0]
                                        : method.getName().equals("hashCode") ? System.identityHashCode(proxy)
                                        : "handler";
                            }
                            String text = packetType.getMethod("data").invoke(a[0]).toString();
                            Object sender = packetType.getMethod("sender").invoke(a[0]);
                            String from = addressType.getMethod("host").invoke(sender) + ":"
                                    + addressType.getMethod("port").invoke(sender);
                            System.out.println("vertx: reply " + text + " from " + from);
                            if (!unanswered.remove(text) || !from.equals(host + ":" + port)) {
                                wrong.incrementAndGet();
                            }
                            replies.countDown();
                            return null;
                        }
                    });
            socketType.getMethod("handler", handlerType).invoke(socket, handler);
            await(socketType.getMethod("listen", int.class, String.class).invoke(socket, 0, "0.0.0.0"));
            Object local = socketType.getMethod("localAddress").invoke(socket);
            System.out.println("vertx: local " + addressType.getMethod("host").invoke(local) + ":"
                    + addressType.getMethod("port").invoke(local));
            Method send = socketType.getMethod("send", String.class, int.class, String.class);
            int sent = 0;
            for (int i = 0; i < count; i++) {
                String text = "vertx-" + i;
                unanswered.add(text);
                try {
                    await(send.invoke(socket, text, port, host));
                    sent++;
                    System.out.println("vertx: sent " + text);
                } catch (Exception e) {
                    System.out.println("vertx: sent " + text + " FAILED " + e);
                }
            }
            boolean ok = sent == count && replies.await(10, TimeUnit.SECONDS) && wrong.get() == 0;
            System.out.println(ok ? "vertx: OK " + count + "/" + count : "vertx: FAILED " + sent + " sent, "
                    + unanswered + " unanswered, " + wrong.get() + " not an echo");
            code = ok ? 0 : 1;
            await(socketType.getMethod("close").invoke(socket));
        } catch (Exception e) {
            System.out.println("vertx: FAILED " + e);
            e.printStackTrace(System.out);
        } finally {
            await(vertxType.getMethod("close").invoke(vertx));
        }
        System.out.flush();
        System.exit(code);
    }

    /** Waits for a Vert.x Future (its {@code toCompletionStage()}), throwing its failure. */
    private static Object await(Object future) throws Exception {
        CompletionStage<?> stage = (CompletionStage<?>) Class.forName("io.vertx.core.Future")
                .getMethod("toCompletionStage").invoke(future);
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }
}
