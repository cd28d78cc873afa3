package io.socksudp.agent.bootstrap;

import java.io.IOException;
import java.net.DatagramPacket;

/**
 * The tunnel as the advice in the legacy {@code java.net.AbstractPlainDatagramSocketImpl} sees it (JDK 8, 11;
 * 17 with -Djdk.net.usePlainDatagramSocketImpl): DatagramPackets in and out.
 */
public abstract class PacketTunnel extends UdpTunnel {

    /** What becomes of one send on a legacy socket: the outcome of {@link #frame}. */
    public enum Send {
        /** {@code packet} goes out as it is: a bypassed destination, or one the JDK will refuse as usual. */
        DIRECT,
        /** Framed for the relay: the JDK sends {@link #framedPacket()} instead, handed back to {@link #packetSent}. */
        FRAMED,
        /**
         * The tunnel discards it (no association could be had, onUnavailable=drop): the JDK's send is skipped and the
         * datagram counts as sent, as one lost on the way would be.
         */
        DISCARDED
    }

    /**
     * Decides a send of {@code packet} on the legacy socket {@code impl} and, when it goes through the relay, frames
     * it (waiting for the association if it is being set up).
     */
    public abstract Send frame(Object impl, DatagramPacket packet) throws IOException;

    /**
     * The packet the calling thread's last {@link #frame} framed ({@link Send#FRAMED}), addressed to the relay: the
     * caller sends it instead of its own and must hand it back to {@link #packetSent}.
     */
    public abstract DatagramPacket framedPacket();

    /**
     * The JDK sent {@code framed}, the packet a send went out with ({@link #framedPacket()}, or the caller's own when
     * it went {@link Send#DIRECT}), or failed with {@code thrown} (else null); releases a framed packet for reuse. True when
     * {@code thrown} was the relay's failure and must not reach the application (see {@link #relayFailed}).
     */
    public abstract boolean packetSent(DatagramPacket framed, Throwable thrown);

    /** The packet to receive into instead of the caller's: room for any datagram. */
    public abstract DatagramPacket receivePacket();

    /**
     * Vets what the JDK just received into {@link #receivePacket()}; when it is to be delivered, copies the
     * payload into {@code caller} as the JDK would (sender, length, truncation) and returns true; false when it
     * was dropped and the receive must wait for the next datagram.
     */
    public abstract boolean receivedPacket(Object impl, DatagramPacket caller) throws IOException;

    /** The legacy socket joined a multicast group: from now on group traffic arrives directly. */
    public abstract void joinedGroup();
}
