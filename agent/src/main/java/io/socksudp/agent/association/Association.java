package io.socksudp.agent.association;

import io.socksudp.agent.metrics.Metrics;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One UDP ASSOCIATE: the TCP control connection and the relay it granted. RFC 1928 section 7: the
 * association lives exactly as long as the control connection, so closing this closes the relay too, and
 * the proxy closing the connection (or saying anything on it after the reply) ends it.
 */
public final class Association implements Closeable {

    /** Told once when the association dies by the proxy's doing (never for our own {@link #close()}). */
    interface LossListener {
        void lost(Association association, String cause);
    }

    private final SocketChannel control;
    private final InetSocketAddress relay;
    private final String proxy;
    /** The control connection's local address: the channel's own object, kept for {@link #toString()}. */
    private final SocketAddress controlLocal;
    private final String requested;
    private final long establishedNanos = System.nanoTime();
    private volatile SelectionKey watchKey;
    private volatile LossListener listener;
    private volatile boolean closed;

    Association(SocketChannel control, InetSocketAddress relay, String proxy, String requested) {
        this.control = control;
        this.relay = relay;
        this.proxy = proxy;
        // The description is built when asked (a log line), not kept per association: its string was some 150 of
        // the agent's 2,000 bytes per association.
        this.controlLocal = localAddress(control);
        this.requested = shared(requested);
        Metrics.associationOpened();
    }

    private static SocketAddress localAddress(SocketChannel control) {
        try {
            return control.getLocalAddress();
        } catch (IOException e) {
            return null; // closed already: the description says so
        }
    }

    /** The previous association's request, when this one's is the same (the usual case): one string for all. */
    private static volatile String lastRequested;

    private static String shared(String requested) {
        String last = lastRequested;
        if (requested.equals(last)) {
            return last;
        }
        lastRequested = requested;
        return requested;
    }

    /** Where the client sends its encapsulated datagrams, and where relayed replies come from. */
    public InetSocketAddress relay() {
        return relay;
    }

    /** The proxy as configured, for messages. */
    public String proxy() {
        return proxy;
    }

    public boolean isOpen() {
        return !closed;
    }

    public long establishedNanos() {
        return establishedNanos;
    }

    void onLoss(LossListener lossListener) {
        this.listener = lossListener;
    }

    SocketChannel control() {
        return control;
    }

    /** The proxy ended the association (or the relay proved dead): close it and tell the listener once. */
    public void lost(String cause) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Metrics.associationEnded();
        Metrics.error(this + " lost: " + cause);
        closeQuietly();
        LossListener l = listener;
        if (l != null) {
            l.lost(this, cause);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Metrics.associationEnded();
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            control.close();
        } catch (IOException ignored) {
            // nothing useful to do: the proxy ends the association when the connection goes away
        }
        // A channel registered with a selector keeps its fd until that selector next deregisters it (JDK 8 closes
        // it only then), and the monitor may sleep in select() for as long as nothing else happens: wake it.
        SelectionKey key = watchKey;
        if (key != null) {
            key.selector().wakeup();
        }
    }

    /** The monitor's key for the control connection, once it watches it. */
    void watchedAs(SelectionKey key) {
        watchKey = key;
    }

    @Override
    public String toString() {
        return "association via " + proxy + " relaying at " + relay + " (control "
                + (controlLocal != null ? controlLocal : "closed") + ", requested " + requested + ")";
    }
}
