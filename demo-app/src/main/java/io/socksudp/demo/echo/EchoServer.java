package io.socksudp.demo.echo;

import io.socksudp.demo.cli.Args;
import io.socksudp.demo.cli.UsageException;
import io.socksudp.demo.net.Addresses;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A UDP echo server that knows nothing about SOCKS: every datagram goes back, unchanged, to whoever sent it.
 * What it prints as the sender is the interesting part of the demo: behind the agent it is the relay.
 *
 * <p>Usable as a program ({@code READY <port>}, then one line per datagram, until killed) and in-process
 * via {@link #start}.
 */
public final class EchoServer implements AutoCloseable {
    static final String USAGE = "usage: EchoServer [--bind ADDR] [--port N] [--channel]";

    /** Told about each datagram before it is echoed, so observers see cause before effect. */
    @FunctionalInterface
    public interface Listener {
        void onDatagram(int length, InetSocketAddress source);

        /** The echo could not be sent; the server carries on with the next datagram. */
        default void onEchoFailed(InetSocketAddress destination, IOException error) {
        }
    }

    private final UdpEndpoint endpoint;
    private final Listener listener;
    private final Thread thread;
    private volatile boolean closed;
    private volatile IOException failure;

    private EchoServer(UdpEndpoint endpoint, Listener listener) {
        this.endpoint = endpoint;
        this.listener = listener;
        this.thread = new Thread(this::serve, "echo-server");
        thread.setDaemon(true);
    }

    /**
     * Binds and starts echoing on a daemon thread.
     *
     * @param bind       local address; port 0 picks an ephemeral port
     * @param useChannel a blocking {@code DatagramChannel} instead of a {@code DatagramSocket}
     */
    public static EchoServer start(InetSocketAddress bind, boolean useChannel, Listener listener)
            throws IOException {
        EchoServer server = new EchoServer(UdpEndpoint.open(bind, useChannel), listener);
        server.thread.start();
        return server;
    }

    public InetSocketAddress address() {
        return endpoint.localAddress();
    }

    public int port() {
        return address().getPort();
    }

    private void serve() {
        byte[] buffer = new byte[65536];
        while (!closed) {
            UdpEndpoint.Received datagram;
            try {
                datagram = endpoint.receive(buffer, 0);
            } catch (IOException e) {
                if (!closed) {
                    failure = e;
                }
                return;
            }
            listener.onDatagram(datagram.length(), datagram.source());
            try {
                endpoint.send(buffer, datagram.length(), datagram.source());
            } catch (IOException e) {
                // One unreachable sender must not stop the server for everyone else.
                listener.onEchoFailed(datagram.source(), e);
            }
        }
    }

    /** Waits until the server stops; returns the error that stopped it, or null after {@link #close()}. */
    IOException awaitStop() throws InterruptedException {
        thread.join();
        return failure;
    }

    @Override
    public void close() {
        closed = true;
        try {
            endpoint.close();
        } catch (IOException ignored) {
            // Nothing useful to do: the server is going away either way.
        }
    }

    /** The line this program prints for a datagram, without the program's prefix. */
    public static String describe(int length, InetSocketAddress source) {
        return length + " bytes from " + Addresses.format(source);
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the program until killed; returns an exit code only on failure or bad usage. */
    static int run(String[] argv, PrintStream out, PrintStream err) {
        InetSocketAddress bind;
        boolean useChannel;
        try {
            Args args = Args.parse(argv, Args.names("--channel"), Args.names("--bind", "--port"));
            useChannel = args.flag("--channel");
            int port = args.intValue("--port", 0, 0, 65535);
            bind = new InetSocketAddress(InetAddress.getByName(args.value("--bind", "127.0.0.1")), port);
        } catch (UsageException | IOException e) {
            err.println("echo-server: " + e.getMessage() + "; " + USAGE);
            return 2;
        }
        Listener printer = new Listener() {
            @Override
            public void onDatagram(int length, InetSocketAddress source) {
                out.println("echo-server: " + describe(length, source));
            }

            @Override
            public void onEchoFailed(InetSocketAddress destination, IOException error) {
                out.println("echo-server: could not echo to " + Addresses.format(destination) + ": " + error);
            }
        };
        try (EchoServer server = start(bind, useChannel, printer)) {
            out.println("echo-server: listening on " + Addresses.format(server.address())
                    + " (" + server.endpoint.kind() + ")");
            out.println("READY " + server.port());
            out.flush();
            IOException failure = server.awaitStop();
            out.println("echo-server: FAILED " + failure);
            return 1;
        } catch (IOException e) {
            out.println("echo-server: FAILED cannot bind " + Addresses.format(bind) + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
