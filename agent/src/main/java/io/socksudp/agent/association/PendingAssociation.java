package io.socksudp.agent.association;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One association being set up on the association executor, off every application lock: the application's
 * threads may wait for it (interruptibly or not, never past its deadline), poll it without blocking (a
 * non-blocking channel), or cancel it (the socket was closed: close wins at once, the handshake is aborted by
 * closing its control connection).
 */
public final class PendingAssociation implements ProxyClient.Cancellation {

    /**
     * Told on the set-up thread when the set-up ends, before any waiter wakes up; returns a failure that replaces
     * the outcome (the association could not be put in place, and was released), else null.
     */
    interface Completion {
        IOException completed(PendingAssociation setup, Association association, IOException failure);
    }

    private static final long INTERRUPT_GRACE_NANOS = 1_000_000_000L;
    private final CountDownLatch done = new CountDownLatch(1);
    private final long deadlineNanos;
    private final String proxy;
    private volatile Association association;
    private volatile IOException failure;
    private SocketChannel control;
    private boolean cancelled;
    /** Told once the set-up ends (a Netty event loop's held writes), under this object's lock until then. */
    private Runnable whenDone;

    PendingAssociation(long deadlineNanos, String proxy) {
        this.deadlineNanos = deadlineNanos;
        this.proxy = proxy;
    }

    /** A set-up that is over already: the socket's association was installed meanwhile. */
    static PendingAssociation ready(Association association) {
        PendingAssociation p = new PendingAssociation(System.nanoTime(), association.proxy());
        p.association = association;
        p.done.countDown();
        return p;
    }

    /** A set-up that failed before it started (e.g. while backing off). */
    static PendingAssociation failed(IOException cause, String proxy) {
        PendingAssociation p = new PendingAssociation(System.nanoTime(), proxy);
        p.failure = cause;
        p.done.countDown();
        return p;
    }

    public boolean isDone() {
        return done.getCount() == 0;
    }

    /** The association once set up, null while pending; throws the set-up's failure. Never blocks. */
    public Association poll() throws IOException {
        if (!isDone()) {
            return null;
        }
        return result();
    }

    /**
     * Waits for the set-up until its deadline. Interruptible: an interrupt ends the wait, with the interrupt status
     * left set. The wait first lasts until the interrupt has closed the channel (which cancels this set-up), at most
     * {@link #INTERRUPT_GRACE_NANOS}: JDK 21+ wakes an interrupted thread before its interruptor closes the channel,
     * and a thread that left early would find the channel open and its interrupt unaccounted for; the JDK's blocking
     * channel operations then report ClosedByInterruptException. Past the grace, an {@link InterruptedIOException}.
     * Not interruptible: the wait goes on and the status is kept.
     */
    public Association await(boolean interruptible) throws IOException {
        boolean interrupted = false;
        long graceEnd = 0;
        try {
            while (true) {
                long now = System.nanoTime();
                if (interrupted && interruptible && now - graceEnd >= 0 && !isDone()) {
                    throw new InterruptedIOException("interrupted while the association with SOCKS5 proxy "
                            + proxy + " was being set up");
                }
                long left = deadlineNanos - now;
                if (left <= 0 && !isDone()) {
                    throw new ProxyUnavailableException("SOCKS5 proxy " + proxy + " did not grant an association"
                            + " in time (socksudp.connectTimeout)");
                }
                if (interrupted && interruptible) {
                    left = Math.min(left, graceEnd - now);
                }
                try {
                    if (done.await(Math.max(left, 0), TimeUnit.NANOSECONDS)) {
                        return result();
                    }
                } catch (InterruptedException e) {
                    if (!interrupted) {
                        graceEnd = System.nanoTime() + INTERRUPT_GRACE_NANOS;
                    }
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Association result() throws IOException {
        IOException f = failure;
        if (f != null) {
            throw f;
        }
        return association;
    }

    /** Aborts the set-up (the socket was closed): waiters wake at once with {@code cause}. */
    void cancel(IOException cause) {
        SocketChannel c;
        synchronized (this) {
            if (cancelled || isDone()) {
                return;
            }
            cancelled = true;
            c = control;
        }
        if (c != null) {
            try {
                c.close(); // the blocked handshake fails at once
            } catch (IOException ignored) {
                // closing is all we wanted
            }
        }
        finish(null, cause);
    }

    @Override
    public synchronized boolean started(SocketChannel controlConnection) {
        control = controlConnection;
        return !cancelled;
    }

    @Override
    public synchronized boolean cancelled() {
        return cancelled;
    }

    /**
     * Runs {@code task} once the set-up has ended (on the thread that ends it), or at once when it has: for a caller
     * that must not wait (a Netty event loop), so it needs no thread of its own. One task per set-up; a second
     * replaces the first (the one caller that registers, a channel's event loop, keeps a flag of its own).
     */
    public void whenDone(Runnable task) {
        synchronized (this) {
            if (!isDone()) {
                whenDone = task;
                return;
            }
        }
        task.run();
    }

    /** Records the outcome once and wakes the waiters; false when it was cancelled (or finished) already. */
    boolean finish(Association a, IOException f) {
        Runnable task;
        synchronized (this) {
            if (isDone()) {
                return false;
            }
            association = a;
            failure = f;
            done.countDown();
            task = whenDone;
            whenDone = null;
        }
        if (task != null) {
            task.run();
        }
        return true;
    }
}
