package io.socksudp.agent.intercept;

import io.socksudp.agent.association.Association;
import io.socksudp.agent.config.LazyLogger;
import org.slf4j.Logger;

/**
 * Each application socket's front end, found by the socket's identity and held weakly, so that the registry never
 * keeps a socket alive: one the application drops without closing is collected, and the {@code socksudp-reaper}
 * thread then closes its front end's association (a closed socket's entry is removed at its close).
 */
final class SocketRegistry {

    private static final Logger LOG = LazyLogger.getLogger("socksudp");

    private final WeakIdentityMap<Object, TunnelFrontEnd> frontEnds = new WeakIdentityMap<Object, TunnelFrontEnd>();
    private final Thread reaper = startReaper();

    /** The socket's front end, or null when it has none yet. */
    TunnelFrontEnd get(Object socket) {
        return frontEnds.get(socket);
    }

    /** The weak reference a new front end's {@link AssociatedSocket} holds its socket by (the entry's key). */
    WeakIdentityMap.Key<Object, TunnelFrontEnd> newKey(Object socket) {
        return frontEnds.newKey(socket);
    }

    /** Registers {@code frontEnd} under {@code key} unless another thread was first; returns the one registered. */
    TunnelFrontEnd putIfAbsent(WeakIdentityMap.Key<Object, TunnelFrontEnd> key, TunnelFrontEnd frontEnd) {
        return frontEnds.putIfAbsent(key, frontEnd);
    }

    /** The socket closed: its front end, no longer registered, or null when it had none. */
    TunnelFrontEnd remove(Object socket) {
        return frontEnds.remove(socket);
    }

    /** For an attach rolled back before any datagram went through: the reaper thread ends. */
    void stop() {
        reaper.interrupt();
    }

    /** Releases the associations of sockets the application dropped without closing them. */
    private Thread startReaper() {
        Thread thread = new Thread(new Runnable() {
            @Override
            public void run() {
                while (true) {
                    try {
                        TunnelFrontEnd t = frontEnds.expunge(frontEnds.collected().remove());
                        if (t != null) {
                            Association a = t.tunnel().association();
                            LOG.debug("socket collected without close; releasing {}", a);
                            t.tunnel().close();
                        }
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        LOG.warn("socksudp reaper: {}", e.toString());
                    }
                }
            }
        }, "socksudp-reaper");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
