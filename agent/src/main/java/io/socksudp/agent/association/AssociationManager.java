package io.socksudp.agent.association;

import io.socksudp.agent.config.LazyLogger;
import io.socksudp.agent.metrics.Metrics;
import org.slf4j.Logger;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Opens associations for application sockets, has the monitor watch them, and runs recovery: each set-up tries the
 * proxies of the list in the order and with the health {@link ProxyChooser} keeps (the first that grants a UDP
 * ASSOCIATE wins; a failed one is skipped while another works, checked in the background and preferred again once
 * it grants one); after a failure of every proxy, attempts within a capped exponential backoff fail fast with the
 * same causes (a dead proxy is never hammered); after losses of young associations, re-associations are paced per
 * proxy ({@link LossBackoff}) and a storm is logged once with counts; set-ups run on a small pool of
 * {@code socksudp-associate} threads, off every application lock ({@link #openLater}); re-establishment of lost
 * associations is scheduled on one background thread.
 */
public final class AssociationManager {

    private static final Logger LOG = LazyLogger.getLogger("socksudp");
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

    private final AssociationOpener[] clients;
    private final ProxyChooser chooser;
    private final String proxyNames;
    private final int connectTimeoutMillis;
    private final ControlMonitor monitor = new ControlMonitor();
    private ScheduledExecutorService recovery;
    private ThreadPoolExecutor setups;

    /** Per proxy: the pace of re-associations after young losses. */
    private final LossBackoff[] proxyLosses;
    /** Per proxy: the hard cap on re-associations, whatever the age of the associations lost. */
    private final ReassociationCap[] caps;
    private final Object stormLock = new Object();
    private boolean storm;
    private String stormProxy;
    private long stormStartNanos;
    private int stormLosses;
    private long lastLossNanos;
    private final long[] recentLosses = new long[STORM_LOSSES];
    private int recentIndex;

    /** One proxy, or {@code socksudp.proxy}'s list in order (one client each), failing over between them. */
    public AssociationManager(ProxyClient... clients) {
        this(ProxyChooser.SYSTEM, (AssociationOpener[]) clients);
    }

    /** With other openers than the SOCKS5 client (the recovery tests' fakes). */
    AssociationManager(ProxyChooser.Clock clock, AssociationOpener... clients) {
        if (clients.length == 0) {
            throw new IllegalArgumentException("no proxy");
        }
        this.clients = clients.clone();
        List<String> names = new ArrayList<String>();
        proxyLosses = new LossBackoff[clients.length];
        caps = new ReassociationCap[clients.length];
        for (int i = 0; i < clients.length; i++) {
            names.add(clients[i].proxyName());
            proxyLosses[i] = LossBackoff.proxyWide();
            caps[i] = new ReassociationCap();
        }
        this.chooser = new ProxyChooser(names, clock);
        StringBuilder joined = new StringBuilder();
        for (String name : names) {
            joined.append(joined.length() > 0 ? ", " : "").append(name);
        }
        this.proxyNames = joined.toString();
        this.connectTimeoutMillis = clients[0].connectTimeoutMillis();
    }

    /** Whether a new association needs the socket's local address (modes port and full): see {@link #open}. */
    boolean needsLocalAddress() {
        return clients[0].namesLocalAddress();
    }

    /** The proxy, or the proxies of the failover list, for messages: {@code a:1080} or {@code a:1080, b:1080}. */
    String proxyName() {
        return proxyNames;
    }

    /**
     * Whether {@code socket} is one of the agent's own (the {@code associate=auto} check's): the interception must
     * leave it alone. Asked once per socket, when its tunnel would be made.
     */
    public boolean isAgentSocket(Object socket) {
        for (AssociationOpener client : clients) {
            if (client.owns(socket)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts setting up an association on the association executor and returns at once; {@code completion} is
     * told on the set-up thread before any waiter wakes. A failure known already (backing off) comes back as a
     * failed set-up, so callers have one path.
     */
    PendingAssociation openLater(final InetSocketAddress local, final Association.LossListener listener,
                                 final PendingAssociation.Completion completion) {
        final int[] candidates;
        try {
            candidates = chooser.candidates();
        } catch (ProxyUnavailableException e) {
            return PendingAssociation.failed(e, proxyNames);
        }
        // Each proxy tried has its own connectTimeout: one that times out must leave the next its full chance.
        final PendingAssociation setup = new PendingAssociation(System.nanoTime()
                + candidates.length * (connectTimeoutMillis * 1_000_000L) + WAIT_MARGIN_NANOS, proxyNames);
        setupExecutor().execute(new Runnable() {
            @Override
            public void run() {
                Association a = null;
                IOException failure = null;
                try {
                    a = openNow(candidates, local, listener, setup);
                } catch (IOException e) {
                    failure = e;
                } catch (RuntimeException e) {
                    failure = new ProxyUnavailableException("socksudp internal error while associating with "
                            + proxyNames + ": " + e, e);
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

    /** Tries the {@code candidates} in order; the first that grants the association wins. */
    private Association openNow(int[] candidates, InetSocketAddress local, Association.LossListener listener,
                                PendingAssociation setup) throws IOException {
        Association association = null;
        ProxyUnavailableException last = null;
        for (int proxy : candidates) {
            try {
                association = clients[proxy].associate(local, setup);
            } catch (ProxyUnavailableException e) {
                if (setup != null && setup.cancelled()) {
                    throw e; // the socket was closed: says nothing about the proxy
                }
                last = e;
                proxyFailed(proxy, e);
                continue;
            }
            proxyGranted(proxy);
            break;
        }
        if (association == null) {
            ProxyUnavailableException e = candidates.length == 1 && chooser.size() == 1 ? last
                    : new ProxyUnavailableException(chooser.failures(), last);
            Metrics.associationFailed(e.getMessage());
            throw e;
        }
        association.onLoss(listener);
        try {
            monitor.watch(association);
        } catch (IOException e) {
            association.close();
            throw new ProxyUnavailableException("cannot watch the control connection to " + association.proxy()
                    + ": " + e.getMessage(), e);
        }
        if (local != null) {
            LOG.debug("opened {} for the socket at {}", association, local);
        } else {
            LOG.debug("opened {}", association);
        }
        return association;
    }

    void release(Association association) {
        association.close();
        LOG.debug("released {}", association);
    }

    /**
     * An association of this proxy was lost after living {@code lifetimeNanos}: returns how long re-associating
     * must wait under the proxy's {@link ReassociationCap} (the slot reserved for it, which the socket must keep;
     * the pace of the proxy's young losses is {@link #reassociationWaitNanos}'s, asked at each attempt), and whether
     * the loss is to be logged at info. Losses come in storms (young
     * losses in a row, or {@link #STORM_LOSSES} losses of any age within {@link #STORM_WINDOW_NANOS}): a storm is
     * logged once here, with counts, its losses at debug, and its end at info with the totals.
     */
    long lost(Association lost, long lifetimeNanos, String cause, boolean[] logAtInfo) {
        int proxy = indexOf(lost.proxy());
        // associate=auto: the proxy may have changed (restarted): check again before the next association
        clients[proxy].lost(lost.establishedNanos());
        long now = System.nanoTime();
        proxyLosses[proxy].lost(lifetimeNanos, now); // its pace: reassociationWaitNanos
        long wait = caps[proxy].reserve(now);
        int streak = proxyLosses[proxy].streak();
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
                stormProxy = lost.proxy();
                stormStartNanos = burst ? oldest : now;
                stormLosses = burst ? STORM_LOSSES : streak;
                LOG.warn("re-association storm with SOCKS5 proxy {}: {} associations lost within {} ms ({} in a row"
                        + " within {} ms of being granted; last: {}); re-associations are paced (from 250 ms up to {} s"
                        + " after young losses; whatever the cause, at most {} at once then {} a second for this"
                        + " proxy) and further losses are counted and logged at debug",
                        stormProxy, stormLosses, (now - stormStartNanos) / 1_000_000, streak,
                        LossBackoff.YOUNG_NANOS / 1_000_000, cause, LossBackoff.MAX_NANOS / 1_000_000_000L,
                        ReassociationCap.BURST, 1_000_000_000L / ReassociationCap.INTERVAL_NANOS);
            }
            logAtInfo[0] = !storm;
        }
        return wait;
    }

    private void endStorm(long lastLoss) {
        LOG.info("re-association storm with SOCKS5 proxy {} over: {} association(s) lost in {} s",
                stormProxy, stormLosses, Math.max(1, (lastLoss - stormStartNanos) / 1_000_000_000L));
        storm = false;
        java.util.Arrays.fill(recentLosses, 0L);
    }

    /**
     * How long re-associating must still wait for the sake of the proxy it would go to first (0: now); while every
     * proxy is down, the set-up fails fast anyway.
     */
    long reassociationWaitNanos() {
        int proxy = chooser.firstHealthy();
        return proxy < 0 ? 0 : proxyLosses[proxy].waitNanos(System.nanoTime());
    }

    /** Runs {@code attempt} on the recovery thread once the backoffs (failure and losses) have passed. */
    synchronized void recoverLater(Runnable attempt, long atLeastNanos) {
        if (recovery == null) {
            recovery = Executors.newSingleThreadScheduledExecutor(daemon("socksudp-recovery"));
        }
        recovery.schedule(attempt, Math.max(chooser.waitNanos(), atLeastNanos), TimeUnit.NANOSECONDS);
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

    private int indexOf(String proxyName) {
        for (int i = 0; i < clients.length; i++) {
            if (clients[i].proxyName().equals(proxyName)) {
                return i;
            }
        }
        return 0; // cannot happen: every association comes from one of the clients
    }

    private void proxyFailed(int proxy, ProxyUnavailableException failure) {
        boolean wentDown = chooser.failed(proxy, failure);
        LOG.debug("association via SOCKS5 proxy {} failed: {}", chooser.name(proxy), failure.getMessage());
        if (!wentDown || chooser.size() < 2) {
            return;
        }
        Metrics.proxy(chooser.describe());
        int next = chooser.firstHealthy();
        LOG.info("SOCKS5 proxy {} is unavailable ({}); {}", chooser.name(proxy), failure.getMessage(), next >= 0
                ? "new and re-established associations go through " + chooser.name(next) + " until it grants one"
                        + " again (checked in the background)"
                : "no other proxy of the list is available either");
        if (chooser.startChecking(proxy)) {
            scheduleCheck(proxy);
        }
    }

    private void proxyGranted(int proxy) {
        if (chooser.succeeded(proxy) && chooser.size() > 1) {
            Metrics.proxy(chooser.describe());
            LOG.info("SOCKS5 proxy {} granted a UDP association again: new associations use it again (existing ones"
                    + " stay on their proxy until they end)", chooser.name(proxy));
        }
    }

    /**
     * The background check of a proxy that is down: one UDP ASSOCIATE (closed at once) after a capped, doubling
     * delay, on a set-up thread (a proxy that swallows connections must not hold up the recovery thread), until it
     * is granted; then the proxy is healthy again and new associations prefer it.
     */
    private void scheduleCheck(final int proxy) {
        final Runnable check = new Runnable() {
            @Override
            public void run() {
                if (!chooser.continueChecking(proxy)) {
                    return; // a set-up found it working meanwhile
                }
                try {
                    clients[proxy].probe();
                } catch (ProxyUnavailableException e) {
                    chooser.failed(proxy, e);
                    LOG.debug("SOCKS5 proxy {} is still unavailable: {}", chooser.name(proxy), e.getMessage());
                    scheduleCheck(proxy);
                    return;
                } catch (RuntimeException e) {
                    LOG.debug("checking SOCKS5 proxy {} failed: {}", chooser.name(proxy), e.toString());
                    scheduleCheck(proxy);
                    return;
                }
                if (chooser.checkSucceeded(proxy)) {
                    Metrics.proxy(chooser.describe());
                    LOG.info("SOCKS5 proxy {} grants UDP associations again: new associations use it again"
                            + " (existing ones stay on their proxy until they end)", chooser.name(proxy));
                }
            }
        };
        synchronized (this) {
            if (recovery == null) {
                recovery = Executors.newSingleThreadScheduledExecutor(daemon("socksudp-recovery"));
            }
            recovery.schedule(new Runnable() {
                @Override
                public void run() {
                    setupExecutor().execute(check);
                }
            }, chooser.nextCheckDelayNanos(proxy), TimeUnit.NANOSECONDS);
        }
    }
}
