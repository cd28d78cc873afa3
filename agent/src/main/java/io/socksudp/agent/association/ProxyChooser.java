package io.socksudp.agent.association;

import java.util.ArrayList;
import java.util.List;

/**
 * Which proxies of {@code socksudp.proxy}'s ordered list a new association tries, in what order, and what is known
 * of each one's health. Health means "granted a UDP ASSOCIATE": a TCP connect alone proves nothing (a proxy may
 * accept connections and refuse UDP, or lose its relay). The rules, all here:
 * <ul>
 * <li>A new association tries the healthy proxies in list order, the first that grants it wins; one that fails
 *     (unreachable, refused, timed out) is marked down and the next is tried within the same set-up.</li>
 * <li>A proxy that is down is skipped while another is healthy; a background check ({@link #nextCheckDelayNanos},
 *     from {@link #FIRST_CHECK_NANOS} doubling up to {@link #MAX_CHECK_NANOS}) brings it back once it grants an
 *     association, and from then on new associations prefer it again (failback). Existing associations stay where
 *     they are until theirs end: a move changes the address peers see.</li>
 * <li>When every proxy is down, set-ups try those whose failure backoff has passed (from
 *     {@link #FIRST_BACKOFF_NANOS} doubling up to {@link #MAX_BACKOFF_NANOS}, per proxy) and fail fast with the
 *     known causes meanwhile: with one proxy, exactly the single proxy's behaviour before lists existed.</li>
 * </ul>
 * Pure state on a clock, so its rules are unit-tested on a fake one. Thread-safe.
 */
final class ProxyChooser {

    /** A source of {@link System#nanoTime()}-like readings. */
    interface Clock {
        long nanoTime();
    }

    static final Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }
    };

    static final long FIRST_BACKOFF_NANOS = 250_000_000L;
    static final long MAX_BACKOFF_NANOS = 2_000_000_000L;
    static final long FIRST_CHECK_NANOS = 500_000_000L;
    static final long MAX_CHECK_NANOS = 30_000_000_000L;

    private final String[] names;
    private final Clock clock;
    private final boolean[] down;
    private final long[] retryAt;
    private final long[] backoff;
    private final long[] checkDelay;
    private final boolean[] checking;
    private final ProxyUnavailableException[] failure;

    ProxyChooser(List<String> names, Clock clock) {
        this.names = names.toArray(new String[0]);
        this.clock = clock;
        int n = this.names.length;
        down = new boolean[n];
        retryAt = new long[n];
        backoff = new long[n];
        checkDelay = new long[n];
        checking = new boolean[n];
        failure = new ProxyUnavailableException[n];
    }

    int size() {
        return names.length;
    }

    String name(int proxy) {
        return names[proxy];
    }

    /**
     * The proxies a new association tries, in order: the healthy ones; if none is, the ones whose backoff has
     * passed. Throws, naming every proxy's last failure, when no proxy may be tried now.
     */
    synchronized int[] candidates() throws ProxyUnavailableException {
        long now = clock.nanoTime();
        List<Integer> healthy = new ArrayList<Integer>();
        List<Integer> due = new ArrayList<Integer>();
        long soonest = Long.MAX_VALUE;
        for (int i = 0; i < names.length; i++) {
            if (!down[i]) {
                healthy.add(i);
            } else if (now - retryAt[i] >= 0) {
                due.add(i);
            } else {
                soonest = Math.min(soonest, retryAt[i] - now);
            }
        }
        List<Integer> chosen = !healthy.isEmpty() ? healthy : due;
        if (chosen.isEmpty()) {
            throw new ProxyUnavailableException(failures() + " (not retried for " + soonest / 1_000_000 + " ms)",
                    failure[0]);
        }
        int[] result = new int[chosen.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = chosen.get(i);
        }
        return result;
    }

    /** How long until some proxy may be tried: 0 while one is healthy or due. */
    synchronized long waitNanos() {
        long now = clock.nanoTime();
        long soonest = Long.MAX_VALUE;
        for (int i = 0; i < names.length; i++) {
            if (!down[i] || now - retryAt[i] >= 0) {
                return 0;
            }
            soonest = Math.min(soonest, retryAt[i] - now);
        }
        return soonest;
    }

    /**
     * Proxy {@code proxy} granted an association; returns whether it was down (it is back: say so once).
     */
    synchronized boolean succeeded(int proxy) {
        boolean wasDown = down[proxy];
        down[proxy] = false;
        backoff[proxy] = 0;
        checkDelay[proxy] = 0;
        failure[proxy] = null;
        return wasDown;
    }

    /**
     * Proxy {@code proxy} did not grant an association; returns whether it was healthy until now (it just went
     * down: say so once). Its failure backoff grows.
     */
    synchronized boolean failed(int proxy, ProxyUnavailableException cause) {
        boolean wasUp = !down[proxy];
        down[proxy] = true;
        backoff[proxy] = backoff[proxy] == 0 ? FIRST_BACKOFF_NANOS : Math.min(2 * backoff[proxy], MAX_BACKOFF_NANOS);
        retryAt[proxy] = clock.nanoTime() + backoff[proxy];
        failure[proxy] = cause;
        return wasUp;
    }

    /** The first healthy proxy in order, or -1 when all are down. */
    synchronized int firstHealthy() {
        for (int i = 0; i < names.length; i++) {
            if (!down[i]) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Starts the background checks of a proxy that went down, unless they run already; false when they do (or there
     * is no other proxy to fail back from: with one proxy, the application's own sends are the retries).
     */
    synchronized boolean startChecking(int proxy) {
        if (names.length < 2 || checking[proxy] || !down[proxy]) {
            return false;
        }
        checking[proxy] = true;
        return true;
    }

    /** Whether the checks of {@code proxy} go on; they end (atomically) once it is no longer down. */
    synchronized boolean continueChecking(int proxy) {
        if (!down[proxy]) {
            checking[proxy] = false;
            return false;
        }
        return true;
    }

    /** A check of {@code proxy} was granted: the checks end and the proxy is healthy; as {@link #succeeded}. */
    synchronized boolean checkSucceeded(int proxy) {
        checking[proxy] = false;
        return succeeded(proxy);
    }

    /** How long until the next check of a proxy that is down: doubling from 500 ms up to 30 s while it stays down. */
    synchronized long nextCheckDelayNanos(int proxy) {
        checkDelay[proxy] = checkDelay[proxy] == 0 ? FIRST_CHECK_NANOS
                : Math.min(2 * checkDelay[proxy], MAX_CHECK_NANOS);
        return checkDelay[proxy];
    }

    /** The list as the status shows it: {@code a:1080 (down), b:1080}. */
    synchronized String describe() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            sb.append(i > 0 ? ", " : "").append(names[i]).append(down[i] ? " (down)" : "");
        }
        return sb.toString();
    }

    /**
     * Every proxy's last failure, for the exception of a send that found none: one proxy's message as it is; with a
     * list, all of them, so that the application's error names every proxy and why.
     */
    synchronized String failures() {
        if (names.length == 1) {
            return failure[0] != null ? failure[0].getMessage() : "SOCKS5 proxy " + names[0] + " is unavailable";
        }
        StringBuilder sb = new StringBuilder("none of the " + names.length + " SOCKS5 proxies granted a UDP"
                + " association (");
        for (int i = 0; i < names.length; i++) {
            sb.append(i > 0 ? "; " : "").append(failure[i] != null ? failure[i].getMessage()
                    : "SOCKS5 proxy " + names[i] + ": not tried");
        }
        return sb.append(')').toString();
    }
}
