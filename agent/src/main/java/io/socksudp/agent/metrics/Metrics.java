package io.socksudp.agent.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The agent's counters, JVM-wide, for JMX and {@code status}: one place, read by nothing on the data path.
 *
 * <p>Per-datagram counting is a {@link LongAdder} increment: no allocation once warm (a cell is created only the
 * first time two threads collide on it), no lock, no shared cache line under contention. Everything else here
 * changes once per association or failure.
 */
public final class Metrics {

    /** Drops by cause, kept where they are counted (intercept's DropCounters); read only for reports. */
    public interface DropView {
        /** Cause name to count, in a stable order. */
        Map<String, Long> dropsByCause();
    }

    private static final LongAdder ASSOCIATIONS_OPENED = new LongAdder();
    private static final LongAdder ASSOCIATIONS_FAILED = new LongAdder();
    private static final LongAdder ASSOCIATIONS_REESTABLISHED = new LongAdder();
    private static final LongAdder ASSOCIATIONS_ENDED = new LongAdder();
    private static final LongAdder SENT_PROXIED = new LongAdder();
    private static final LongAdder SENT_PROXIED_BYTES = new LongAdder();
    private static final LongAdder RECEIVED_PROXIED = new LongAdder();
    private static final LongAdder RECEIVED_PROXIED_BYTES = new LongAdder();
    private static final LongAdder SENT_DIRECT = new LongAdder();

    private static volatile DropView drops;
    private static volatile String proxy = "";
    private static volatile String lastError = "";
    private static volatile long lastErrorMillis;

    private Metrics() {
    }

    // ------------------------------------------------------------------------------------ per datagram

    /** A datagram of {@code payloadBytes} went to the relay. */
    public static void sentThroughProxy(int payloadBytes) {
        SENT_PROXIED.increment();
        SENT_PROXIED_BYTES.add(payloadBytes);
    }

    /** A relayed datagram of {@code payloadBytes} was delivered to the application. */
    public static void receivedThroughProxy(int payloadBytes) {
        RECEIVED_PROXIED.increment();
        RECEIVED_PROXIED_BYTES.add(payloadBytes);
    }

    /** A datagram to a bypassed destination (nonProxyHosts, multicast, broadcast) was handed to the JDK as is. */
    public static void sentDirectly() {
        SENT_DIRECT.increment();
    }

    // ------------------------------------------------------------------------------------ per association

    public static void associationOpened() {
        ASSOCIATIONS_OPENED.increment();
    }

    /** An association ended, by the proxy's doing or ours (each association once). */
    public static void associationEnded() {
        ASSOCIATIONS_ENDED.increment();
    }

    public static void associationFailed(String cause) {
        ASSOCIATIONS_FAILED.increment();
        error(cause);
    }

    public static void associationReestablished() {
        ASSOCIATIONS_REESTABLISHED.increment();
    }

    /** The last thing that went wrong (an association failed or was lost), with the time. */
    public static void error(String cause) {
        lastErrorMillis = System.currentTimeMillis();
        lastError = cause == null ? "" : cause;
    }

    public static void proxy(String configured) {
        proxy = configured;
    }

    public static void drops(DropView view) {
        drops = view;
    }

    // ------------------------------------------------------------------------------------ reading

    public static String proxy() {
        return proxy;
    }

    public static long associationsOpened() {
        return ASSOCIATIONS_OPENED.sum();
    }

    public static long associationsFailed() {
        return ASSOCIATIONS_FAILED.sum();
    }

    public static long associationsReestablished() {
        return ASSOCIATIONS_REESTABLISHED.sum();
    }

    /** Associations open now (opened and not yet ended). */
    public static long associationsLive() {
        return Math.max(0, ASSOCIATIONS_OPENED.sum() - ASSOCIATIONS_ENDED.sum());
    }

    public static long datagramsSentThroughProxy() {
        return SENT_PROXIED.sum();
    }

    public static long bytesSentThroughProxy() {
        return SENT_PROXIED_BYTES.sum();
    }

    public static long datagramsReceivedThroughProxy() {
        return RECEIVED_PROXIED.sum();
    }

    public static long bytesReceivedThroughProxy() {
        return RECEIVED_PROXIED_BYTES.sum();
    }

    public static long datagramsSentDirectly() {
        return SENT_DIRECT.sum();
    }

    public static Map<String, Long> dropsByCause() {
        DropView view = drops;
        return view == null ? new LinkedHashMap<String, Long>() : view.dropsByCause();
    }

    public static String lastError() {
        return lastError;
    }

    /** When {@link #lastError()} happened (epoch ms), 0 if never. */
    public static long lastErrorMillis() {
        return lastErrorMillis;
    }
}
