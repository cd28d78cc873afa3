package io.socksudp.agent.dns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Answers the DNS client did not believe, counted by reason; the first of each reason is logged at info, the rest
 * at debug (a flood of forged answers cannot flood the log).
 */
public final class DnsDrops {

    public enum Reason {
        STRAY("not from the DNS server through the relay"),
        MALFORMED("not a well-formed DNS response"),
        UNEXPECTED_ID("an ID this client is not waiting for (late, duplicate or forged)"),
        WRONG_QUESTION("the question it echoes is not the one asked (forged)");

        private final String description;

        Reason(String description) {
            this.description = description;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger("socksudp");

    private final AtomicLongArray counts = new AtomicLongArray(Reason.values().length);

    void drop(Reason reason, Object source, String detail) {
        long n = counts.incrementAndGet(reason.ordinal());
        if (n == 1) {
            LOG.info("dropped a DNS answer ({}): {}{} (further drops are counted and logged at debug)", source,
                    reason.description, detail == null ? "" : ": " + detail);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("dropped a DNS answer ({}): {}{} ({} so far)", source, reason.description,
                    detail == null ? "" : ": " + detail, n);
        }
    }

    public long count(Reason reason) {
        return counts.get(reason.ordinal());
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("dns answers dropped:");
        for (Reason r : Reason.values()) {
            s.append(' ').append(r.name().toLowerCase()).append('=').append(count(r));
        }
        return s.toString();
    }
}
