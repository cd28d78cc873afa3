package io.socksudp.agent.socks;

import static io.socksudp.agent.socks.Bytes.assertEveryTruncationIsIncomplete;
import static io.socksudp.agent.socks.Bytes.assertMalformed;
import static io.socksudp.agent.socks.Bytes.assertOverflowWritesNothing;
import static io.socksudp.agent.socks.Bytes.bytes;
import static io.socksudp.agent.socks.Bytes.decodeComplete;
import static io.socksudp.agent.socks.Bytes.written;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 1928 section 4. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CommandRequestTest {

    private static final byte[] UDP_ASSOCIATE_ALL_ZEROS = bytes(
            0x05, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
    private static final byte[] CONNECT_LOCALHOST_80 = bytes(0x05, 0x01, 0x00,
            0x03, 0x09, 0x6C, 0x6F, 0x63, 0x61, 0x6C, 0x68, 0x6F, 0x73, 0x74, 0x00, 0x50);
    private static final byte[] BIND_2001_DB8__1_53 = bytes(0x05, 0x02, 0x00, 0x04,
            0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0x00, 0x35);
    private static final byte[] UDP_ASSOCIATE_192_0_2_1_1080 = bytes(0x05, 0x03, 0x00,
            0x01, 0xC0, 0x00, 0x02, 0x01, 0x04, 0x38);

    @Test
    void udp_associate_from_an_unknown_address_sends_all_zeros() {
        assertArrayEquals(UDP_ASSOCIATE_ALL_ZEROS,
                written(out -> CommandRequest.encode(out, Command.UDP_ASSOCIATE, SocksAddress.zeroIpv4())));
    }

    @Test
    void udp_associate_from_a_known_ipv4_address_sends_it() {
        assertArrayEquals(UDP_ASSOCIATE_192_0_2_1_1080, written(out -> CommandRequest.encode(out,
                Command.UDP_ASSOCIATE, SocksAddress.ofIpv4(bytes(0xC0, 0x00, 0x02, 0x01), 1080))));
    }

    @Test
    void connect_to_a_domain_name_sends_the_name() {
        assertArrayEquals(CONNECT_LOCALHOST_80, written(out ->
                CommandRequest.encode(out, Command.CONNECT, SocksAddress.ofDomain("localhost", 80))));
    }

    @Test
    void bind_to_an_ipv6_address_sends_sixteen_address_bytes() {
        SocksAddress dst = SocksAddress.ofIpv6(bytes(
                0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01), 53);
        assertArrayEquals(BIND_2001_DB8__1_53, written(out -> CommandRequest.encode(out, Command.BIND, dst)));
    }

    @Test
    void the_commands_are_rfc_1928s_codes_and_a_null_one_is_refused() {
        assertEquals(0x01, Command.CONNECT.code());
        assertEquals(0x02, Command.BIND.code());
        assertEquals(0x03, Command.UDP_ASSOCIATE.code());
        assertThrows(IllegalArgumentException.class,
                () -> written(out -> CommandRequest.encode(out, null, SocksAddress.zeroIpv4())));
    }

    @Test
    void encode_rejects_a_null_destination() {
        assertThrows(IllegalArgumentException.class,
                () -> written(out -> CommandRequest.encode(out, Command.CONNECT, null)));
    }

    @Test
    void encode_rejects_an_empty_domain_name_even_though_decoding_allows_it() throws IOException {
        SocksAddress empty = decodeComplete(SocksAddress::decode, bytes(0x03, 0x00, 0x00, 0x50));
        assertThrows(IllegalArgumentException.class,
                () -> written(out -> CommandRequest.encode(out, Command.CONNECT, empty)));
    }

    @Test
    void a_request_that_does_not_fit_writes_nothing() {
        assertOverflowWritesNothing(
                out -> CommandRequest.encode(out, Command.CONNECT, SocksAddress.ofDomain("localhost", 80)),
                CONNECT_LOCALHOST_80.length);
    }

    // ---- server side ----

    @Test
    void the_server_side_decodes_command_and_destination() throws IOException {
        ServerSide.Request udp = decodeComplete(ServerSide::decodeRequest, UDP_ASSOCIATE_ALL_ZEROS);
        assertEquals(Command.UDP_ASSOCIATE.code(), udp.command());
        assertEquals(SocksAddress.zeroIpv4(), udp.destination());

        ServerSide.Request connect = decodeComplete(ServerSide::decodeRequest, CONNECT_LOCALHOST_80);
        assertEquals(Command.CONNECT.code(), connect.command());
        assertEquals(SocksAddress.ofDomain("localhost", 80), connect.destination());

        ServerSide.Request bind = decodeComplete(ServerSide::decodeRequest, BIND_2001_DB8__1_53);
        assertEquals(Command.BIND.code(), bind.command());
        assertEquals(Socks5.ATYP_IPV6, bind.destination().type());
        assertEquals(53, bind.destination().port());
    }

    @Test
    void a_request_is_incomplete_until_its_last_byte_arrived() throws IOException {
        assertEveryTruncationIsIncomplete(ServerSide::decodeRequest, UDP_ASSOCIATE_ALL_ZEROS);
        assertEveryTruncationIsIncomplete(ServerSide::decodeRequest, CONNECT_LOCALHOST_80);
        assertEveryTruncationIsIncomplete(ServerSide::decodeRequest, BIND_2001_DB8__1_53);
    }

    @Test
    void an_unknown_command_is_returned_for_the_server_to_answer_command_not_supported() throws IOException {
        ServerSide.Request request = decodeComplete(ServerSide::decodeRequest,
                bytes(0x05, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
        assertEquals(0x09, request.command());
    }

    @Test
    void a_nonzero_reserved_byte_is_tolerated() throws IOException {
        ServerSide.Request request = decodeComplete(ServerSide::decodeRequest,
                bytes(0x05, 0x03, 0xFF, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
        assertEquals(Command.UDP_ASSOCIATE.code(), request.command());
    }

    @Test
    void a_request_with_version_4_is_rejected() {
        SocksProtocolException e = assertMalformed(ServerSide::decodeRequest,
                bytes(0x04, 0x01, 0x00, 0x50, 0xC0, 0x00, 0x02, 0x01, 0x00));
        assertEquals("request has version 4, expected 5", e.getMessage());
    }

    @Test
    void a_request_with_an_unknown_address_type_is_rejected() {
        SocksProtocolException e = assertMalformed(ServerSide::decodeRequest,
                bytes(0x05, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
        assertTrue(e.getMessage().startsWith("request has unknown address type 0x02"), e.getMessage());
    }

    @Test
    void every_vector_survives_decode_then_encode() throws IOException {
        for (byte[] wire : new byte[][] {UDP_ASSOCIATE_ALL_ZEROS, CONNECT_LOCALHOST_80, BIND_2001_DB8__1_53,
                UDP_ASSOCIATE_192_0_2_1_1080}) {
            ServerSide.Request request = decodeComplete(ServerSide::decodeRequest, wire);
            assertArrayEquals(wire,
                    written(out -> CommandRequest.encode(out, command(request.command()), request.destination())));
        }
    }

    private static Command command(int code) {
        for (Command c : Command.values()) {
            if (c.code() == code) {
                return c;
            }
        }
        throw new AssertionError("not a command: " + code);
    }
}
