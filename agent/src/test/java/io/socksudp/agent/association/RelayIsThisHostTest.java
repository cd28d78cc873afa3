package io.socksudp.agent.association;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.util.Collections;

import org.junit.jupiter.api.Test;

/**
 * When a relay address is the socket itself, for the refusal of a BND that names it (a loop: HostileSuiteIT's
 * relay-is-the-client), and which addresses are this host's own.
 */
class RelayIsThisHostTest {

    @Test
    void loopback_and_wildcard_are_this_host() {
        assertTrue(ProxyClient.isThisHost(address("127.0.0.1")));
        assertTrue(ProxyClient.isThisHost(address("127.9.8.7")));
        assertTrue(ProxyClient.isThisHost(address("::1")));
        assertTrue(ProxyClient.isThisHost(address("0.0.0.0")));
    }

    @Test
    void an_interface_address_is_this_host() throws Exception {
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                assertTrue(ProxyClient.isThisHost(a), a + " of " + nif.getName());
            }
        }
    }

    @Test
    void a_documentation_address_is_not() {
        assertFalse(ProxyClient.isThisHost(address("192.0.2.1"))); // TEST-NET-1, RFC 5737: on no interface here
        assertFalse(ProxyClient.isThisHost(address("2001:db8::1")));
    }

    @Test
    void a_wildcard_socket_is_reached_at_any_address_of_this_host_on_its_port() {
        InetSocketAddress local = new InetSocketAddress(address("0.0.0.0"), 5000);
        assertTrue(ProxyClient.isTheSocketItself(new InetSocketAddress(address("127.0.0.1"), 5000), local));
        assertFalse(ProxyClient.isTheSocketItself(new InetSocketAddress(address("127.0.0.1"), 5001), local));
        assertFalse(ProxyClient.isTheSocketItself(new InetSocketAddress(address("192.0.2.1"), 5000), local));
    }

    @Test
    void a_socket_bound_to_one_address_is_reached_only_there() {
        InetSocketAddress local = new InetSocketAddress(address("127.0.0.1"), 5000);
        assertTrue(ProxyClient.isTheSocketItself(new InetSocketAddress(address("127.0.0.1"), 5000), local));
        // a relay on this host at another address with the same port number is another socket
        assertFalse(ProxyClient.isTheSocketItself(new InetSocketAddress(address("127.0.0.2"), 5000), local));
        assertFalse(ProxyClient.isTheSocketItself(new InetSocketAddress(address("127.0.0.1"), 5000), null));
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
