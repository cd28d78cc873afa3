package io.socksudp.agent.association;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Opens associations for application sockets, has the monitor watch them, and runs recovery: after a
 * failure, attempts within a capped exponential backoff fail fast with the same cause (a dead proxy is never
 * hammered), and re-establishment of lost associations runs on one background thread.
 */
public final class AssociationManager {

    private static final Logger LOG = LoggerFactory.getLogger("socksudp");
    static final long FIRST_BACKOFF_NANOS = 250_000_000L;
    static final long MAX_BACKOFF_NANOS = 2_000_000_000L;

    private final ProxyClient client;
    private final ControlMonitor monitor = new ControlMonitor();
    private ScheduledExecutorService recovery;

    private final Object backoffLock = new Object();
    private long retryAtNanos;
    private long backoffNanos;
    private ProxyUnavailableException lastFailure;

    public AssociationManager(ProxyClient client) {
        this.client = client;
    }

    /** Whether a new association needs the socket's local address (modes port and full): see {@link #open}. */
    public boolean needsLocalAddress() {
        return client.namesLocalAddress();
    }

    /**
     * A new, watched association for the socket bound to {@code local} (null unless {@link #needsLocalAddress});
     * throws a {@link ProxyUnavailableException} naming the proxy and the cause, at once while backing off after
     * an earlier failure.
     */
    public Association open(InetSocketAddress local, Association.LossListener listener) throws IOException {
        failFastWhileBackingOff();
        Association association;
        try {
            association = client.associate(local);
        } catch (ProxyUnavailableException e) {
            backOff(e);
            throw e;
        }
        synchronized (backoffLock) {
            backoffNanos = 0;
            lastFailure = null;
        }
        association.onLoss(listener);
        try {
            monitor.watch(association);
        } catch (IOException e) {
            association.close();
            throw new ProxyUnavailableException("cannot watch the control connection to " + client.proxyName()
                    + ": " + e.getMessage(), e);
        }
        LOG.debug("socket {}: {}", local, association);
        return association;
    }

    public void release(Association association) {
        association.close();
        LOG.debug("released {}", association);
    }

    /** Runs {@code attempt} on the recovery thread once the current backoff (if any) has passed. */
    public synchronized void recoverLater(Runnable attempt) {
        if (recovery == null) {
            recovery = Executors.newSingleThreadScheduledExecutor(new ThreadFactory() {
                @Override
                public Thread newThread(Runnable r) {
                    Thread t = new Thread(r, "socksudp-recovery");
                    t.setDaemon(true);
                    return t;
                }
            });
        }
        long delay;
        synchronized (backoffLock) {
            delay = lastFailure == null ? 0 : Math.max(0, retryAtNanos - System.nanoTime());
        }
        recovery.schedule(attempt, delay, TimeUnit.NANOSECONDS);
    }

    private void failFastWhileBackingOff() throws ProxyUnavailableException {
        synchronized (backoffLock) {
            if (lastFailure != null && System.nanoTime() - retryAtNanos < 0) {
                throw new ProxyUnavailableException(lastFailure.getMessage() + " (not retried for "
                        + (retryAtNanos - System.nanoTime()) / 1_000_000 + " ms)", lastFailure);
            }
        }
    }

    private void backOff(ProxyUnavailableException failure) {
        synchronized (backoffLock) {
            backoffNanos = backoffNanos == 0 ? FIRST_BACKOFF_NANOS : Math.min(2 * backoffNanos, MAX_BACKOFF_NANOS);
            retryAtNanos = System.nanoTime() + backoffNanos;
            lastFailure = failure;
        }
        LOG.debug("association failed, next attempt in {} ms: {}", backoffNanos / 1_000_000, failure.getMessage());
    }
}
