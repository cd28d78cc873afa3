package io.socksudp.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ProxyAddressTest {
    @Test
    void to_string_brackets_ipv6_literals_only() {
        assertEquals("proxy.example:1080", ProxyAddress.of("proxy.example", 1080).toString());
        assertEquals("[2001:db8::1]:1080", ProxyAddress.of("2001:db8::1", 1080).toString());
        assertEquals("[2001:db8::1]:1080", ProxyAddress.of("[2001:db8::1]", 1080).toString());
        assertEquals("2001:db8::1", ProxyAddress.of("[2001:db8::1]", 1080).host());
    }

    @Test
    void invalid_hosts_and_ports_are_rejected() {
        assertThrows(IllegalArgumentException.class, () -> ProxyAddress.of("", 1080));
        assertThrows(IllegalArgumentException.class, () -> ProxyAddress.of("p.example", 0));
        assertThrows(IllegalArgumentException.class, () -> ProxyAddress.of("p.example", 65536));
        assertThrows(NullPointerException.class, () -> ProxyAddress.of(null, 1));
    }

    @Test
    void equal_hosts_and_ports_are_equal() {
        assertEquals(ProxyAddress.of("p.example", 1), ProxyAddress.of("p.example", 1));
        assertEquals(ProxyAddress.of("p.example", 1).hashCode(), ProxyAddress.of("p.example", 1).hashCode());
        assertNotEquals(ProxyAddress.of("p.example", 1), ProxyAddress.of("p.example", 2));
    }

    @Test
    void resolving_a_literal_needs_no_name_service() throws Exception {
        assertEquals(1081, ProxyAddress.of("::1", 1081).resolve().getPort());
        assertEquals("0:0:0:0:0:0:0:1", ProxyAddress.of("::1", 1081).resolve().getAddress().getHostAddress());
    }

    @Test
    void resolving_again_to_the_same_address_gives_the_same_object() throws Exception {
        // Every association's control connection keeps the address it connected to: one object for all of them.
        ProxyAddress proxy = ProxyAddress.of("127.0.0.1", 1080);
        java.net.InetSocketAddress first = proxy.resolve();
        org.junit.jupiter.api.Assertions.assertSame(first, proxy.resolve());
        assertEquals(new java.net.InetSocketAddress("127.0.0.1", 1080), first);
        org.junit.jupiter.api.Assertions.assertSame(proxy.toString(), proxy.toString());
    }
}
