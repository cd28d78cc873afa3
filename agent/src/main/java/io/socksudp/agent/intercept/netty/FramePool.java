package io.socksudp.agent.intercept.netty;

import java.net.InetSocketAddress;

/**
 * One channel's framed datagrams, reused: the packet addressed to the relay that a write becomes ({@code
 * NettyTunnels.frame}) and its buffer, from the channel's allocator, are kept and handed out again once Netty is done
 * with them, so a steady stream of writes allocates nothing beyond Netty's own (Netty's envelope is immutable, so a
 * new frame would otherwise be a new {@code DatagramPacket} per datagram).
 *
 * <p>The pool holds one reference to each buffer and Netty the other while the packet is in its outbound buffer:
 * when Netty has sent, failed or discarded it, it releases it ({@code ChannelOutboundBuffer.remove}, its close), and a
 * reference count of 1 says the entry is free. Writes leave in order, so only the oldest entry is looked at; while it
 * is still Netty's, a new entry is made (up to {@link #MAX_FRAMES}, then a one-off packet, as before the pool). An
 * entry is made anew when the relay changed (the packet's recipient is final) or its buffer is too small; frames
 * longer than {@link #MAX_POOLED_FRAME} are never pooled, so a channel keeps at most {@code MAX_FRAMES *
 * MAX_POOLED_FRAME} bytes of its allocator's memory, and only as many entries as it had writes in flight at once.
 * Released when the channel closes ({@link #release}). Event loop only.
 */
final class FramePool {

    /** The most entries a channel keeps: a flush of more writes than this makes one-off packets for the rest. */
    static final int MAX_FRAMES = 64;
    /** The longest frame (SOCKS header and payload) pooled; the buffer's capacity is the frame's, rounded up to 256. */
    static final int MAX_POOLED_FRAME = 2048;

    private Object[] packets = new Object[4];
    private Object[] buffers = new Object[4];
    private int size;
    /** The entry reused or made longest ago: the first Netty releases. */
    private int oldest;

    /**
     * A packet addressed to {@code relay} whose content is empty, holds at least {@code length} bytes and carries one
     * reference for Netty; null when none can be pooled (too long, or {@link #MAX_FRAMES} in flight).
     */
    Object take(NettyApi api, Object allocator, InetSocketAddress relay, int length) throws Throwable {
        if (length > MAX_POOLED_FRAME) {
            return null;
        }
        if (size > 0) {
            int i = oldest;
            Object buffer = buffers[i];
            if ((int) api.refCnt.invokeExact(buffer) == 1) { // Netty is done with it
                Object packet = packets[i];
                if ((Object) api.recipient.invokeExact(packet) == relay
                        && (int) api.capacity.invokeExact(buffer) >= length) {
                    oldest = i + 1 == size ? 0 : i + 1; // it is the newest now
                    Object ignored = (Object) api.clear.invokeExact(buffer);
                    ignored = (Object) api.retain.invokeExact(buffer);
                    return packet;
                }
                release(api, buffer); // for another relay, or too small: made anew, as the newest
                remove(i);
                return take(api, allocator, relay, length);
            }
        }
        if (size == MAX_FRAMES) {
            return null;
        }
        if (size == packets.length) {
            packets = java.util.Arrays.copyOf(packets, size * 2);
            buffers = java.util.Arrays.copyOf(buffers, size * 2);
        }
        // The new entry goes just before the oldest, as the newest: the ones from the oldest on move up one.
        int at = oldest;
        System.arraycopy(packets, at, packets, at + 1, size - at);
        System.arraycopy(buffers, at, buffers, at + 1, size - at);
        packets[at] = null;
        buffers[at] = null;
        size++;
        oldest = at + 1 == size ? 0 : at + 1;
        try {
            return make(api, allocator, relay, length, at);
        } catch (Throwable e) { // could not allocate: leave no hole
            remove(at);
            throw e;
        }
    }

    /** A new entry at {@code at}: its buffer with two references (the pool's, Netty's), and its packet. */
    private Object make(NettyApi api, Object allocator, InetSocketAddress relay, int length, int at) throws Throwable {
        int capacity = Math.max(256, Integer.highestOneBit(length - 1) << 1);
        Object buffer = (Object) api.directBuffer.invokeExact(allocator, Math.min(capacity, MAX_POOLED_FRAME));
        Object packet;
        try {
            packet = (Object) api.newPacket.invokeExact(buffer, (Object) relay);
        } catch (Throwable e) {
            release(api, buffer);
            throw e;
        }
        Object ignored = (Object) api.retain.invokeExact(buffer);
        packets[at] = packet;
        buffers[at] = buffer;
        return packet;
    }

    private void remove(int i) {
        System.arraycopy(packets, i + 1, packets, i, size - i - 1);
        System.arraycopy(buffers, i + 1, buffers, i, size - i - 1);
        size--;
        packets[size] = null;
        buffers[size] = null;
        oldest = i == size ? 0 : i;
    }

    /**
     * Gives a packet {@link #take} handed out back unused (its frame could not be written): Netty never had it, so its
     * reference is dropped and the entry is free again.
     */
    static void untaken(NettyApi api, Object packet) throws Throwable {
        boolean released = (boolean) api.release.invokeExact(packet);
    }

    /** Drops the pool's references (the channel is closing): Netty's, on what it still holds, free the rest later. */
    void release(NettyApi api) {
        for (int i = 0; i < size; i++) {
            release(api, buffers[i]);
            packets[i] = null;
            buffers[i] = null;
        }
        size = 0;
        oldest = 0;
    }

    private static void release(NettyApi api, Object buffer) {
        try {
            boolean released = (boolean) api.release.invokeExact(buffer);
        } catch (Throwable e) {
            // released already: nothing leaks
        }
    }
}
