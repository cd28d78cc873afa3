package io.socksudp.agent.dns.jdk;

import io.socksudp.agent.dns.AddressOrder;
import io.socksudp.agent.dns.ProxiedResolver;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * JDK 18+: the JDK's resolver interface over {@link ProxiedResolver}. The JDK says in each look-up which families it
 * wants and in which order ({@code LookupPolicy}, from {@code java.net.preferIPv4Stack} and
 * {@code java.net.preferIPv6Addresses}); names the agent leaves to the system go to the JDK's built-in resolver.
 */
final class Jdk18Resolver implements InetAddressResolver {

    private final ProxiedResolver proxied;
    private final InetAddressResolver builtin;

    private Jdk18Resolver(ProxiedResolver proxied, InetAddressResolver builtin) {
        this.proxied = proxied;
        this.builtin = builtin;
    }

    static InetAddressResolver create(Object proxied, InetAddressResolver builtin) {
        return new Jdk18Resolver((ProxiedResolver) proxied, builtin);
    }

    @Override
    public Stream<InetAddress> lookupByName(String host, LookupPolicy lookupPolicy) throws UnknownHostException {
        InetAddress[] found = proxied.lookup(host, AddressOrder.fromCharacteristics(lookupPolicy.characteristics()));
        return found == null ? builtin.lookupByName(host, lookupPolicy) : Arrays.stream(found);
    }

    @Override
    public String lookupByAddress(byte[] addr) throws UnknownHostException {
        String name = proxied.reverse(addr);
        return name == null ? builtin.lookupByAddress(addr) : name;
    }

    @Override
    public String toString() {
        return "socksudp resolver over " + proxied + " (built-in: " + builtin + ")";
    }
}
