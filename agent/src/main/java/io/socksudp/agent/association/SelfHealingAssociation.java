package io.socksudp.agent.association;

import io.socksudp.agent.config.LazyLogger;
import io.socksudp.agent.metrics.Metrics;
import org.slf4j.Logger;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * One socket's association over its whole life: opened on demand, and when the proxy ends it, re-opened in the
 * background, paced ({@link LossBackoff} per socket, the proxy's pace and {@link ReassociationCap} from
 * {@link AssociationManager}), until it is back or the socket is gone; released when the socket closes. The loss,
 * the backoff, the retries and the report of a recovery are all here; the socket side ({@link Owner}) only says
 * where the socket is bound and follows a new relay.
 *
 * <p>Threading: the association is volatile and changes only under this object's lock. A set-up runs on the
 * manager's association executor ({@link PendingAssociation}), never under this lock: callers wait for it (or do
 * not), and {@link #close()} cancels it at once; an association granted after the close is given back, and the
 * owner is never told of it.
 */
public final class SelfHealingAssociation implements Association.LossListener, PendingAssociation.Completion {

    /** What the socket side does for its association. Called under the handle's lock: never blocks long. */
    public interface Owner {
        /** The socket's local address, for a request that names it ({@link AssociationManager#needsLocalAddress}). */
        InetSocketAddress localAddress() throws IOException;

        /**
         * The relay changed: {@code association} (the socket's first, or a re-established one) is about to be put in
         * place and the socket must follow its relay (a connected socket reconnects to it). A throw gives the
         * association back, and the set-up fails with that exception.
         */
        void relayChanged(Association association) throws IOException;

        /** Whether the socket is gone (garbage-collected): nothing is opened or re-opened for it any more. */
        boolean gone();

        /** The error of an operation on the closed socket ({@code meanwhile}: it was closed during the wait). */
        IOException closedError(boolean meanwhile);
    }

    private static final Logger LOG = LazyLogger.getLogger("socksudp");
    /** From this many young losses in a row on one socket, its losses are logged at debug only. */
    private static final int QUIET_STREAK = 3;

    private final AssociationManager associations;
    private final Owner owner;
    private volatile Association association;
    private volatile boolean closed;
    private volatile long lostAtNanos;
    /** The proxy of the association lost last: a re-association through another one is a move, logged as such. */
    private volatile String lostProxy;
    /** Set from a loss until the association is back; the set-up's completion then reports the recovery. */
    private boolean recovering;
    /** Losses are logged at debug: a storm (logged once by the manager) or a streak of this socket's own. */
    private volatile boolean quietLosses;
    /** This socket's own losses; made at the first (most sockets never lose an association). */
    private volatile LossBackoff losses;
    /** The set-up in progress, if any (under this object's lock). */
    private PendingAssociation pending;

    public SelfHealingAssociation(AssociationManager associations, Owner owner) {
        this.associations = associations;
        this.owner = owner;
    }

    /** The association, open or not (null while there is none). */
    public Association association() {
        return association;
    }

    /** The association when it is open, else null. */
    public Association ifOpen() {
        Association a = association;
        return a != null && a.isOpen() ? a : null;
    }

    /** The set-up in progress, or null (none, or it has just ended). */
    public synchronized PendingAssociation pendingSetUp() {
        return pending;
    }

    /**
     * The set-up in progress, starting one if there is none (a ready one when the association is open; a failed one
     * when none may start yet, the losses' backoff not having passed). Throws the owner's closed error once closed.
     */
    public PendingAssociation setUp() throws IOException {
        synchronized (this) {
            if (closed) {
                throw owner.closedError(false);
            }
            Association a = association;
            if (a != null && a.isOpen()) {
                return PendingAssociation.ready(a);
            }
            if (pending != null) {
                return pending;
            }
            long now = System.nanoTime();
            long wait = Math.max(lossWaitNanos(now), associations.reassociationWaitNanos());
            if (wait > 0) {
                return PendingAssociation.failed(new ProxyUnavailableException("associations via SOCKS5 proxy "
                        + associations.proxyName() + " keep ending (within " + LossBackoff.YOUNG_NANOS / 1_000_000
                        + " ms of being granted, or more often than the proxy's cap of re-associations allows);"
                        + " the next attempt is paced to " + wait / 1_000_000 + " ms from now"),
                        associations.proxyName());
            }
            InetSocketAddress local = associations.needsLocalAddress() ? owner.localAddress() : null;
            PendingAssociation setup = associations.openLater(local, this, this);
            if (!setup.isDone()) {
                pending = setup; // the completion, which needs this lock, clears it
            }
            return setup;
        }
    }

    /** On the set-up thread: puts the new association in place (or gives it back, the socket being gone). */
    @Override
    public IOException completed(PendingAssociation setup, Association a, IOException failure) {
        boolean giveBack = false;
        boolean wasRecovering;
        IOException replaced = null;
        synchronized (this) {
            if (pending == setup) {
                pending = null;
            }
            wasRecovering = recovering;
            if (a != null) {
                if (closed || owner.gone()) {
                    giveBack = true;
                    replaced = owner.closedError(true);
                } else {
                    try {
                        owner.relayChanged(a);
                    } catch (IOException e) {
                        giveBack = true;
                        replaced = e;
                    }
                    if (!giveBack) {
                        association = a;
                        recovering = false;
                    }
                }
            }
        }
        if (giveBack) {
            associations.release(a);
        } else if (a != null && !a.isOpen()) {
            // The proxy ended it before it was in place (the monitor's report found another association then):
            // account for the loss here, or a proxy that ends each association at once would never be paced.
            lost(a, "the proxy ended it as soon as it was granted");
            return replaced;
        }
        if (!wasRecovering) {
            return replaced;
        }
        if (a != null && !giveBack) {
            Metrics.associationReestablished();
            long ms = (System.nanoTime() - lostAtNanos) / 1_000_000;
            String from = lostProxy;
            if (from != null && !from.equals(a.proxy())) {
                // Failover: peers now see this socket at another relay (another address), which they must accept.
                LOG.info("re-established {} {} ms after the loss, moved from SOCKS5 proxy {} (peers now see this"
                        + " socket at the new relay's address)", a, ms, from);
            } else if (quietLosses) {
                LOG.debug("re-established {} {} ms after the loss", a, ms);
            } else {
                LOG.info("re-established {} {} ms after the loss", a, ms);
            }
        } else if (!closed && !owner.gone()) {
            LOG.debug("re-establishing failed: {}", (replaced != null ? replaced : failure).getMessage());
            scheduleRecovery();
        }
        return replaced;
    }

    /** The proxy ended the association: forget it and re-establish it in the background, paced. */
    @Override
    public void lost(Association lost, String cause) {
        long now = System.nanoTime();
        synchronized (this) {
            if (association != lost) {
                return;
            }
            association = null;
            lostAtNanos = now;
            lostProxy = lost.proxy();
            recovering = true;
        }
        long lifetime = now - lost.establishedNanos();
        LossBackoff losses = losses();
        losses.lost(lifetime, now);
        boolean[] logAtInfo = {true};
        // The slot the proxy's re-association cap reserved for this socket: the socket keeps it, so
        // neither the recovery thread nor the application's own send re-associates before it.
        losses.deferUntil(now + associations.lost(lost, lifetime, cause, logAtInfo), now);
        quietLosses = !logAtInfo[0] || losses.streak() >= QUIET_STREAK;
        if (!closed) {
            if (quietLosses) {
                LOG.debug("{} lost after {} ms: {}; re-establishing", lost, lifetime / 1_000_000, cause);
            } else {
                LOG.info("{} lost: {}; re-establishing", lost, cause);
            }
            scheduleRecovery();
        }
    }

    private LossBackoff losses() {
        LossBackoff l = losses;
        if (l == null) {
            synchronized (this) {
                l = losses;
                if (l == null) {
                    l = new LossBackoff();
                    losses = l;
                }
            }
        }
        return l;
    }

    private long lossWaitNanos(long now) {
        LossBackoff l = losses;
        return l == null ? 0 : l.waitNanos(now);
    }

    private void scheduleRecovery() {
        long now = System.nanoTime();
        // A new Runnable per attempt: recoveries are rare, and a field would cost every socket its 16 bytes.
        associations.recoverLater(new Runnable() {
            @Override
            public void run() {
                recover();
            }
        }, Math.max(lossWaitNanos(now), associations.reassociationWaitNanos()));
    }

    /** One recovery attempt on the recovery thread: starts a set-up; its completion reports or retries. */
    private void recover() {
        if (closed || owner.gone()) {
            return;
        }
        Association a = association;
        if (a != null && a.isOpen()) {
            return;
        }
        try {
            PendingAssociation setup = setUp();
            if (setup.isDone()) {
                setup.poll(); // failed before it started (backing off): throws
            }
        } catch (IOException e) {
            LOG.debug("re-establishing failed: {}", e.getMessage());
            if (!closed) {
                scheduleRecovery();
            }
        }
    }

    /**
     * Releases the association without closing the handle (the socket moved to another local port): the next
     * set-up opens a new one. Returns the association released, or null.
     */
    public Association releaseCurrent() {
        Association stale;
        synchronized (this) {
            stale = association;
            association = null;
        }
        if (stale != null) {
            associations.release(stale);
        }
        return stale;
    }

    /** The socket is closing: a set-up in progress is cancelled (its waiters fail at once), the association released. */
    public void close() {
        PendingAssociation setup;
        Association a;
        synchronized (this) {
            closed = true;
            setup = pending;
            pending = null;
            a = association;
            association = null;
        }
        if (setup != null) {
            setup.cancel(owner.closedError(true));
        }
        if (a != null) {
            associations.release(a);
        }
    }
}
