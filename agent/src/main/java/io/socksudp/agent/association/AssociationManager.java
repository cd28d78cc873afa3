package io.socksudp.agent.association;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.DatagramChannel;

/**
 * Opens and releases associations for application sockets, and keeps a dead proxy from being hammered:
 * after a failure, further attempts within a capped exponential backoff fail fast with the same cause.
 */
public final class AssociationManager {

    private static final Logger LOG = LoggerFactory.getLogger("socksudp");
    private static final long FIRST_BACKOFF_NANOS = 250_000_000L;
    private static final long MAX_BACKOFF_NANOS = 5_000_000_000L;

    private final ProxyClient client;

    private final Object backoffLock = new Object();
    private long retryAtNanos;
    private long backoffNanos;
    private ProxyUnavailableException lastFailure;

    public AssociationManager(ProxyClient client) {
        this.client = client;
    }

    /** A new association for {@code channel}; throws a {@link ProxyUnavailableException} naming the cause. */
    public Association open(Object channel) throws IOException {
        failFastWhileBackingOff();
        InetSocketAddress local = localAddressOf(channel);
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
        LOG.debug("socket {}: {}", local, association);
        return association;
    }

    public void release(Association association) {
        association.close();
        LOG.debug("released {}", association);
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

    private static InetSocketAddress localAddressOf(Object channel) throws IOException {
        if (channel instanceof DatagramChannel) {
            SocketAddress local = ((DatagramChannel) channel).getLocalAddress();
            if (local instanceof InetSocketAddress) {
                return (InetSocketAddress) local;
            }
        }
        return null;
    }
}
