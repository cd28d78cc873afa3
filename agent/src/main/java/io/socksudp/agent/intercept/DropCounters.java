package io.socksudp.agent.intercept;

import io.socksudp.agent.config.LazyLogger;
import org.slf4j.Logger;

import io.socksudp.agent.metrics.Metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts dropped datagrams by reason, JVM-wide. The first drop of each reason is logged at info so a user
 * learns that something is arriving that should not; the rest only at debug, so a flood cannot flood the log.
 */
public final class DropCounters implements Metrics.DropView {

    private static final Logger LOG = LazyLogger.getLogger("socksudp");

    private final AtomicLongArray counts = new AtomicLongArray(DropReason.values().length);

    void drop(DropReason reason, Object source) {
        long n = counts.incrementAndGet(reason.ordinal());
        if (n == 1) {
            LOG.info("dropped a datagram ({}): {} (further drops are counted and logged at debug)",
                    source, reason.description());
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("dropped a datagram ({}): {} ({} so far)", source, reason.description(), n);
        }
    }

    public long count(DropReason reason) {
        return counts.get(reason.ordinal());
    }

    @Override
    public Map<String, Long> dropsByCause() {
        Map<String, Long> result = new LinkedHashMap<String, Long>();
        for (DropReason r : DropReason.values()) {
            result.put(r.name().toLowerCase(java.util.Locale.ROOT), count(r));
        }
        return result;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("dropped:");
        for (DropReason r : DropReason.values()) {
            s.append(' ').append(r.name().toLowerCase()).append('=').append(count(r));
        }
        return s.toString();
    }
}
