package io.socksudp.agent.intercept;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadBuffersTest {

    @Test
    void aThreadReusesItsBuffersAndAnotherThreadHasItsOwn() throws InterruptedException {
        ThreadBuffers mine = ThreadBuffers.get();
        assertSame(mine, ThreadBuffers.get());
        ByteBuffer receive = mine.clearedReceive();
        assertTrue(receive.isDirect());
        assertEquals(RelayedDatagrams.RECEIVE_CAPACITY, receive.capacity(), "room for any datagram");
        assertSame(receive, mine.receive());
        ByteBuffer send = mine.send(100);
        assertSame(send, mine.send(2000));
        assertTrue(mine.isSendBuffer(send));
        assertSame(mine.receivePacket(), mine.receivePacket());

        final AtomicReference<ThreadBuffers> theirs = new AtomicReference<ThreadBuffers>();
        Thread other = new Thread(new Runnable() {
            @Override
            public void run() {
                theirs.set(ThreadBuffers.get());
                theirs.get().send(10);
            }
        });
        other.start();
        other.join();
        assertNotSame(mine, theirs.get());
        assertFalse(mine.isSendBuffer(theirs.get().send(10)), "a frame made on another thread is not ours");
    }

    @Test
    void theFrameBufferGrowsForALargeDatagramAndIsCleared() {
        ThreadBuffers buffers = ThreadBuffers.get();
        ByteBuffer small = buffers.send(16);
        small.put(new byte[16]);
        ByteBuffer large = buffers.send(65507 + 22);
        assertTrue(large.capacity() >= 65507 + 22);
        assertEquals(0, large.position());
        assertSame(large, buffers.send(10), "kept at its new size");
        assertEquals(large.capacity(), large.remaining());
    }
}
