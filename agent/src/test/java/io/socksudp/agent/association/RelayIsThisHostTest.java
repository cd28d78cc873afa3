package io.socksudp.agent.association;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.util.Collections;

import org.junit.jupiter.api.Test;

/**
 * Which relay addresses are this host's own, for the refusal of a BND that names the socket itself (a loop:
 * HostileSuiteIT's relay-is-the-client). The socket's port must match too; that part is ProxyClient.open's.
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

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
