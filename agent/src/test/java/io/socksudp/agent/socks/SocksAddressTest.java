package io.socksudp.agent.socks;

import static io.socksudp.agent.socks.Bytes.assertEveryTruncationIsIncomplete;
import static io.socksudp.agent.socks.Bytes.assertMalformed;
import static io.socksudp.agent.socks.Bytes.assertOverflowWritesNothing;
import static io.socksudp.agent.socks.Bytes.bytes;
import static io.socksudp.agent.socks.Bytes.concat;
import static io.socksudp.agent.socks.Bytes.decodeComplete;
import static io.socksudp.agent.socks.Bytes.repeat;
import static io.socksudp.agent.socks.Bytes.written;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SocksAddressTest {

    // RFC 1928 section 5, written by hand: ATYP, address, port in network order.
    static final byte[] IPV4_192_0_2_1_PORT_1080 = bytes(0x01, 0xC0, 0x00, 0x02, 0x01, 0x04, 0x38);
    static final byte[] IPV6_2001_DB8__1_PORT_53 = bytes(0x04,
            0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0x00, 0x35);
    static final byte[] DOMAIN_LOCALHOST_PORT_80 = bytes(0x03, 0x09,
            0x6C, 0x6F, 0x63, 0x61, 0x6C, 0x68, 0x6F, 0x73, 0x74, 0x00, 0x50);
    static final byte[] EMPTY_DOMAIN_PORT_1080 = bytes(0x03, 0x00, 0x04, 0x38);

    static final byte[] IP_192_0_2_1 = bytes(0xC0, 0x00, 0x02, 0x01);
    static final byte[] IP_2001_DB8__1 = bytes(
            0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01);

    private static SocksAddress decoded(byte[] encoded) throws IOException {
        return decodeComplete(SocksAddress::decode, encoded);
    }

    private static byte[] encoded(SocksAddress address) {
        return written(address::encode);
    }

    // ---- of(InetSocketAddress) ----

    @Test
    void a_resolved_ipv4_address_becomes_atyp_1() throws IOException {
        SocksAddress address = SocksAddress.of(new InetSocketAddress(InetAddress.getByAddress(IP_192_0_2_1), 1080));
        assertEquals(Socks5.ATYP_IPV4, address.type());
        assertArrayEquals(IPV4_192_0_2_1_PORT_1080, encoded(address));
    }

    @Test
    void a_resolved_ipv6_address_becomes_atyp_4() throws IOException {
        SocksAddress address = SocksAddress.of(new InetSocketAddress(InetAddress.getByAddress(IP_2001_DB8__1), 53));
        assertEquals(Socks5.ATYP_IPV6, address.type());
        assertArrayEquals(IPV6_2001_DB8__1_PORT_53, encoded(address));
    }

    @Test
    void an_ipv4_mapped_ipv6_address_stays_ipv4() throws IOException {
        byte[] mapped = bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xC0, 0x00, 0x02, 0x01);
        SocksAddress address = SocksAddress.of(new InetSocketAddress(InetAddress.getByAddress(mapped), 1080));
        assertEquals(Socks5.ATYP_IPV4, address.type());
        assertArrayEquals(IPV4_192_0_2_1_PORT_1080, encoded(address));
    }

    @Test
    void an_ipv6_scope_id_is_dropped() throws IOException {
        byte[] linkLocal = bytes(0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01);
        SocksAddress address = SocksAddress.of(new InetSocketAddress(Inet6Address.getByAddress(null, linkLocal, 3), 53));
        assertArrayEquals(concat(bytes(0x04), linkLocal, bytes(0x00, 0x35)), encoded(address));
    }

    @Test
    void an_unresolved_address_becomes_a_domain_name_for_the_proxy_to_resolve() {
        SocksAddress address = SocksAddress.of(InetSocketAddress.createUnresolved("localhost", 80));
        assertEquals(Socks5.ATYP_DOMAIN, address.type());
        assertArrayEquals(DOMAIN_LOCALHOST_PORT_80, encoded(address));
    }

    @Test
    void an_unresolved_address_is_sent_as_a_domain_even_if_it_looks_like_an_ip_literal() {
        SocksAddress address = SocksAddress.of(InetSocketAddress.createUnresolved("192.0.2.1", 80));
        assertEquals(Socks5.ATYP_DOMAIN, address.type());
        assertEquals("192.0.2.1", address.host());
    }

    @Test
    void a_non_ascii_host_name_is_encoded_as_utf_8() {
        // "bücher.invalid": ü is C3 BC in UTF-8, 15 bytes in all.
        SocksAddress address = SocksAddress.of(InetSocketAddress.createUnresolved("b\u00fccher.invalid", 80));
        assertArrayEquals(bytes(0x03, 0x0F,
                0x62, 0xC3, 0xBC, 0x63, 0x68, 0x65, 0x72, 0x2E, 0x69, 0x6E, 0x76, 0x61, 0x6C, 0x69, 0x64,
                0x00, 0x50), encoded(address));
    }

    @Test
    void of_rejects_null_an_empty_host_name_and_a_name_over_255_bytes() {
        assertThrows(IllegalArgumentException.class, () -> SocksAddress.of(null));
        assertThrows(IllegalArgumentException.class,
                () -> SocksAddress.of(InetSocketAddress.createUnresolved("", 80)));
        assertThrows(IllegalArgumentException.class,
                () -> SocksAddress.of(InetSocketAddress.createUnresolved(name(256), 80)));
    }

    @Test
    void a_host_name_of_exactly_255_bytes_is_accepted() {
        SocksAddress address = SocksAddress.of(InetSocketAddress.createUnresolved(name(255), 80));
        byte[] expected = concat(bytes(0x03, 0xFF), repeat('a', 255), bytes(0x00, 0x50));
        assertArrayEquals(expected, encoded(address));
        assertEquals(259, address.encodedLength());
    }

    @Test
    void the_255_byte_limit_counts_utf_8_bytes_not_characters() {
        StringBuilder twoByteChars = new StringBuilder();
        for (int i = 0; i < 128; i++) {
            twoByteChars.append('\u00e9'); // 2 bytes each: 256 bytes, 128 chars
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SocksAddress.ofDomain(twoByteChars.toString(), 80));
        assertTrue(e.getMessage().contains("255"), e.getMessage());
    }

    private static String name(int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append('a');
        }
        return sb.toString();
    }

    // ---- explicit factories ----

    @Test
    void zero_ipv4_is_all_zeros_as_rfc_1928_section_6_allows_for_udp_associate() {
        SocksAddress zero = SocksAddress.zeroIpv4();
        assertArrayEquals(bytes(0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00), encoded(zero));
        assertTrue(zero.isWildcard());
        assertEquals(0, zero.port());
        assertEquals("0.0.0.0", zero.host());
    }

    @Test
    void of_ipv4_of_ipv6_and_of_domain_encode_their_vectors() {
        assertArrayEquals(IPV4_192_0_2_1_PORT_1080, encoded(SocksAddress.ofIpv4(IP_192_0_2_1, 1080)));
        assertArrayEquals(IPV6_2001_DB8__1_PORT_53, encoded(SocksAddress.ofIpv6(IP_2001_DB8__1, 53)));
        assertArrayEquals(DOMAIN_LOCALHOST_PORT_80, encoded(SocksAddress.ofDomain("localhost", 80)));
    }

    @Test
    void the_highest_port_is_written_unsigned() {
        assertArrayEquals(bytes(0x01, 0xFF, 0xFE, 0xFD, 0xFC, 0xFF, 0xFF),
                encoded(SocksAddress.ofIpv4(bytes(0xFF, 0xFE, 0xFD, 0xFC), 65535)));
    }

    @Test
    void an_ipv4_mapped_address_given_explicitly_as_ipv6_stays_atyp_4() {
        byte[] mapped = bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xC0, 0x00, 0x02, 0x01);
        assertEquals(Socks5.ATYP_IPV6, SocksAddress.ofIpv6(mapped, 1).type());
    }

    @Test
    void the_factories_copy_the_callers_array() {
        byte[] ip = IP_192_0_2_1.clone();
        SocksAddress address = SocksAddress.ofIpv4(ip, 1080);
        ip[0] = 10;
        assertArrayEquals(IPV4_192_0_2_1_PORT_1080, encoded(address));
    }

    @Test
    void the_factories_reject_wrong_address_lengths_and_null() {
        assertThrows(IllegalArgumentException.class, () -> SocksAddress.ofIpv4(new byte[3], 1));
        assertThrows(IllegalArgumentException.class, () -> SocksAddress.ofIpv4(new byte[5], 1));
        assertThrows(IllegalArgumentException.class, () -> SocksAddress.ofIpv4(new byte[16], 1));
        assertThrows(IllegalArgumentException.class, () -> SocksAddress.ofIpv4(null, 1));
        assertThrows(IllegalArgumentException.class, () -> SocksAddress.ofIpv6(new byte[4], 1));
        assertThrows(IllegalArgumentException.class, () -> SocksAddress.ofIpv6(null, 1));
        assertThrows(IllegalArgumentException.class, () -> SocksAddress.ofDomain(null, 1));
        assertThrows(IllegalArgumentException.class, () -> SocksAddress.ofDomain("", 1));
        assertThrows(IllegalArgumentException.class, () -> SocksAddress.ofDomain(name(256), 1));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 65536, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void the_factories_reject_ports_outside_0_to_65535(int port) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SocksAddress.ofIpv4(IP_192_0_2_1, port));
        assertTrue(e.getMessage().contains("port"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SocksAddress.ofIpv6(IP_2001_DB8__1, port));
        assertThrows(IllegalArgumentException.class, () -> SocksAddress.ofDomain("localhost", port));
    }

    // ---- accessors ----

    @Test
    void wildcard_means_all_zero_ip_or_empty_domain_whatever_the_port() throws IOException {
        assertTrue(SocksAddress.ofIpv4(new byte[4], 1234).isWildcard());
        assertTrue(SocksAddress.ofIpv6(new byte[16], 1234).isWildcard());
        assertTrue(decoded(EMPTY_DOMAIN_PORT_1080).isWildcard());
        assertFalse(SocksAddress.ofIpv4(bytes(0, 0, 0, 1), 0).isWildcard());
        assertFalse(SocksAddress.ofIpv6(bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), 0).isWildcard());
        assertFalse(SocksAddress.ofDomain("localhost", 0).isWildcard());
    }

    @Test
    void host_is_the_textual_form_of_each_address_type() throws IOException {
        assertEquals("192.0.2.1", SocksAddress.ofIpv4(IP_192_0_2_1, 1).host());
        assertEquals("255.254.253.252", SocksAddress.ofIpv4(bytes(0xFF, 0xFE, 0xFD, 0xFC), 1).host());
        assertEquals("2001:db8:0:0:0:0:0:1", SocksAddress.ofIpv6(IP_2001_DB8__1, 1).host());
        assertEquals("ffff:0:0:0:0:0:0:abcd",
                SocksAddress.ofIpv6(bytes(0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xAB, 0xCD), 1).host());
        assertEquals("localhost", SocksAddress.ofDomain("localhost", 1).host());
        assertEquals("", decoded(EMPTY_DOMAIN_PORT_1080).host());
    }

    @Test
    void ip_addresses_convert_to_resolved_socket_addresses_without_dns() throws IOException {
        InetSocketAddress v4 = SocksAddress.ofIpv4(IP_192_0_2_1, 1080).toInetSocketAddress();
        assertFalse(v4.isUnresolved());
        assertInstanceOf(Inet4Address.class, v4.getAddress());
        assertArrayEquals(IP_192_0_2_1, v4.getAddress().getAddress());
        assertEquals(1080, v4.getPort());

        InetSocketAddress v6 = SocksAddress.ofIpv6(IP_2001_DB8__1, 53).toInetSocketAddress();
        assertInstanceOf(Inet6Address.class, v6.getAddress());
        assertArrayEquals(IP_2001_DB8__1, v6.getAddress().getAddress());
        assertEquals(53, v6.getPort());
    }

    @Test
    void an_ipv4_mapped_atyp_4_address_converts_to_an_inet4_address() {
        byte[] mapped = bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xC0, 0x00, 0x02, 0x01);
        InetSocketAddress converted = SocksAddress.ofIpv6(mapped, 7).toInetSocketAddress();
        assertInstanceOf(Inet4Address.class, converted.getAddress());
        assertArrayEquals(IP_192_0_2_1, converted.getAddress().getAddress());
    }

    @Test
    void domain_names_convert_to_unresolved_socket_addresses() throws IOException {
        InetSocketAddress named = SocksAddress.ofDomain("localhost", 80).toInetSocketAddress();
        assertTrue(named.isUnresolved());
        assertEquals("localhost", named.getHostString());
        assertEquals(80, named.getPort());

        InetSocketAddress empty = decoded(EMPTY_DOMAIN_PORT_1080).toInetSocketAddress();
        assertTrue(empty.isUnresolved());
        assertEquals("", empty.getHostString());
        assertEquals(1080, empty.getPort());
    }

    @Test
    void encoded_length_counts_atyp_address_and_port() throws IOException {
        assertEquals(7, SocksAddress.ofIpv4(IP_192_0_2_1, 1).encodedLength());
        assertEquals(19, SocksAddress.ofIpv6(IP_2001_DB8__1, 1).encodedLength());
        assertEquals(13, SocksAddress.ofDomain("localhost", 1).encodedLength());
        assertEquals(4, decoded(EMPTY_DOMAIN_PORT_1080).encodedLength());
    }

    // ---- encode ----

    @Test
    void encode_throws_buffer_overflow_and_writes_nothing_when_it_does_not_fit() {
        SocksAddress address = SocksAddress.ofDomain("localhost", 80);
        assertOverflowWritesNothing(address::encode, DOMAIN_LOCALHOST_PORT_80.length);
    }

    // ---- decode ----

    @Test
    void decodes_an_ipv4_address() throws IOException {
        assertEquals(SocksAddress.ofIpv4(IP_192_0_2_1, 1080), decoded(IPV4_192_0_2_1_PORT_1080));
    }

    @Test
    void decodes_an_ipv6_address() throws IOException {
        assertEquals(SocksAddress.ofIpv6(IP_2001_DB8__1, 53), decoded(IPV6_2001_DB8__1_PORT_53));
    }

    @Test
    void decodes_a_domain_name() throws IOException {
        SocksAddress address = decoded(DOMAIN_LOCALHOST_PORT_80);
        assertEquals(SocksAddress.ofDomain("localhost", 80), address);
        assertEquals(Socks5.ATYP_DOMAIN, address.type());
    }

    @Test
    void decodes_an_empty_domain_name_as_servers_send_it_for_their_own_address() throws IOException {
        SocksAddress address = decoded(EMPTY_DOMAIN_PORT_1080);
        assertEquals(Socks5.ATYP_DOMAIN, address.type());
        assertEquals(1080, address.port());
        assertArrayEquals(EMPTY_DOMAIN_PORT_1080, encoded(address));
    }

    @Test
    void decode_returns_null_without_moving_for_every_truncation() throws IOException {
        assertEveryTruncationIsIncomplete(SocksAddress::decode, IPV4_192_0_2_1_PORT_1080);
        assertEveryTruncationIsIncomplete(SocksAddress::decode, IPV6_2001_DB8__1_PORT_53);
        assertEveryTruncationIsIncomplete(SocksAddress::decode, DOMAIN_LOCALHOST_PORT_80);
        assertEveryTruncationIsIncomplete(SocksAddress::decode, EMPTY_DOMAIN_PORT_1080);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x02, 0x05, 0x06, 0x80, 0xFF})
    void decode_rejects_an_unknown_address_type(int atyp) {
        SocksProtocolException e = assertMalformed(SocksAddress::decode, bytes(atyp, 0, 0, 0, 0, 0, 0));
        assertTrue(e.getMessage().contains("unknown address type " + String.format("0x%02x", atyp)), e.getMessage());
    }

    @Test
    void an_unknown_address_type_is_reported_as_soon_as_its_byte_arrives() {
        assertMalformed(SocksAddress::decode, bytes(0x05));
    }

    @Test
    void domain_bytes_that_are_not_utf_8_survive_a_round_trip() throws IOException {
        byte[] wire = bytes(0x03, 0x02, 0xFF, 0xFE, 0x00, 0x50);
        assertArrayEquals(wire, encoded(decoded(wire)));
    }

    @Test
    void every_vector_survives_decode_then_encode() throws IOException {
        for (byte[] wire : new byte[][] {IPV4_192_0_2_1_PORT_1080, IPV6_2001_DB8__1_PORT_53,
                DOMAIN_LOCALHOST_PORT_80, EMPTY_DOMAIN_PORT_1080}) {
            assertArrayEquals(wire, encoded(decoded(wire)));
        }
    }

    @Test
    void of_then_to_inet_socket_address_gives_back_an_equal_address() throws IOException {
        InetSocketAddress[] originals = {
            new InetSocketAddress(InetAddress.getByAddress(IP_192_0_2_1), 1080),
            new InetSocketAddress(InetAddress.getByAddress(IP_2001_DB8__1), 53),
            InetSocketAddress.createUnresolved("localhost", 80),
        };
        for (InetSocketAddress original : originals) {
            assertEquals(original, SocksAddress.of(original).toInetSocketAddress());
        }
    }

    // ---- equals, hashCode, toString ----

    @Test
    void equal_addresses_have_equal_hash_codes_and_differ_on_type_address_or_port() throws IOException {
        SocksAddress a = SocksAddress.ofIpv4(IP_192_0_2_1, 1080);
        SocksAddress b = decoded(IPV4_192_0_2_1_PORT_1080);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, SocksAddress.ofIpv4(IP_192_0_2_1, 1081));
        assertNotEquals(a, SocksAddress.ofIpv4(bytes(0xC0, 0x00, 0x02, 0x02), 1080));
        assertNotEquals(a, SocksAddress.ofDomain("192.0.2.1", 1080));
        assertNotEquals(SocksAddress.ofDomain("localhost", 80), SocksAddress.ofDomain("LOCALHOST", 80));
        assertNotEquals(a, null);
        assertNotEquals(a, "192.0.2.1:1080");
    }

    @Test
    void to_string_is_host_and_port_with_brackets_around_ipv6() throws IOException {
        assertEquals("192.0.2.1:1080", SocksAddress.ofIpv4(IP_192_0_2_1, 1080).toString());
        assertEquals("[2001:db8:0:0:0:0:0:1]:53", SocksAddress.ofIpv6(IP_2001_DB8__1, 53).toString());
        assertEquals("localhost:80", SocksAddress.ofDomain("localhost", 80).toString());
        assertEquals("(empty domain name):1080", decoded(EMPTY_DOMAIN_PORT_1080).toString());
    }
}
