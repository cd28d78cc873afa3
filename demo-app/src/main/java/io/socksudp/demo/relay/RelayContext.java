package io.socksudp.demo.relay;

import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** What every connection and association of one relay shares: options, counters, events, numbering. */
final class RelayContext {
    private final RelayOptions options;
    private final RelayCounters counters = new RelayCounters();
    private final AtomicInteger associationNumbers = new AtomicInteger();
    /** Control connections with a live association, by association number (for drops). */
    private final Map<Integer, ControlConnection> live = new ConcurrentSkipListMap<>();
    private final Random random;
    private ScheduledExecutorService dropper;
    private boolean shutDown;

    RelayContext(RelayOptions options) {
        this.options = options;
        this.random = new Random(options.randomSeed());
    }

    void register(int association, ControlConnection connection) {
        live.put(association, connection);
    }

    void unregister(int association) {
        live.remove(association);
    }

    Map<Integer, ControlConnection> live() {
        return live;
    }

    /**
     * DROP_TCP_RANDOM: closes the connection after an exponentially distributed lifetime whose mean is
     * {@link RelayOptions#dropAfter()}, like a flaky middlebox or a server that restarts workers.
     */
    synchronized void scheduleRandomDrop(ControlConnection connection) {
        if (!options.has(Misbehaviour.DROP_TCP_RANDOM) || shutDown) {
            return;
        }
        if (dropper == null) {
            dropper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "relay-dropper");
                t.setDaemon(true);
                return t;
            });
        }
        double mean = options.dropAfter().toMillis();
        long lifetime = Math.max(1, Math.round(-mean * Math.log(1 - random.nextDouble())));
        dropper.schedule(() -> connection.drop("drop-tcp-random after " + lifetime + " ms"), lifetime,
                TimeUnit.MILLISECONDS);
    }

    synchronized void shutdown() {
        shutDown = true;
        if (dropper != null) {
            dropper.shutdownNow();
        }
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
