package io.socksudp.agent.intercept;

import io.socksudp.agent.config.HostMatcher;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoutingTest {

    private final Routing proxyEverything = new Routing(HostMatcher.none());

    private static InetSocketAddress at(String literal) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(literal), 9999);
    }

    @Test
    void unicastDestinationsGoThroughTheProxyWhenNothingIsBypassed() throws Exception {
        assertFalse(proxyEverything.isDirect(at("198.51.100.7")));
        assertFalse(proxyEverything.isDirect(at("127.0.0.1")));
        assertFalse(proxyEverything.isDirect(at("2001:db8::1")));
    }

    @Test
    void multicastAndLimitedBroadcastAlwaysGoDirect() throws Exception {
        assertTrue(proxyEverything.isDirect(at("224.0.0.251")));
        assertTrue(proxyEverything.isDirect(at("239.1.2.3")));
        assertTrue(proxyEverything.isDirect(at("ff02::fb")));
        assertTrue(proxyEverything.isDirect(at("255.255.255.255")));
    }

    @Test
    void theBroadcastAddressOfEachLocalSubnetGoesDirect() throws Exception {
        List<InetAddress> broadcasts = new ArrayList<InetAddress>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InterfaceAddress a : nif.getInterfaceAddresses()) {
                if (a.getBroadcast() != null) {
                    broadcasts.add(a.getBroadcast());
                }
            }
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(broadcasts.isEmpty(),
                "SKIPPED LOUDLY: this host has no IPv4 interface with a broadcast address");
        for (InetAddress b : broadcasts) {
            assertTrue(proxyEverything.isDirect(new InetSocketAddress(b, 9999)), b + " should go direct");
        }
    }

    @Test
    void theBypassListDecidesForUnicast() throws Exception {
        Routing loopbackBypassed = new Routing(HostMatcher.defaultLoopback());
        assertTrue(loopbackBypassed.isDirect(at("127.0.0.1")));
        assertTrue(loopbackBypassed.acceptsDirectFrom(at("127.0.0.1")));
        assertFalse(loopbackBypassed.isDirect(at("198.51.100.7")));
        assertFalse(loopbackBypassed.acceptsDirectFrom(at("198.51.100.7")));
    }
}
