package io.socksudp.agent.intercept;

import org.junit.jupiter.api.Test;

import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class WeakIdentityMapTest {

    /** Equal by value, distinct by identity: the map must tell two such keys apart. */
    private static final class Twin {
        @Override
        public boolean equals(Object o) {
            return o instanceof Twin;
        }

        @Override
        public int hashCode() {
            return 42;
        }
    }

    @Test
    void keysAreComparedByIdentityNotEquals() {
        WeakIdentityMap<Object, String> map = new WeakIdentityMap<Object, String>();
        Twin a = new Twin();
        Twin b = new Twin();
        map.putIfAbsent(a, "a");
        map.putIfAbsent(b, "b");
        assertEquals("a", map.get(a));
        assertEquals("b", map.get(b));
        assertEquals(2, map.size());
    }

    @Test
    void putIfAbsentKeepsTheFirstValue() {
        WeakIdentityMap<Object, String> map = new WeakIdentityMap<Object, String>();
        Object key = new Object();
        assertEquals("first", map.putIfAbsent(key, "first"));
        assertEquals("first", map.putIfAbsent(key, "second"));
        assertEquals("first", map.get(key));
    }

    @Test
    void removeReturnsTheValueAndForgetsTheKey() {
        WeakIdentityMap<Object, String> map = new WeakIdentityMap<Object, String>();
        Object key = new Object();
        map.putIfAbsent(key, "v");
        assertEquals("v", map.remove(key));
        assertNull(map.get(key));
        assertNull(map.remove(key));
        assertEquals(0, map.size());
    }

    @Test
    void aCollectedKeyIsQueuedWithItsValueForCleanup() throws InterruptedException {
        WeakIdentityMap<Object, String> map = new WeakIdentityMap<Object, String>();
        map.putIfAbsent(new Object(), "orphan");
        Object kept = new Object();
        map.putIfAbsent(kept, "kept");

        Reference<?> queued = null;
        List<byte[]> pressure = new ArrayList<byte[]>();
        for (int i = 0; i < 50 && queued == null; i++) {
            System.gc();
            pressure.add(new byte[1 << 20]);
            queued = map.collected().remove(100);
        }
        assertNotNull(queued, "the unreachable key was never collected");
        assertEquals("orphan", map.expunge(queued));
        assertNull(map.expunge(queued), "a key is expunged once");
        assertEquals(1, map.size());
        assertSame("kept", map.get(kept));
    }

    @Test
    void aKeyMadeFirstIsTheEntrysWeakReferenceAndALosingKeyIsCleared() {
        WeakIdentityMap<Object, String> map = new WeakIdentityMap<Object, String>();
        Object socket = new Object();
        WeakIdentityMap.Key<Object, String> winner = map.newKey(socket);
        assertSame(socket, winner.get());
        assertEquals("first", map.putIfAbsent(winner, "first"));
        WeakIdentityMap.Key<Object, String> loser = map.newKey(socket);
        assertEquals("first", map.putIfAbsent(loser, "second"));
        assertNull(loser.get(), "the losing key no longer names the object, so its value cannot act for it");
        assertSame(socket, winner.get());
        assertEquals("first", map.get(socket));
        assertEquals(1, map.size());
        assertEquals("first", map.expunge(winner), "the key carries its value for cleanup");
    }
}
