package io.socksudp.demo.relay;

import java.util.concurrent.atomic.AtomicInteger;

/** What every connection and association of one relay shares: options, counters, events, numbering. */
final class RelayContext {
    private final RelayOptions options;
    private final RelayCounters counters = new RelayCounters();
    private final AtomicInteger associationNumbers = new AtomicInteger();

    RelayContext(RelayOptions options) {
        this.options = options;
    }

    RelayOptions options() {
        return options;
    }

    RelayCounters counters() {
        return counters;
    }

    int nextAssociationNumber() {
        return associationNumbers.incrementAndGet();
    }

    void emit(RelayEvent event) {
        try {
            options.eventSink().accept(event);
        } catch (RuntimeException e) {
            // A faulty observer must not take the relay down with it.
        }
    }
}
