package io.socksudp.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP front for a SOCKS5 server that holds back the server's first answer on each connection for a while: a slow
 * proxy (a busy one, or one far away) whose handshake takes {@code delayMillis}. Everything else is passed through
 * as is, so the UDP relay the server grants is its own. Loopback only.
 */
public final class SlowFront implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final long delayMillis;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private SlowFront(InetSocketAddress target, long delayMillis) throws IOException {
        this.target = target;
        this.delayMillis = delayMillis;
        this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "slow-front-accept");
        t.setDaemon(true);
        t.start();
    }

    /** A front for the SOCKS5 server at {@code target} ("127.0.0.1:port"). */
    public static SlowFront start(String target, long delayMillis) {
        int colon = target.lastIndexOf(':');
        try {
            return new SlowFront(new InetSocketAddress(target.substring(0, colon),
                    Integer.parseInt(target.substring(colon + 1))), delayMillis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(target, 5000);
                sockets.add(client);
                sockets.add(upstream);
                pipe(client, upstream, 0);
                pipe(upstream, client, delayMillis);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private static void pipe(Socket from, Socket to, long firstDelayMillis) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            boolean first = true;
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (first && firstDelayMillis > 0) {
                        Thread.sleep(firstDelayMillis);
                    }
                    first = false;
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // one side went away
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "slow-front-pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        sockets.forEach(SlowFront::closeQuietly);
    }
}
