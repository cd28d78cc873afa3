package io.socksudp.agent.association;

import io.socksudp.agent.config.AssociateMode;
import io.socksudp.agent.socks.SocksAddress;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** DST.ADDR and DST.PORT of the UDP ASSOCIATE request in each form (issue 17: full named the wildcard). */
class AssociateRequestTest {

    private static final InetAddress CONTROL_LOCAL = address("192.0.2.7");

    @Test
    void zero_names_nothing() {
        assertEquals(SocksAddress.zeroIpv4(), ProxyClient.request(AssociateMode.ZERO,
                new InetSocketAddress(address("::"), 4000), CONTROL_LOCAL));
    }

    @Test
    void port_names_the_zero_address_and_the_sockets_port() {
        assertEquals("0.0.0.0:4000", ProxyClient.request(AssociateMode.PORT,
                new InetSocketAddress(address("::"), 4000), CONTROL_LOCAL).toString());
    }

    @Test
    void full_for_a_dual_stack_wildcard_socket_names_the_control_connections_ipv4_address() {
        // The JVM's default socket is bound to [::]: hpsockd answers REP 8 to that, and it says nothing anyway.
        assertEquals("192.0.2.7:4000", ProxyClient.request(AssociateMode.FULL,
                new InetSocketAddress(address("::"), 4000), CONTROL_LOCAL).toString());
    }

    @Test
    void full_for_an_ipv4_wildcard_socket_names_the_control_connections_address() {
        // -Djava.net.preferIPv4Stack=true: bound to 0.0.0.0, which would be the port form again.
        assertEquals("192.0.2.7:4000", ProxyClient.request(AssociateMode.FULL,
                new InetSocketAddress(address("0.0.0.0"), 4000), CONTROL_LOCAL).toString());
    }

    @Test
    void full_for_a_socket_bound_to_an_address_names_that_address() {
        assertEquals("198.51.100.3:4000", ProxyClient.request(AssociateMode.FULL,
                new InetSocketAddress(address("198.51.100.3"), 4000), CONTROL_LOCAL).toString());
        assertEquals("[2001:db8:0:0:0:0:0:5]:4000", ProxyClient.request(AssociateMode.FULL,
                new InetSocketAddress(address("2001:db8::5"), 4000), address("2001:db8::9")).toString());
    }

    @Test
    void an_ipv4_mapped_socket_address_is_named_as_ipv4() {
        assertEquals("192.0.2.8:4000", ProxyClient.request(AssociateMode.FULL,
                new InetSocketAddress(address("::ffff:192.0.2.8"), 4000), CONTROL_LOCAL).toString());
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
