package io.socksudp.agent.intercept;

import io.socksudp.agent.config.HostMatcher;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;

/**
 * Decides which destinations go direct rather than through the relay: multicast and broadcast (limited and
 * directed to one of this host's subnets) always, as a SOCKS5 relay cannot carry them, and whatever the bypass
 * list matches (loopback by default).
 */
public final class Routing {

    private static final int LIMITED_BROADCAST = 0xFFFFFFFF;
    /** Interfaces come and go (VPNs, DHCP): the directed-broadcast addresses are re-read this often. */
    private static final long INTERFACES_TTL_NANOS = 10_000_000_000L;

    /** For the agent's own sockets (the associate=auto check): nothing of theirs goes through the relay. */
    static final Routing EVERYTHING_DIRECT = new Routing(null);

    /** Null for {@link #EVERYTHING_DIRECT}. */
    private final HostMatcher bypass;
    private volatile Set<InetAddress> directedBroadcast = Collections.emptySet();
    private volatile long directedBroadcastReadAt = System.nanoTime() - 2 * INTERFACES_TTL_NANOS;

    public Routing(HostMatcher bypass) {
        this.bypass = bypass;
    }

    /** True when a datagram to {@code destination} must not go through the proxy. */
    public boolean isDirect(InetSocketAddress destination) {
        if (bypass == null) {
            return true;
        }
        InetAddress address = destination.getAddress();
        if (address != null && (address.isMulticastAddress() || isLimitedBroadcast(address)
                || directedBroadcast().contains(address))) {
            return true;
        }
        return bypass.matches(destination);
    }

    /** True when a datagram from {@code source} that did not come through the relay may be delivered. */
    public boolean acceptsDirectFrom(InetSocketAddress source) {
        return bypass == null || bypass.matches(source);
    }

    /**
     * The broadcast addresses of this host's IPv4 subnets (e.g. 192.168.1.255). Only asked on a socket's first
     * datagram to a destination (tunnels cache the decision per destination), so re-reading is affordable.
     */
    private Set<InetAddress> directedBroadcast() {
        if (System.nanoTime() - directedBroadcastReadAt > INTERFACES_TTL_NANOS) {
            Set<InetAddress> found = new HashSet<InetAddress>();
            try {
                Enumeration<NetworkInterface> interfaces = NetworkInterface.getNetworkInterfaces();
                while (interfaces != null && interfaces.hasMoreElements()) {
                    for (InterfaceAddress a : interfaces.nextElement().getInterfaceAddresses()) {
                        if (a.getBroadcast() != null) {
                            found.add(a.getBroadcast());
                        }
                    }
                }
            } catch (SocketException e) {
                found = directedBroadcast; // keep what we knew
            }
            directedBroadcast = found;
            directedBroadcastReadAt = System.nanoTime();
        }
        return directedBroadcast;
    }

    private static boolean isLimitedBroadcast(InetAddress address) {
        // Inet4Address.hashCode() is the address as an int: no allocation, unlike getAddress().
        return address instanceof Inet4Address && address.hashCode() == LIMITED_BROADCAST;
    }
}
