package io.socksudp.agent.intercept;

import io.socksudp.agent.config.HostMatcher;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Decides which destinations go direct rather than through the relay: multicast and broadcast always (a
 * SOCKS5 relay cannot carry them), and whatever the bypass list matches (loopback by default).
 */
public final class Routing {

    private static final int LIMITED_BROADCAST = 0xFFFFFFFF;

    private final HostMatcher bypass;

    public Routing(HostMatcher bypass) {
        this.bypass = bypass;
    }

    /** True when a datagram to {@code destination} must not go through the proxy. */
    public boolean isDirect(InetSocketAddress destination) {
        InetAddress address = destination.getAddress();
        if (address != null && (address.isMulticastAddress() || isLimitedBroadcast(address))) {
            return true;
        }
        return bypass.matches(destination);
    }

    /** True when a datagram from {@code source} that did not come through the relay may be delivered. */
    public boolean acceptsDirectFrom(InetSocketAddress source) {
        return bypass.matches(source);
    }

    private static boolean isLimitedBroadcast(InetAddress address) {
        // Inet4Address.hashCode() is the address as an int: no allocation, unlike getAddress().
        return address instanceof Inet4Address && address.hashCode() == LIMITED_BROADCAST;
    }
}
