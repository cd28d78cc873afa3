package io.socksudp.agent.intercept;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A concurrent map from objects, compared by identity and held weakly, to values. Retransformed JDK classes
 * cannot gain fields, so this is where per-socket state lives. Keys whose object was collected arrive on
 * {@link #collected()} with their value still reachable through {@link Key#value}, so the owner can release
 * what the value holds.
 *
 * <p>Lookups do not allocate: a per-thread probe key stands in for the real key.
 */
public final class WeakIdentityMap<K, V> {

    private final ConcurrentHashMap<Object, V> map = new ConcurrentHashMap<Object, V>();
    private final ReferenceQueue<K> queue = new ReferenceQueue<K>();
    private final ThreadLocal<Probe> probes = new ThreadLocal<Probe>() {
        @Override
        protected Probe initialValue() {
            return new Probe();
        }
    };

    public V get(K key) {
        Probe probe = probe(key);
        try {
            return map.get(probe);
        } finally {
            probe.referent = null;
        }
    }

    /** Associates {@code value} with {@code key} unless a value is there already; returns the winner. */
    public V putIfAbsent(K key, V value) {
        return putIfAbsent(newKey(key), value);
    }

    /**
     * A key for {@code referent}, to be put with {@link #putIfAbsent(Key, Object)}. It is a weak reference to the
     * referent, which the value may keep as its own instead of making another (one object less per entry).
     */
    public Key<K, V> newKey(K referent) {
        return new Key<K, V>(referent, queue);
    }

    /**
     * Associates {@code value} with {@code key}'s referent unless a value is there already; returns the winner.
     * A losing key is cleared (its referent reads null from then on) and never appears on {@link #collected()}.
     */
    public V putIfAbsent(Key<K, V> key, V value) {
        key.value = value; // published to readers of the map by the put itself
        V existing = map.putIfAbsent(key, value);
        if (existing != null) {
            key.clear();
            return existing;
        }
        return value;
    }

    public V remove(K key) {
        Probe probe = probe(key);
        try {
            return map.remove(probe);
        } finally {
            probe.referent = null;
        }
    }

    /** This thread's probe, standing in for {@code key}; the caller clears it after use. */
    private Probe probe(K key) {
        Probe probe = probes.get();
        probe.referent = key;
        probe.hash = System.identityHashCode(key);
        return probe;
    }

    /** The queue on which the keys of collected objects appear; call {@link #expunge} with each. */
    public ReferenceQueue<K> collected() {
        return queue;
    }

    /** Removes the entry of a collected key and returns its value, or null if it was removed already. */
    @SuppressWarnings("unchecked")
    public V expunge(Object reference) {
        Key<K, V> key = (Key<K, V>) reference;
        return map.remove(key) != null ? key.value : null;
    }

    public int size() {
        return map.size();
    }

    /** A stored key: weak, hashed by the identity of its referent, and carrying its value for cleanup. */
    public static final class Key<K, V> extends WeakReference<K> {
        private final int hash;
        /** Set once, before the key is put in the map. */
        V value;

        Key(K referent, ReferenceQueue<K> queue) {
            super(referent, queue);
            this.hash = System.identityHashCode(referent);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            if (other == this) {
                return true;
            }
            if (other instanceof Probe) {
                Object referent = get();
                return referent != null && referent == ((Probe) other).referent;
            }
            // Two distinct keys are equal only while both still name the same live object.
            if (other instanceof Key) {
                Object referent = get();
                return referent != null && referent == ((Key<?, ?>) other).get();
            }
            return false;
        }
    }

    /** A reusable stand-in for a key during lookups. */
    private static final class Probe {
        Object referent;
        int hash;

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key && ((Key<?, ?>) other).get() == referent && referent != null;
        }
    }
}
