package io.socksudp.agent.association;

import io.socksudp.agent.config.LazyLogger;
import io.socksudp.agent.metrics.Metrics;
import org.slf4j.Logger;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Opens associations for application sockets, has the monitor watch them, and runs recovery: after a
 * failure, attempts within a capped exponential backoff fail fast with the same cause (a dead proxy is never
 * hammered); after losses of young associations, re-associations are paced for the whole proxy
 * ({@link LossBackoff}) and a storm is logged once with counts; set-ups run on a small pool of
 * {@code socksudp-associate} threads, off every application lock ({@link #openLater}); re-establishment of lost
 * associations is scheduled on one background thread.
 */
public final class AssociationManager {

    private static final Logger LOG = LazyLogger.getLogger("socksudp");
    static final long FIRST_BACKOFF_NANOS = 250_000_000L;
    static final long MAX_BACKOFF_NANOS = 2_000_000_000L;
    /** Young losses in a row, proxy-wide, that make a storm (logged once, then counted). */
    static final int STORM_STREAK = 3;
    /** This many losses of any age within {@link #STORM_WINDOW_NANOS}, proxy-wide, make a storm too. */
    static final int STORM_LOSSES = 6;
    static final long STORM_WINDOW_NANOS = 5_000_000_000L;
    /** A storm is over after this long without a loss (said at the next loss). */
    static final long STORM_QUIET_NANOS = 10_000_000_000L;
    /** A waiter's margin over the handshake's own deadline, for queueing behind other set-ups. */
    private static final long WAIT_MARGIN_NANOS = 1_000_000_000L;
    /**
     * Set-ups in parallel (all go to the one proxy; more than one, so that many sockets starting at once against a
     * slow proxy do not wait in line for each other's handshakes). Idle threads end after 10 s.
     */
    public static final int SETUP_THREADS = 4;

    private final ProxyClient client;
    private final ControlMonitor monitor = new ControlMonitor();
    private ScheduledExecutorService recovery;
    private ThreadPoolExecutor setups;

    private final Object backoffLock = new Object();
    private long retryAtNanos;
    private long backoffNanos;
    private ProxyUnavailableException lastFailure;

    private final LossBackoff proxyLosses = new LossBackoff();
    private final Object stormLock = new Object();
    private boolean storm;
    private long stormStartNanos;
    private int stormLosses;
    private long lastLossNanos;
    private final long[] recentLosses = new long[STORM_LOSSES];
    private int recentIndex;

    public AssociationManager(ProxyClient client) {
        this.client = client;
    }

    /** Whether a new association needs the socket's local address (modes port and full): see {@link #open}. */
    public boolean needsLocalAddress() {
        return client.namesLocalAddress();
    }

    public String proxyName() {
        return client.proxyName();
    }

    /**
     * Whether {@code socket} is one of the agent's own (the {@code associate=auto} check's): the interception must
     * leave it alone. Asked once per socket, when its tunnel would be made.
     */
    public boolean isAgentSocket(Object socket) {
        return client.learner().owns(socket);
    }

    /**
     * A new, watched association for the socket bound to {@code local} (null unless {@link #needsLocalAddress});
     * throws a {@link ProxyUnavailableException} naming the proxy and the cause, at once while backing off after
     * an earlier failure. Blocks the caller for the handshake: see {@link #openLater} for the application's path.
     */
    public Association open(InetSocketAddress local, Association.LossListener listener) throws IOException {
        failFastWhileBackingOff();
        return openNow(local, listener, null);
    }

    /**
     * Starts setting up an association on the association executor and returns at once; {@code completion} is
     * told on the set-up thread before any waiter wakes. A failure known already (backing off) comes back as a
     * failed set-up, so callers have one path.
     */
    public PendingAssociation openLater(final InetSocketAddress local, final Association.LossListener listener,
                                        final PendingAssociation.Completion completion) {
        final PendingAssociation setup = new PendingAssociation(System.nanoTime()
                + client.connectTimeoutMillis() * 1_000_000L + WAIT_MARGIN_NANOS, client.proxyName());
        try {
            failFastWhileBackingOff();
        } catch (ProxyUnavailableException e) {
            return PendingAssociation.failed(e, client.proxyName());
        }
        setupExecutor().execute(new Runnable() {
            @Override
            public void run() {
                Association a = null;
                IOException failure = null;
                try {
                    a = openNow(local, listener, setup);
                } catch (IOException e) {
                    failure = e;
                } catch (RuntimeException e) {
                    failure = new ProxyUnavailableException("socksudp internal error while associating with "
                            + client.proxyName() + ": " + e, e);
                }
                if (a != null && setup.cancelled()) {
                    release(a); // the socket was closed meanwhile
                    a = null;
                    failure = new ProxyUnavailableException("the association was cancelled");
                }
                try {
                    IOException replaced = completion.completed(setup, a, failure);
                    if (replaced != null) {
                        a = null;
                        failure = replaced;
                    }
                } finally {
                    setup.finish(a, failure);
                }
            }
        });
        return setup;
    }

    private Association openNow(InetSocketAddress local, Association.LossListener listener,
                                PendingAssociation setup) throws IOException {
        Association association;
        try {
            association = client.associate(local, setup);
        } catch (ProxyUnavailableException e) {
            if (setup == null || !setup.cancelled()) {
                Metrics.associationFailed(e.getMessage());
                backOff(e);
            }
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
        if (local != null) {
            LOG.debug("opened {} for the socket at {}", association, local);
        } else {
            LOG.debug("opened {}", association);
        }
        return association;
    }

    public void release(Association association) {
        association.close();
        LOG.debug("released {}", association);
    }

    /**
     * An association of this proxy was lost after living {@code lifetimeNanos}: returns how long re-associating
     * must wait for the proxy's sake, and whether the loss is to be logged at info. Losses come in storms (young
     * losses in a row, or {@link #STORM_LOSSES} losses of any age within {@link #STORM_WINDOW_NANOS}): a storm is
     * logged once here, with counts, its losses at debug, and its end at info with the totals.
     */
    public long lost(Association lost, long lifetimeNanos, String cause, boolean[] logAtInfo) {
        // associate=auto: the proxy may have changed (restarted): check again before the next association
        client.learner().lost(lost.establishedNanos());
        long now = System.nanoTime();
        long wait = proxyLosses.lost(lifetimeNanos, now);
        int streak = proxyLosses.streak();
        synchronized (stormLock) {
            if (storm && now - lastLossNanos > STORM_QUIET_NANOS) {
                endStorm(lastLossNanos);
            }
            lastLossNanos = now;
            recentLosses[recentIndex] = now;
            recentIndex = (recentIndex + 1) % STORM_LOSSES;
            long oldest = recentLosses[recentIndex]; // the STORM_LOSSES-th most recent loss, 0 if fewer so far
            boolean burst = oldest != 0 && now - oldest < STORM_WINDOW_NANOS;
            if (storm) {
                stormLosses++;
            } else if (burst || streak >= STORM_STREAK) {
                storm = true;
                stormStartNanos = burst ? oldest : now;
                stormLosses = burst ? STORM_LOSSES : streak;
                LOG.warn("re-association storm with SOCKS5 proxy {}: {} associations lost within {} ms ({} in a row"
                        + " within {} ms of being granted; last: {}); re-associations are paced (from 250 ms up to {} s"
                        + " after young losses) and further losses are counted and logged at debug",
                        client.proxyName(), stormLosses, (now - stormStartNanos) / 1_000_000, streak,
                        LossBackoff.YOUNG_NANOS / 1_000_000, cause, LossBackoff.MAX_NANOS / 1_000_000_000L);
            }
            logAtInfo[0] = !storm;
        }
        return wait;
    }

    private void endStorm(long lastLoss) {
        LOG.info("re-association storm with SOCKS5 proxy {} over: {} association(s) lost in {} s",
                client.proxyName(), stormLosses, Math.max(1, (lastLoss - stormStartNanos) / 1_000_000_000L));
        storm = false;
        java.util.Arrays.fill(recentLosses, 0L);
    }

    /** How long re-associating must still wait for the proxy's sake (0: now). */
    public long reassociationWaitNanos() {
        return proxyLosses.waitNanos(System.nanoTime());
    }

    /** Runs {@code attempt} on the recovery thread once the backoffs (failure and losses) have passed. */
    public synchronized void recoverLater(Runnable attempt, long atLeastNanos) {
        if (recovery == null) {
            recovery = Executors.newSingleThreadScheduledExecutor(daemon("socksudp-recovery"));
        }
        long delay;
        synchronized (backoffLock) {
            delay = lastFailure == null ? 0 : Math.max(0, retryAtNanos - System.nanoTime());
        }
        recovery.schedule(attempt, Math.max(delay, atLeastNanos), TimeUnit.NANOSECONDS);
    }

    private synchronized ThreadPoolExecutor setupExecutor() {
        if (setups == null) {
            setups = new ThreadPoolExecutor(SETUP_THREADS, SETUP_THREADS, 10, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<Runnable>(), daemon("socksudp-associate"));
            setups.allowCoreThreadTimeOut(true);
        }
        return setups;
    }

    private static ThreadFactory daemon(final String name) {
        return new ThreadFactory() {
            @Override
            public Thread newThread(final Runnable r) {
                // Created on whichever thread first needs it, perhaps the application's: in doPrivileged, the new
                // thread inherits the agent's permissions only (under a SecurityManager, its connections to the
                // proxy are the agent's, not the application's).
                return AccessController.doPrivileged(new PrivilegedAction<Thread>() {
                    @Override
                    public Thread run() {
                        Thread t = new Thread(r, name);
                        t.setDaemon(true);
                        return t;
                    }
                });
            }
        };
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
