package io.socksudp.agent.bootstrap;

import java.io.IOException;
import java.net.DatagramPacket;

/**
 * The tunnel as the advice in the legacy {@code java.net.AbstractPlainDatagramSocketImpl} sees it (JDK 8, 11;
 * 17 with -Djdk.net.usePlainDatagramSocketImpl): DatagramPackets in and out.
 */
public abstract class PacketTunnel extends UdpTunnel {

    /**
     * For a send of {@code packet} on the legacy socket {@code impl}: {@code packet} itself when it goes direct,
     * null when the tunnel discards it (onUnavailable=drop), else a framed packet addressed to the relay that
     * the caller sends instead and must hand back to {@link #packetSent}.
     */
    public abstract DatagramPacket framePacket(Object impl, DatagramPacket packet) throws IOException;

    /**
     * The JDK sent {@code framed} (or failed with {@code thrown}, else null); releases it for reuse. True when
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
