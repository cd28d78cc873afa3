package io.socksudp.demo.relay;

import io.socksudp.demo.cli.Args;
import io.socksudp.demo.cli.UsageException;
import io.socksudp.demo.net.Addresses;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small SOCKS5 server that implements only what UDP needs (RFC 1928 UDP ASSOCIATE, RFC 1929
 * username/password), with its own protocol code, so that the agent can be checked against an independent
 * implementation as well as against Dante.
 *
 * <p>In-process: {@link #start(RelayOptions)}, then {@link #tcpPort()}, {@link #counters()} and the options'
 * event sink; {@link #close()} ends every association. As a program: prints {@code READY <tcpPort>}, then one
 * line per event, until killed.
 */
public final class ReferenceRelay implements AutoCloseable {
    static final String USAGE = "usage: ReferenceRelay [--bind ADDR] [--port N] [--user U --password P]"
            + " [--external ADDR] [--misbehave NAME[,NAME...]] [--drop-after-ms MS] [--seed N]";
    private static final long CLOSE_WAIT_MILLIS = 2000;

    private final RelayContext context;
    private final ServerSocket listener;
    private final Thread acceptor;
    /** Live control connections and the threads serving them, so that close() can end them all. */
    private final Map<Socket, Thread> connections = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private ReferenceRelay(RelayOptions options, ServerSocket listener) {
        this.context = new RelayContext(options);
        this.listener = listener;
        this.acceptor = new Thread(this::acceptLoop, "relay-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
    }

    /** Binds the control listener and starts accepting; the relay runs on daemon threads until closed. */
    public static ReferenceRelay start(RelayOptions options) throws IOException {
        ServerSocket listener = new ServerSocket();
        try {
            listener.setReuseAddress(true);
            listener.bind(options.listenAddress(), 50);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        ReferenceRelay relay = new ReferenceRelay(options, listener);
        relay.acceptor.start();
        return relay;
    }

    public int tcpPort() {
        return listener.getLocalPort();
    }

    /** The control listener's address: what a client configures as its proxy. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    public RelayCounters counters() {
        return context.counters();
    }

    public RelayOptions options() {
        return context.options();
    }

    /** Numbers of the associations alive now, in order. */
    public java.util.List<Integer> liveAssociations() {
        return java.util.List.copyOf(context.live().keySet());
    }

    /**
     * Closes the control connection of one association, as a server or middlebox dropping it would: the association
     * and its relay port end at once. Returns false if no such association is alive.
     */
    public boolean dropAssociation(int association) {
        ControlConnection connection = context.live().get(association);
        if (connection == null) {
            return false;
        }
        connection.drop("dropped by the relay's owner");
        return true;
    }

    /** Drops every live association's control connection (the listener keeps accepting); returns how many. */
    public int dropAll() {
        int n = 0;
        for (Integer association : liveAssociations()) {
            if (dropAssociation(association)) {
                n++;
            }
        }
        return n;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread worker = new Thread(() -> {
                try {
                    new ControlConnection(socket, context).run();
                } finally {
                    connections.remove(socket);
                }
            }, "relay-control-" + Addresses.format(socket.getRemoteSocketAddress()));
            worker.setDaemon(true);
            connections.put(socket, worker);
            worker.start();
            if (closed) {
                closeQuietly(socket); // lost a race with close(): do not leave it behind
            }
        }
    }

    /** Stops accepting, closes every control connection (and so every association) and waits briefly for them. */
    @Override
    public void close() {
        closed = true;
        context.shutdown();
        closeQuietly(listener);
        connections.keySet().forEach(ReferenceRelay::closeQuietly);
        long deadline = System.currentTimeMillis() + CLOSE_WAIT_MILLIS;
        try {
            acceptor.join(CLOSE_WAIT_MILLIS);
            for (Thread worker : connections.values()) {
                worker.join(Math.max(1, deadline - System.currentTimeMillis()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Shutting down: nothing left to report to.
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the relay until killed; returns only on bad usage or failure. */
    static int run(String[] argv, PrintStream out, PrintStream err) {
        RelayOptions options;
        try {
            options = parse(argv, out);
        } catch (UsageException | IOException | IllegalArgumentException e) {
            err.println("relay: " + e.getMessage() + "; " + USAGE);
            return 2;
        }
        ReferenceRelay relay;
        try {
            relay = start(options);
        } catch (IOException e) {
            out.println("relay: FAILED cannot listen on " + Addresses.format(options.listenAddress()) + ": "
                    + e.getMessage());
            return 1;
        }
        out.println("relay: listening on " + Addresses.format(relay.address())
                + (options.credentials().isPresent() ? " (username/password required)" : " (no authentication)"));
        for (Misbehaviour m : options.misbehaviours()) {
            out.println("relay: misbehaving: " + m.cliName() + " (" + m.description() + ")");
        }
        out.println("READY " + relay.tcpPort());
        out.flush();
        try {
            relay.acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.println("relay: FAILED the listener stopped");
        return 1;
    }

    static RelayOptions parse(String[] argv, PrintStream out) throws UsageException, IOException {
        Args args = Args.parse(argv, Set.of(), Set.of("--bind", "--port", "--user", "--password", "--external",
                "--misbehave", "--drop-after-ms", "--seed"));
        RelayOptions.Builder builder = RelayOptions.builder()
                .port(args.intValue("--port", 0, 0, 65535))
                .eventSink(event -> {
                    out.println(event.line());
                    out.flush();
                });
        if (args.value("--bind").isPresent()) {
            builder.bindAddress(InetAddress.getByName(args.value("--bind").get()));
        }
        if (args.value("--external").isPresent()) {
            builder.externalAddress(InetAddress.getByName(args.value("--external").get()));
        }
        if (args.value("--misbehave").isPresent()) {
            builder.misbehave(Misbehaviour.parseList(args.value("--misbehave").get()));
        }
        builder.dropAfter(java.time.Duration.ofMillis(args.intValue("--drop-after-ms",
                (int) RelayOptions.DEFAULT_DROP_AFTER.toMillis(), 1, Integer.MAX_VALUE)));
        if (args.value("--seed").isPresent()) {
            try {
                builder.randomSeed(Long.parseLong(args.value("--seed").get()));
            } catch (NumberFormatException e) {
                throw new UsageException("--seed must be a number, not " + args.value("--seed").get());
            }
        }
        if (args.value("--user").isPresent() != args.value("--password").isPresent()) {
            throw new UsageException("--user and --password go together");
        }
        if (args.value("--user").isPresent()) {
            builder.credentials(args.value("--user").get(), args.value("--password").get());
        }
        return builder.build();
    }
}
