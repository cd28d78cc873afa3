package io.socksudp.agent.association;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link AssociationOpener} without SOCKS: each association's control connection is a real loopback TCP pair
 * (so the real {@link ControlMonitor} watches it, and closing the far end is a real loss), and its relay a made-up
 * address of its own ({@code 127.0.0.<n>:<serial>}) that tells the associations apart. It can refuse, hold a set-up
 * at a gate, and end associations.
 */
public final class FakeProxy implements AssociationOpener, AutoCloseable {

    private final String name;
    private final int relayHost;
    private final ServerSocketChannel server;
    private final AtomicInteger opened = new AtomicInteger();
    final List<Association> associations = new CopyOnWriteArrayList<Association>();
    private final List<SocketChannel> farEnds = new CopyOnWriteArrayList<SocketChannel>();
    volatile boolean refusing;
    /** When set, the next set-ups wait here (after counting down {@link #held}) before they are granted. */
    volatile CountDownLatch gate;
    final CountDownLatch held = new CountDownLatch(1);
    volatile int probes;

    public FakeProxy(String name, int relayHost) throws IOException {
        this.name = name;
        this.relayHost = relayHost;
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @Override
    public String proxyName() {
        return name;
    }

    @Override
    public Association associate(InetSocketAddress localAddress, ProxyClient.Cancellation cancel)
            throws ProxyUnavailableException {
        if (refusing) {
            throw new ProxyUnavailableException("cannot reach SOCKS5 proxy " + name + ": refused (fake)");
        }
        CountDownLatch g = gate;
        if (g != null) {
            held.countDown();
            try {
                g.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (refusing) { // went down while the set-up was held
                throw new ProxyUnavailableException("cannot reach SOCKS5 proxy " + name + ": refused (fake)");
            }
        }
        try {
            SocketChannel control = SocketChannel.open(server.getLocalAddress());
            farEnds.add(server.accept());
            int serial = opened.incrementAndGet();
            Association a = new Association(control, new InetSocketAddress(
                    InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) relayHost}), 10_000 + serial), name,
                    "fake #" + serial);
            associations.add(a);
            return a;
        } catch (IOException e) {
            throw new ProxyUnavailableException("fake proxy " + name + ": " + e, e);
        }
    }

    /** An AssociationManager over this proxy alone, with the system clock; for tests outside this package. */
    public AssociationManager manager() {
        return new AssociationManager(ProxyChooser.SYSTEM, this);
    }

    /** Whether set-ups (and probes) are refused, as by a proxy that is down; for tests outside this package. */
    public void refuse(boolean refuse) {
        refusing = refuse;
    }

    /** Holds the next set-ups at a gate until {@link #release()}; for tests outside this package. */
    public void hold() {
        gate = new CountDownLatch(1);
    }

    /** Waits (up to seconds) until a set-up is held at the gate; for tests outside this package. */
    public boolean awaitHeld(long seconds) throws InterruptedException {
        return held.await(seconds, TimeUnit.SECONDS);
    }

    /** Lets the held set-ups (and every later one) through; for tests outside this package. */
    public void release() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    /** The latest association granted, or null; for tests outside this package. */
    public Association latest() {
        return associations.isEmpty() ? null : associations.get(associations.size() - 1);
    }

    /** Associations granted so far. */
    public int opened() {
        return opened.get();
    }

    /** Ends the latest association as a proxy does: closes its far end of the control connection. */
    public void endLatest() throws IOException {
        farEnds.get(farEnds.size() - 1).close();
    }

    /** Ends every association granted so far. */
    void endAll() throws IOException {
        for (SocketChannel far : farEnds) {
            far.close();
        }
    }

    @Override
    public void probe() throws ProxyUnavailableException {
        probes++;
        if (refusing) {
            throw new ProxyUnavailableException("cannot reach SOCKS5 proxy " + name + ": refused (fake)");
        }
    }

    @Override
    public int connectTimeoutMillis() {
        return 2_000;
    }

    @Override
    public boolean namesLocalAddress() {
        return false;
    }

    @Override
    public void lost(long establishedNanos) {
        // nothing learned, nothing to forget
    }

    @Override
    public boolean owns(Object socket) {
        return false;
    }

    @Override
    public void close() throws IOException {
        endAll();
        server.close();
        for (Association a : associations) {
            a.close();
        }
    }
}
