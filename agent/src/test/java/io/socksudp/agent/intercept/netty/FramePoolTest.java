package io.socksudp.agent.intercept.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The frame pool on Netty 4.2's own pooled buffers and packets, with Netty's side played as its outbound buffer does
 * it: a packet handed out is Netty's until it releases it ({@code ChannelOutboundBuffer.remove} or its close).
 */
class FramePoolTest {

    private final InetSocketAddress relay = new InetSocketAddress("127.0.0.1", 40000);
    private final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
    private NettyApi api;
    private FramePool pool;

    @BeforeEach
    void setUp() throws ReflectiveOperationException {
        api = NettyApi.of(DatagramPacket.class, "channel.socket.DatagramPacket");
        pool = new FramePool();
    }

    private DatagramPacket take(InetSocketAddress to, int length) throws Throwable {
        return (DatagramPacket) pool.take(api, allocator, to, length);
    }

    @Test
    void aPacketNettyReleasedIsHandedOutAgainEmpty() throws Throwable {
        DatagramPacket first = take(relay, 74);
        assertSame(relay, first.recipient());
        assertEquals(2, first.content().refCnt(), "the pool's reference and Netty's");
        assertTrue(first.content().capacity() >= 74);
        first.content().writeBytes(new byte[74]);
        first.release(); // sent: Netty releases it
        DatagramPacket again = take(relay, 74);
        assertSame(first, again);
        assertEquals(0, again.content().readableBytes(), "cleared");
        assertEquals(2, again.content().refCnt());
        again.release();
        pool.release(api);
        assertEquals(0, first.content().refCnt(), "the pool's reference dropped: the buffer is back in its pool");
    }

    @Test
    void packetsStillNettysAreNeverHandedOutAndTheOldestIsReusedFirst() throws Throwable {
        DatagramPacket a = take(relay, 100);
        DatagramPacket b = take(relay, 100);
        DatagramPacket c = take(relay, 100);
        assertNotSame(a, b);
        assertNotSame(b, c);
        a.release();
        b.release();
        assertSame(a, take(relay, 100), "the oldest first");
        assertSame(b, take(relay, 100));
        DatagramPacket d = take(relay, 100); // c is still in flight: a new one
        assertNotSame(c, d);
        for (DatagramPacket p : new DatagramPacket[] {a, b, c, d}) {
            p.release();
        }
        assertSame(c, take(relay, 100), "the order of use is kept across growth");
        c.release();
        pool.release(api);
        for (DatagramPacket p : new DatagramPacket[] {a, b, c, d}) {
            assertEquals(0, p.content().refCnt());
        }
    }

    @Test
    void aNewRelayOrALongerFrameMakesTheEntryAnew() throws Throwable {
        DatagramPacket first = take(relay, 100);
        first.release();
        InetSocketAddress other = new InetSocketAddress("127.0.0.1", 40001);
        DatagramPacket moved = take(other, 100);
        assertNotSame(first, moved);
        assertSame(other, moved.recipient(), "a packet's recipient is final: a new one for the new relay");
        assertEquals(0, first.content().refCnt(), "the old entry's buffer freed");
        moved.release();
        DatagramPacket longer = take(other, 1500);
        assertNotSame(moved, longer);
        assertTrue(longer.content().capacity() >= 1500);
        assertEquals(0, moved.content().refCnt());
        longer.release();
        pool.release(api);
    }

    @Test
    void longFramesAndMoreThanMaxFramesInFlightAreNotPooled() throws Throwable {
        assertNull(take(relay, FramePool.MAX_POOLED_FRAME + 1), "a long frame is a one-off");
        List<DatagramPacket> inFlight = new ArrayList<DatagramPacket>();
        for (int i = 0; i < FramePool.MAX_FRAMES; i++) {
            DatagramPacket p = take(relay, FramePool.MAX_POOLED_FRAME);
            assertNotNull(p, "entry " + i);
            assertTrue(p.content().capacity() <= FramePool.MAX_POOLED_FRAME, "capacity bounded");
            inFlight.add(p);
        }
        assertNull(take(relay, 64), "every entry in flight: a one-off");
        pool.release(api); // the channel closes with all of them in Netty's buffer
        for (DatagramPacket p : inFlight) {
            assertEquals(1, p.content().refCnt(), "Netty's reference remains until it releases them");
            p.release();
            assertEquals(0, p.content().refCnt());
        }
    }

    @Test
    void anUntakenPacketIsFreeAgain() throws Throwable {
        DatagramPacket p = take(relay, 64);
        FramePool.untaken(api, p);
        assertEquals(1, p.content().refCnt());
        assertSame(p, take(relay, 64));
        p.release();
        pool.release(api);
        assertFalse(p.content().refCnt() > 0);
    }

    @Test
    void framesAreDirectBuffersOfTheAllocator() throws Throwable {
        DatagramPacket p = take(relay, 64);
        ByteBuf content = p.content();
        assertTrue(content.isDirect());
        p.release();
        pool.release(api);
    }
}
