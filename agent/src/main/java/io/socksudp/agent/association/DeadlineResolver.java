package io.socksudp.agent.association;

import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The system resolver's look-up of a name the user configured (the proxy's host, {@code socksudp.relayHost}) within
 * what is left of a set-up's deadline. {@code InetAddress.getByName} cannot be bounded or interrupted, so a name runs
 * on a {@code socksudp-resolve} daemon thread while the set-up waits no longer than its deadline; a look-up that
 * outlives it is not started again while it runs (set-ups for the same name wait on the one in flight), so a hung
 * resolver costs one thread per name, not one per attempt. A literal address is parsed at once, no thread and no
 * look-up. Nothing else is resolved here: names the proxy chooses are refused before they get here.
 */
final class DeadlineResolver {

    private static final Map<String, FutureTask<InetAddress>> IN_FLIGHT = new HashMap<String, FutureTask<InetAddress>>();

    private DeadlineResolver() {
    }

    /**
     * {@code host}'s address, resolved within {@code timeoutNanos}; an {@link UnknownHostException} says the name is
     * unknown or took too long ({@code setting} names the timeout's setting for the message).
     */
    static InetAddress byName(final String host, long timeoutNanos, String setting) throws java.io.IOException {
        if (isLiteral(host)) {
            return InetAddress.getByName(host); // parsed, never looked up
        }
        FutureTask<InetAddress> lookup;
        boolean start = false;
        synchronized (IN_FLIGHT) {
            lookup = IN_FLIGHT.get(host);
            if (lookup == null) {
                lookup = new FutureTask<InetAddress>(new Callable<InetAddress>() {
                    @Override
                    public InetAddress call() throws Exception {
                        try {
                            return InetAddress.getByName(host);
                        } finally {
                            synchronized (IN_FLIGHT) {
                                IN_FLIGHT.remove(host);
                            }
                        }
                    }
                });
                IN_FLIGHT.put(host, lookup);
                start = true;
            }
        }
        if (start) {
            final FutureTask<InetAddress> task = lookup;
            // In doPrivileged: under a SecurityManager the thread is the agent's, as the set-up threads are.
            Thread t = AccessController.doPrivileged(new PrivilegedAction<Thread>() {
                @Override
                public Thread run() {
                    return new Thread(task, "socksudp-resolve");
                }
            });
            t.setDaemon(true);
            t.start();
        }
        try {
            return lookup.get(Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new UnknownHostException(host + ": the system resolver gave no answer within " + setting
                    + " (still asking in the background)");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UnknownHostException) {
                throw (UnknownHostException) cause;
            }
            UnknownHostException u = new UnknownHostException(host + ": " + cause);
            u.initCause(cause);
            throw u;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while resolving " + host);
        }
    }

    /** An IPv4 dotted quad or an IPv6 literal: {@code InetAddress.getByName} parses it without a look-up. */
    static boolean isLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        if (host.isEmpty()) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }
}
