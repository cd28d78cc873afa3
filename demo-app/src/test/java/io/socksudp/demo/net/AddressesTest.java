package io.socksudp.demo.net;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressesTest {
    @Test
    void formatsIpv4AndCompressedIpv6() throws Exception {
        assertEquals("127.0.0.1:53", Addresses.format(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 53)));
        assertEquals("[::1]:53", Addresses.format(new InetSocketAddress(InetAddress.getByName("::1"), 53)));
        assertEquals("[::]:1", Addresses.format(new InetSocketAddress(InetAddress.getByName("::"), 1)));
        assertEquals("[2001:db8::1:0:0:1]:9",
                Addresses.format(new InetSocketAddress(InetAddress.getByName("2001:db8:0:0:1:0:0:1"), 9)));
        assertEquals("[fe80:0:1:2:3:4:5:6]:9", // RFC 5952: a lone zero group stays
                Addresses.format(new InetSocketAddress(InetAddress.getByName("fe80::1:2:3:4:5:6"), 9)));
    }

    @Test
    void parsesHostPort() throws Exception {
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 80), Addresses.parseHostPort("[::1]:80"));
        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1080), Addresses.parseHostPort("127.0.0.1:1080"));
        assertThrows(IllegalArgumentException.class, () -> Addresses.parseHostPort("::1:80"));
        assertThrows(IllegalArgumentException.class, () -> Addresses.parseHostPort("host"));
        assertThrows(IllegalArgumentException.class, () -> Addresses.parseHostPort("host:99999"));
    }

    @Test
    void wildcardMatchesAnyIpOnTheSamePort() throws Exception {
        InetSocketAddress wildcard = new InetSocketAddress(InetAddress.getByName("::"), 4000);
        InetSocketAddress seen = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 4000);
        assertTrue(Addresses.sameEndpoint(wildcard, seen));
        assertFalse(Addresses.sameEndpoint(wildcard, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 4001)));
        assertFalse(Addresses.sameEndpoint(seen, new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 4000)));
    }
}
