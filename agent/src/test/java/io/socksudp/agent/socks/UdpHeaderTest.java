package io.socksudp.agent.socks;

import static io.socksudp.agent.socks.Bytes.bytes;
import static io.socksudp.agent.socks.Bytes.concat;
import static io.socksudp.agent.socks.Bytes.repeat;
import static io.socksudp.agent.socks.Bytes.written;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 1928 section 7. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class UdpHeaderTest {

    // RSV RSV FRAG ATYP ADDR PORT, by hand.
    private static final byte[] IPV4_192_0_2_1_53 = bytes(
            0x00, 0x00, 0x00, 0x01, 0xC0, 0x00, 0x02, 0x01, 0x00, 0x35);
    private static final byte[] IPV6_2001_DB8__1_443 = bytes(0x00, 0x00, 0x00, 0x04,
            0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0x01, 0xBB);
    private static final byte[] DOMAIN_LOCALHOST_5353 = bytes(0x00, 0x00, 0x00, 0x03, 0x09,
            0x6C, 0x6F, 0x63, 0x61, 0x6C, 0x68, 0x6F, 0x73, 0x74, 0x14, 0xE9);
    private static final byte[] PAYLOAD = bytes(0xCA, 0xFE, 0xBA, 0xBE);

    private static InetSocketAddress ipv4(int a, int b, int c, int d, int port) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByAddress(bytes(a, b, c, d)), port);
    }

    private static InetSocketAddress ipv6_2001_db8__1(int port) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByAddress(bytes(
                0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01)), port);
    }

    /** header + payload at position 5 of a buffer with unrelated bytes around it. */
    private static ByteBuffer datagram(byte[] header, byte[] payload) {
        byte[] content = concat(header, payload);
        ByteBuffer buf = ByteBuffer.allocate(5 + content.length + 3);
        buf.put(repeat(0x77, 5)).put(content).put(repeat(0x66, 3));
        buf.position(5).limit(5 + content.length);
        return buf;
    }

    /** parse(), checking that it moved neither position nor limit. */
    private static int parse(ByteBuffer datagram) {
        int position = datagram.position();
        int limit = datagram.limit();
        int result = UdpHeader.parse(datagram);
        assertEquals(position, datagram.position(), "parse moved the position");
        assertEquals(limit, datagram.limit(), "parse moved the limit");
        return result;
    }

    private static int parse(byte[] header, byte[] payload) {
        return parse(datagram(header, payload));
    }

    // ---- encodedLength / encode ----

    @Test
    void the_encoded_length_is_10_for_ipv4_22_for_ipv6_and_7_plus_the_name_for_a_domain() throws Exception {
        assertEquals(10, UdpHeader.encodedLength(ipv4(192, 0, 2, 1, 53)));
        assertEquals(22, UdpHeader.encodedLength(ipv6_2001_db8__1(443)));
        assertEquals(16, UdpHeader.encodedLength(InetSocketAddress.createUnresolved("localhost", 5353)));
        assertEquals(7 + 15, UdpHeader.encodedLength(InetSocketAddress.createUnresolved("b\u00fccher.invalid", 1)));
    }

    @Test
    void an_ipv4_destination_is_written_with_frag_0_and_atyp_1() throws Exception {
        InetSocketAddress dst = ipv4(192, 0, 2, 1, 53);
        ByteBuffer out = ByteBuffer.allocate(64);
        out.position(7);
        assertEquals(10, UdpHeader.encode(out, dst));
        assertEquals(17, out.position());
        assertArrayEquals(IPV4_192_0_2_1_53, Arrays.copyOfRange(out.array(), 7, 17));
    }

    @Test
    void ipv4_bytes_and_port_above_127_are_written_unsigned() throws Exception {
        assertArrayEquals(bytes(0x00, 0x00, 0x00, 0x01, 0xFF, 0xFE, 0x80, 0x7F, 0xFF, 0xFF),
                UdpHeader.encode(ipv4(255, 254, 128, 127, 65535)));
    }

    @Test
    void an_ipv6_destination_is_written_with_atyp_4() throws Exception {
        assertArrayEquals(IPV6_2001_DB8__1_443, UdpHeader.encode(ipv6_2001_db8__1(443)));
        assertEquals(22, written(out -> UdpHeader.encode(out, unchecked(() -> ipv6_2001_db8__1(443)))).length);
    }

    @Test
    void an_ipv4_mapped_destination_is_written_as_ipv4() throws Exception {
        InetSocketAddress mapped = new InetSocketAddress(InetAddress.getByAddress(
                bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xC0, 0x00, 0x02, 0x01)), 53);
        assertArrayEquals(IPV4_192_0_2_1_53, UdpHeader.encode(mapped));
    }

    @Test
    void an_unresolved_destination_is_written_as_a_domain_name() {
        assertArrayEquals(DOMAIN_LOCALHOST_5353,
                UdpHeader.encode(InetSocketAddress.createUnresolved("localhost", 5353)));
    }

    @Test
    void a_non_ascii_name_is_written_in_utf_8() {
        assertArrayEquals(bytes(0x00, 0x00, 0x00, 0x03, 0x0F,
                0x62, 0xC3, 0xBC, 0x63, 0x68, 0x65, 0x72, 0x2E, 0x69, 0x6E, 0x76, 0x61, 0x6C, 0x69, 0x64,
                0x00, 0x35), UdpHeader.encode(InetSocketAddress.createUnresolved("b\u00fccher.invalid", 53)));
    }

    @Test
    void the_header_agrees_with_socks_address_for_every_kind_of_name() {
        String[] names = {"localhost", "example.invalid", "b\u00fccher.invalid", "\u4f8b\u3048.invalid",
            "\ud83d\ude00.invalid", "lone\ud800surrogate.invalid", "lone\udc00low.invalid", "end\ud800"};
        for (String name : names) {
            InetSocketAddress dst = InetSocketAddress.createUnresolved(name, 53);
            byte[] header = UdpHeader.encode(dst);
            byte[] expected = concat(bytes(0x00, 0x00, 0x00), written(SocksAddress.of(dst)::encode));
            assertArrayEquals(expected, header, name);
            assertEquals(header.length, UdpHeader.encodedLength(dst), name);
        }
    }

    @Test
    void a_little_endian_buffer_still_gets_network_byte_order() throws Exception {
        ByteBuffer out = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        UdpHeader.encode(out, ipv4(192, 0, 2, 1, 53));
        assertArrayEquals(IPV4_192_0_2_1_53, out.array());
    }

    @Test
    void a_direct_buffer_works_like_a_heap_buffer() throws Exception {
        ByteBuffer out = ByteBuffer.allocateDirect(32);
        UdpHeader.encode(out, ipv4(192, 0, 2, 1, 53));
        out.put(PAYLOAD).flip();
        assertEquals(10, parse(out));
        assertTrue(UdpHeader.addressEquals(out, IPV4_192_0_2_1_53));
        assertEquals(ipv4(192, 0, 2, 1, 53), UdpHeader.decodeAddress(out));
    }

    @Test
    void inet4_address_hash_code_is_the_big_endian_address_which_encode_relies_on() throws Exception {
        assertEquals(0xC0000201, InetAddress.getByAddress(bytes(0xC0, 0x00, 0x02, 0x01)).hashCode());
        assertEquals(0xFFFEFDFC, InetAddress.getByAddress(bytes(0xFF, 0xFE, 0xFD, 0xFC)).hashCode());
        assertEquals(0, InetAddress.getByAddress(bytes(0, 0, 0, 0)).hashCode());
    }

    @Test
    void encode_rejects_null_an_empty_name_and_a_name_over_255_bytes() {
        assertThrows(IllegalArgumentException.class, () -> UdpHeader.encodedLength(null));
        assertThrows(IllegalArgumentException.class, () -> UdpHeader.encode(null));
        assertThrows(IllegalArgumentException.class,
                () -> UdpHeader.encode(InetSocketAddress.createUnresolved("", 53)));
        String tooLong = new String(repeat('a', 256), java.nio.charset.StandardCharsets.US_ASCII);
        assertThrows(IllegalArgumentException.class,
                () -> UdpHeader.encode(InetSocketAddress.createUnresolved(tooLong, 53)));
        assertEquals(7 + 255, UdpHeader.encode(InetSocketAddress.createUnresolved(tooLong.substring(1), 53)).length);
    }

    @Test
    void encode_throws_buffer_overflow_and_writes_nothing_when_it_does_not_fit() {
        Bytes.assertOverflowWritesNothing(
                out -> UdpHeader.encode(out, InetSocketAddress.createUnresolved("localhost", 5353)),
                DOMAIN_LOCALHOST_5353.length);
        Bytes.assertOverflowWritesNothing(
                out -> UdpHeader.encode(out, unchecked(() -> ipv4(192, 0, 2, 1, 53))), 10);
    }

    // ---- parse ----

    @Test
    void parse_returns_the_header_length_of_each_address_type() {
        assertEquals(10, parse(IPV4_192_0_2_1_53, PAYLOAD));
        assertEquals(22, parse(IPV6_2001_DB8__1_443, PAYLOAD));
        assertEquals(16, parse(DOMAIN_LOCALHOST_5353, PAYLOAD));
    }

    @Test
    void parse_accepts_a_datagram_with_an_empty_payload() {
        assertEquals(10, parse(IPV4_192_0_2_1_53, new byte[0]));
        assertEquals(22, parse(IPV6_2001_DB8__1_443, new byte[0]));
        assertEquals(16, parse(DOMAIN_LOCALHOST_5353, new byte[0]));
    }

    @Test
    void parse_calls_every_truncated_header_malformed() {
        for (byte[] header : new byte[][] {IPV4_192_0_2_1_53, IPV6_2001_DB8__1_443, DOMAIN_LOCALHOST_5353}) {
            for (int length = 0; length < header.length; length++) {
                assertEquals(UdpHeader.MALFORMED, parse(Arrays.copyOf(header, length), new byte[0]),
                        "prefix of " + length + " bytes");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void parse_drops_a_nonzero_reserved_field(int which) {
        for (int value : new int[] {0x01, 0x80, 0xFF}) {
            byte[] header = IPV4_192_0_2_1_53.clone();
            header[which] = (byte) value;
            assertEquals(UdpHeader.MALFORMED, parse(header, PAYLOAD));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x01, 0x02, 0x7F, 0x80, 0xFF})
    void parse_drops_fragments_because_fragmentation_is_not_supported(int frag) {
        byte[] header = IPV4_192_0_2_1_53.clone();
        header[2] = (byte) frag;
        assertEquals(UdpHeader.FRAGMENTED, parse(header, PAYLOAD));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x02, 0x05, 0x06, 0xFF})
    void parse_reports_an_unknown_address_type(int atyp) {
        assertEquals(UdpHeader.BAD_ADDRESS_TYPE, parse(bytes(0x00, 0x00, 0x00, atyp, 0, 0, 0, 0, 0, 0), PAYLOAD));
    }

    @Test
    void parse_calls_a_zero_length_domain_name_malformed() {
        assertEquals(UdpHeader.MALFORMED, parse(bytes(0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x35), PAYLOAD));
    }

    @Test
    void parse_calls_a_domain_name_longer_than_the_datagram_malformed() {
        assertEquals(UdpHeader.MALFORMED, parse(bytes(0x00, 0x00, 0x00, 0x03, 0xFF, 0x61, 0x62, 0x00, 0x35), PAYLOAD));
    }

    @Test
    void parse_looks_at_the_position_not_at_index_zero() {
        ByteBuffer buf = datagram(IPV4_192_0_2_1_53, PAYLOAD);
        assertEquals(5, buf.position());
        assertEquals(10, parse(buf));
    }

    @Test
    void parse_describes_its_results_for_logs() {
        assertEquals("malformed header", UdpHeader.describeParseResult(UdpHeader.MALFORMED));
        assertTrue(UdpHeader.describeParseResult(UdpHeader.FRAGMENTED).contains("FRAG"));
        assertEquals("unknown address type", UdpHeader.describeParseResult(UdpHeader.BAD_ADDRESS_TYPE));
        assertEquals("valid header of 10 bytes", UdpHeader.describeParseResult(10));
    }

    @Test
    void the_three_failure_results_are_distinct_and_negative() {
        assertTrue(UdpHeader.MALFORMED < 0 && UdpHeader.FRAGMENTED < 0 && UdpHeader.BAD_ADDRESS_TYPE < 0);
        assertEquals(3, new java.util.HashSet<Integer>(Arrays.asList(
                UdpHeader.MALFORMED, UdpHeader.FRAGMENTED, UdpHeader.BAD_ADDRESS_TYPE)).size());
    }

    // ---- decodeAddress ----

    @Test
    void decode_address_returns_a_resolved_ipv4_address_without_moving() throws Exception {
        ByteBuffer buf = datagram(IPV4_192_0_2_1_53, PAYLOAD);
        InetSocketAddress source = UdpHeader.decodeAddress(buf);
        assertEquals(ipv4(192, 0, 2, 1, 53), source);
        assertInstanceOf(Inet4Address.class, source.getAddress());
        assertEquals(5, buf.position());
        assertEquals(5 + 14, buf.limit());
    }

    @Test
    void decode_address_returns_a_resolved_ipv6_address() throws Exception {
        InetSocketAddress source = UdpHeader.decodeAddress(datagram(IPV6_2001_DB8__1_443, PAYLOAD));
        assertEquals(ipv6_2001_db8__1(443), source);
        assertInstanceOf(Inet6Address.class, source.getAddress());
    }

    @Test
    void decode_address_turns_an_ipv4_mapped_source_into_the_ipv4_address_the_program_sent_to() throws Exception {
        byte[] header = bytes(0x00, 0x00, 0x00, 0x04,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xC0, 0x00, 0x02, 0x01, 0x00, 0x35);
        InetSocketAddress source = UdpHeader.decodeAddress(datagram(header, PAYLOAD));
        assertEquals(ipv4(192, 0, 2, 1, 53), source);
    }

    @Test
    void decode_address_returns_an_unresolved_address_for_a_domain_name() {
        InetSocketAddress source = UdpHeader.decodeAddress(datagram(DOMAIN_LOCALHOST_5353, PAYLOAD));
        assertTrue(source.isUnresolved());
        assertEquals("localhost", source.getHostString());
        assertEquals(5353, source.getPort());
    }

    @Test
    void decode_address_rejects_a_datagram_parse_would_drop() {
        byte[] fragmented = IPV4_192_0_2_1_53.clone();
        fragmented[2] = 1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UdpHeader.decodeAddress(datagram(fragmented, PAYLOAD)));
        assertTrue(e.getMessage().contains("FRAG"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> UdpHeader.decodeAddress(datagram(bytes(0x00, 0x00), new byte[0])));
    }

    @Test
    void every_destination_survives_encode_then_decode_address() throws Exception {
        InetSocketAddress[] destinations = {
            ipv4(192, 0, 2, 1, 53), ipv4(255, 255, 255, 255, 65535), ipv4(0, 0, 0, 0, 0),
            ipv6_2001_db8__1(443), InetSocketAddress.createUnresolved("localhost", 5353),
            InetSocketAddress.createUnresolved("b\u00fccher.invalid", 1),
        };
        for (InetSocketAddress dst : destinations) {
            ByteBuffer buf = datagram(UdpHeader.encode(dst), PAYLOAD);
            assertEquals(UdpHeader.encodedLength(dst), parse(buf));
            assertEquals(dst, UdpHeader.decodeAddress(buf));
        }
    }

    // ---- addressEquals ----

    @Test
    void address_equals_recognises_a_repeat_sender_without_moving() {
        ByteBuffer buf = datagram(IPV4_192_0_2_1_53, PAYLOAD);
        assertTrue(UdpHeader.addressEquals(buf, IPV4_192_0_2_1_53.clone()));
        assertEquals(5, buf.position());
        assertEquals(5 + 14, buf.limit());
        assertTrue(UdpHeader.addressEquals(datagram(IPV6_2001_DB8__1_443, PAYLOAD), IPV6_2001_DB8__1_443));
        assertTrue(UdpHeader.addressEquals(datagram(DOMAIN_LOCALHOST_5353, PAYLOAD), DOMAIN_LOCALHOST_5353));
    }

    @Test
    void address_equals_tells_apart_another_port_another_address_and_another_type() throws Exception {
        ByteBuffer buf = datagram(IPV4_192_0_2_1_53, PAYLOAD);
        assertFalse(UdpHeader.addressEquals(buf, UdpHeader.encode(ipv4(192, 0, 2, 1, 54))));
        assertFalse(UdpHeader.addressEquals(buf, UdpHeader.encode(ipv4(192, 0, 2, 2, 53))));
        assertFalse(UdpHeader.addressEquals(buf, IPV6_2001_DB8__1_443));
        assertFalse(UdpHeader.addressEquals(buf, DOMAIN_LOCALHOST_5353));
    }

    @Test
    void address_equals_is_false_for_a_datagram_shorter_than_the_header() {
        ByteBuffer buf = datagram(Arrays.copyOf(IPV4_192_0_2_1_53, 9), new byte[0]);
        assertFalse(UdpHeader.addressEquals(buf, IPV4_192_0_2_1_53));
        assertEquals(5, buf.position());
    }

    @Test
    void the_convenience_encode_returns_a_fresh_array_each_time() throws Exception {
        InetSocketAddress dst = ipv4(192, 0, 2, 1, 53);
        byte[] first = UdpHeader.encode(dst);
        first[0] = 0x7F;
        assertArrayEquals(IPV4_192_0_2_1_53, UdpHeader.encode(dst));
    }

    private interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    private static <T> T unchecked(ThrowingSupplier<T> supplier) {
        try {
            return supplier.get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
