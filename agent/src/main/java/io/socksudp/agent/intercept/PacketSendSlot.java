package io.socksudp.agent.intercept;

import java.net.DatagramPacket;
import java.net.InetAddress;

/**
 * A legacy socket's reusable send state: the framed packet (framed in the sending thread's array, see
 * {@link ThreadBuffers}) and the last destination's routing decision and header. The JDK takes no send lock on a
 * legacy socket (DatagramSocket.send synchronizes on the packet only), so a sender claims the tunnel's slot for the
 * duration of one send; a concurrent sender finds it taken and uses a fresh one (allocation only under contention).
 */
final class PacketSendSlot {

    final DatagramPacket packet = new DatagramPacket(new byte[0], 0);

    InetAddress lastAddress;
    int lastPort = -1;
    boolean lastDirect;
    byte[] lastHeader;
    /** The payload length of the datagram framed in {@link #packet}, for the counters once it is sent. */
    int payloadLength;

    /** True when the cached decision is for {@code address}:{@code port}; by value, without allocating. */
    boolean isFor(InetAddress address, int port) {
        return port == lastPort && lastAddress != null
                && (address == lastAddress || address.equals(lastAddress));
    }
}
