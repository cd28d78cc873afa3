package io.socksudp.agent.intercept;

import java.net.DatagramPacket;
import java.nio.ByteBuffer;

/**
 * The buffers a datagram is framed into and received into, one set per thread instead of one per socket: a
 * buffer is in use only from a hook's entry to its exit, on one thread (the JDK's send or receive in between
 * calls back into nothing that sends or receives on another socket), so sockets used one after the other by a
 * thread can share it. This is what the JDK does for its own temporary direct buffers (sun.nio.ch.Util), and it
 * keeps the agent's memory per socket small: a receive buffer must hold any datagram (64 KiB), which per socket
 * would cost 10,000 sockets 640 MiB of native memory (a channel) or heap (a legacy socket). A virtual thread has
 * its own set (a plain ThreadLocal, not its carrier's): it may be unmounted inside a blocking receive.
 *
 * <p>Each getter allocates only on a thread's first use (or when a send needs a bigger frame buffer); the
 * per-datagram path looks up the thread's set and allocates nothing.
 */
final class ThreadBuffers {

    private static final ThreadLocal<ThreadBuffers> BUFFERS = new ThreadLocal<ThreadBuffers>() {
        @Override
        protected ThreadBuffers initialValue() {
            return new ThreadBuffers();
        }
    };

    /** A channel's framed datagram on its way to the relay (direct, as the JDK would copy a heap one). */
    private ByteBuffer send;
    /** Where a channel receives what the relay sends: room for any datagram. */
    private ByteBuffer receive;
    /** A channel's scattering read: the datagram, before it is spread over the caller's buffers. */
    private ByteBuffer scatter;
    /** A channel's gathering write, as one framed buffer. */
    private final ByteBuffer[] gathered = new ByteBuffer[1];
    /** A legacy socket's framed datagram. */
    private byte[] packetSend;
    /** The packet the thread's latest legacy send was framed in (its socket's slot's, or a fresh slot's). */
    private DatagramPacket framedPacket;
    /** A legacy socket's receive: the packet, its array and a view of the array for the header's parsing. */
    private DatagramPacket receivePacket;
    private ByteBuffer receiveView;

    private ThreadBuffers() {
    }

    static ThreadBuffers get() {
        return BUFFERS.get();
    }

    /** The thread's frame buffer, cleared, with room for {@code needed} bytes. */
    ByteBuffer send(int needed) {
        ByteBuffer b = send;
        if (b == null || b.capacity() < needed) {
            int capacity = Math.max(needed, b == null ? 2048
                    : Math.min(2 * b.capacity(), RelayedDatagrams.RECEIVE_CAPACITY + 512));
            b = ByteBuffer.allocateDirect(Math.max(capacity, needed));
            send = b;
        }
        b.clear();
        return b;
    }

    /** True when {@code src} is this thread's frame buffer: a datagram framed already (JDK 8's send calls write). */
    boolean isSendBuffer(ByteBuffer src) {
        return src != null && src == send;
    }

    /** The single-element array a gathering write's framed buffer is handed to the JDK in. */
    ByteBuffer[] gathered(ByteBuffer framed) {
        gathered[0] = framed;
        return gathered;
    }

    /** The thread's receive buffer for a channel (not cleared: see {@link #clearedReceive}). */
    ByteBuffer receive() {
        ByteBuffer b = receive;
        if (b == null) {
            b = ByteBuffer.allocateDirect(RelayedDatagrams.RECEIVE_CAPACITY);
            receive = b;
        }
        return b;
    }

    ByteBuffer clearedReceive() {
        ByteBuffer b = receive();
        b.clear();
        return b;
    }

    /** The thread's heap buffer for a channel's scattering read, cleared. */
    ByteBuffer scatter() {
        ByteBuffer b = scatter;
        if (b == null) {
            b = ByteBuffer.allocate(RelayedDatagrams.RECEIVE_CAPACITY);
            scatter = b;
        }
        b.clear();
        return b;
    }

    /** The thread's array for a legacy socket's framed datagram, of at least {@code needed} bytes. */
    byte[] packetSend(int needed) {
        byte[] b = packetSend;
        if (b == null || b.length < needed) {
            b = new byte[Math.max(needed, b == null ? 2048
                    : Math.min(2 * b.length, RelayedDatagrams.RECEIVE_CAPACITY + 512))];
            packetSend = b;
        }
        return b;
    }

    /** Leaves the packet a legacy send was just framed in, for {@link #takeFramedPacket()}. */
    void framedPacket(DatagramPacket framed) {
        framedPacket = framed;
    }

    /** The packet left by {@link #framedPacket(DatagramPacket)}; forgotten, so a fresh slot's is not kept alive. */
    DatagramPacket takeFramedPacket() {
        DatagramPacket framed = framedPacket;
        framedPacket = null;
        return framed;
    }

    /** The thread's packet for a legacy socket's receive: room for any datagram. */
    DatagramPacket receivePacket() {
        DatagramPacket p = receivePacket;
        if (p == null) {
            byte[] buffer = new byte[RelayedDatagrams.RECEIVE_CAPACITY];
            p = new DatagramPacket(buffer, buffer.length);
            receiveView = ByteBuffer.wrap(buffer);
            receivePacket = p;
        }
        return p;
    }

    /** A view of {@link #receivePacket()}'s array. */
    ByteBuffer receiveView() {
        return receiveView;
    }
}
