package io.socksudp.agent.socks;

import static io.socksudp.agent.socks.Bytes.assertEveryTruncationIsIncomplete;
import static io.socksudp.agent.socks.Bytes.assertMalformed;
import static io.socksudp.agent.socks.Bytes.assertOverflowWritesNothing;
import static io.socksudp.agent.socks.Bytes.bytes;
import static io.socksudp.agent.socks.Bytes.decodeComplete;
import static io.socksudp.agent.socks.Bytes.written;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 1928 section 6. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CommandReplyTest {

    private static final byte[] SUCCESS_BOUND_192_0_2_1_1080 = bytes(0x05, 0x00, 0x00,
            0x01, 0xC0, 0x00, 0x02, 0x01, 0x04, 0x38);
    private static final byte[] REFUSED_BOUND_ZEROS = bytes(0x05, 0x05, 0x00,
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
    private static final byte[] SUCCESS_BOUND_2001_DB8__1_53 = bytes(0x05, 0x00, 0x00, 0x04,
            0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0x00, 0x35);
    private static final byte[] SUCCESS_BOUND_LOCALHOST_1080 = bytes(0x05, 0x00, 0x00,
            0x03, 0x09, 0x6C, 0x6F, 0x63, 0x61, 0x6C, 0x68, 0x6F, 0x73, 0x74, 0x04, 0x38);
    private static final byte[] SUCCESS_BOUND_EMPTY_DOMAIN_1080 = bytes(0x05, 0x00, 0x00,
            0x03, 0x00, 0x04, 0x38);

    private static CommandReply decoded(byte[] wire) throws IOException {
        return decodeComplete(CommandReply::decode, wire);
    }

    @Test
    void a_successful_reply_carries_the_relay_address() throws IOException {
        CommandReply reply = decoded(SUCCESS_BOUND_192_0_2_1_1080);
        assertTrue(reply.isSuccess());
        assertEquals(0, reply.rep());
        assertSame(ReplyCode.SUCCEEDED, reply.replyCode());
        assertEquals(SocksAddress.ofIpv4(bytes(0xC0, 0x00, 0x02, 0x01), 1080), reply.bound());
    }

    @Test
    void a_failed_reply_reports_its_rep() throws IOException {
        CommandReply reply = decoded(REFUSED_BOUND_ZEROS);
        assertFalse(reply.isSuccess());
        assertEquals(5, reply.rep());
        assertSame(ReplyCode.CONNECTION_REFUSED, reply.replyCode());
        assertTrue(reply.toString().contains("connection refused (REP 0x05)"), reply.toString());
    }

    @Test
    void an_unassigned_rep_is_kept_as_a_number_and_is_not_success() throws IOException {
        CommandReply reply = decoded(bytes(0x05, 0x2A, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
        assertEquals(0x2A, reply.rep());
        assertSame(ReplyCode.UNASSIGNED, reply.replyCode());
        assertFalse(reply.isSuccess());
    }

    @Test
    void a_reply_may_bind_an_ipv6_address() throws IOException {
        CommandReply reply = decoded(SUCCESS_BOUND_2001_DB8__1_53);
        assertEquals(Socks5.ATYP_IPV6, reply.bound().type());
        assertEquals("2001:db8:0:0:0:0:0:1", reply.bound().host());
        assertEquals(53, reply.bound().port());
    }

    @Test
    void a_reply_may_bind_a_domain_name() throws IOException {
        assertEquals(SocksAddress.ofDomain("localhost", 1080), decoded(SUCCESS_BOUND_LOCALHOST_1080).bound());
    }

    @Test
    void a_reply_may_bind_an_empty_domain_name_meaning_the_proxy_itself() throws IOException {
        SocksAddress bound = decoded(SUCCESS_BOUND_EMPTY_DOMAIN_1080).bound();
        assertTrue(bound.isWildcard());
        assertEquals(1080, bound.port());
    }

    @Test
    void a_reply_is_incomplete_until_its_last_byte_arrived() throws IOException {
        assertEveryTruncationIsIncomplete(CommandReply::decode, SUCCESS_BOUND_192_0_2_1_1080);
        assertEveryTruncationIsIncomplete(CommandReply::decode, REFUSED_BOUND_ZEROS);
        assertEveryTruncationIsIncomplete(CommandReply::decode, SUCCESS_BOUND_2001_DB8__1_53);
        assertEveryTruncationIsIncomplete(CommandReply::decode, SUCCESS_BOUND_LOCALHOST_1080);
        assertEveryTruncationIsIncomplete(CommandReply::decode, SUCCESS_BOUND_EMPTY_DOMAIN_1080);
    }

    @Test
    void a_nonzero_reserved_byte_is_tolerated() throws IOException {
        CommandReply reply = decoded(bytes(0x05, 0x00, 0x01, 0x01, 0xC0, 0x00, 0x02, 0x01, 0x04, 0x38));
        assertTrue(reply.isSuccess());
        assertEquals(1080, reply.bound().port());
    }

    @Test
    void a_reply_with_version_4_is_rejected_with_a_readable_message() {
        SocksProtocolException e = assertMalformed(CommandReply::decode,
                bytes(0x04, 0x00, 0x00, 0x01, 0xC0, 0x00, 0x02, 0x01, 0x04, 0x38));
        assertEquals("reply has version 4, expected 5", e.getMessage());
    }

    @Test
    void a_wrong_version_is_reported_as_soon_as_its_byte_arrives() {
        assertMalformed(CommandReply::decode, bytes(0x00));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x02, 0x05, 0xFF})
    void an_unknown_address_type_is_rejected_and_the_message_keeps_the_rep(int atyp) {
        SocksProtocolException e = assertMalformed(CommandReply::decode,
                bytes(0x05, 0x01, 0x00, atyp, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
        assertTrue(e.getMessage().contains(String.format("unknown address type 0x%02x", atyp)), e.getMessage());
        assertTrue(e.getMessage().contains("general SOCKS server failure (REP 0x01)"), e.getMessage());
    }

    // ---- server side ----

    @Test
    void the_server_side_encodes_every_vector() throws IOException {
        assertArrayEquals(SUCCESS_BOUND_192_0_2_1_1080, written(out ->
                ServerSide.encodeReply(out, 0, SocksAddress.ofIpv4(bytes(0xC0, 0x00, 0x02, 0x01), 1080))));
        assertArrayEquals(REFUSED_BOUND_ZEROS, written(out ->
                ServerSide.encodeReply(out, ReplyCode.CONNECTION_REFUSED.code(), SocksAddress.zeroIpv4())));
        assertArrayEquals(SUCCESS_BOUND_LOCALHOST_1080, written(out ->
                ServerSide.encodeReply(out, 0, SocksAddress.ofDomain("localhost", 1080))));
        SocksAddress empty = decodeComplete(SocksAddress::decode, bytes(0x03, 0x00, 0x04, 0x38));
        assertArrayEquals(SUCCESS_BOUND_EMPTY_DOMAIN_1080, written(out -> ServerSide.encodeReply(out, 0, empty)));
    }

    @Test
    void encode_rejects_a_rep_that_is_not_an_octet_and_a_null_address() {
        assertThrows(IllegalArgumentException.class,
                () -> written(out -> ServerSide.encodeReply(out, -1, SocksAddress.zeroIpv4())));
        assertThrows(IllegalArgumentException.class,
                () -> written(out -> ServerSide.encodeReply(out, 256, SocksAddress.zeroIpv4())));
        assertThrows(IllegalArgumentException.class,
                () -> written(out -> ServerSide.encodeReply(out, 0, null)));
    }

    @Test
    void a_reply_that_does_not_fit_writes_nothing() {
        assertOverflowWritesNothing(out -> ServerSide.encodeReply(out, 0, SocksAddress.zeroIpv4()), 10);
    }

    @Test
    void all_256_rep_values_survive_encode_then_decode() throws IOException {
        SocksAddress bound = SocksAddress.ofDomain("localhost", 1080);
        for (int rep = 0; rep <= 0xFF; rep++) {
            final int r = rep;
            CommandReply reply = decoded(written(out -> ServerSide.encodeReply(out, r, bound)));
            assertEquals(rep, reply.rep());
            assertEquals(rep == 0, reply.isSuccess());
            assertEquals(bound, reply.bound());
        }
    }
}
