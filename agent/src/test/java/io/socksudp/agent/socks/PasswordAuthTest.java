package io.socksudp.agent.socks;

import static io.socksudp.agent.socks.Bytes.ascii;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 1929 section 2. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PasswordAuthTest {

    private static final String SECRET = "hunter2-secret";
    // VER=1, ULEN=5 "alice", PLEN=6 "s3cret"
    private static final byte[] ALICE_S3CRET = bytes(0x01,
            0x05, 0x61, 0x6C, 0x69, 0x63, 0x65,
            0x06, 0x73, 0x33, 0x63, 0x72, 0x65, 0x74);

    @Test
    void a_request_is_version_1_then_length_prefixed_username_and_password() {
        assertArrayEquals(ALICE_S3CRET,
                written(out -> PasswordAuth.encodeRequest(out, ascii("alice"), ascii("s3cret"))));
    }

    @Test
    void a_request_accepts_255_byte_username_and_password() {
        byte[] expected = concat(bytes(0x01, 0xFF), repeat('u', 255), bytes(0xFF), repeat('p', 255));
        assertArrayEquals(expected,
                written(out -> PasswordAuth.encodeRequest(out, repeat('u', 255), repeat('p', 255))));
    }

    @Test
    void a_request_accepts_one_byte_username_and_password() {
        assertArrayEquals(bytes(0x01, 0x01, 0x75, 0x01, 0x70),
                written(out -> PasswordAuth.encodeRequest(out, ascii("u"), ascii("p"))));
    }

    @Test
    void a_request_rejects_an_empty_oversize_or_null_username() {
        assertThrows(IllegalArgumentException.class, encoding(new byte[0], ascii(SECRET)));
        assertThrows(IllegalArgumentException.class, encoding(repeat('u', 256), ascii(SECRET)));
        assertThrows(IllegalArgumentException.class, encoding(null, ascii(SECRET)));
    }

    @Test
    void a_request_rejects_an_empty_oversize_or_null_password() {
        assertThrows(IllegalArgumentException.class, encoding(ascii("alice"), new byte[0]));
        assertThrows(IllegalArgumentException.class, encoding(ascii("alice"), repeat('p', 256)));
        assertThrows(IllegalArgumentException.class, encoding(ascii("alice"), null));
    }

    @Test
    void no_exception_message_contains_the_password() {
        byte[] longSecret = concat(ascii(SECRET), repeat('x', 256 - SECRET.length()));
        Executable[] failures = {
            encoding(new byte[0], ascii(SECRET)),
            encoding(repeat('u', 256), ascii(SECRET)),
            encoding(null, ascii(SECRET)),
            encoding(ascii("alice"), longSecret),
        };
        for (Executable failure : failures) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, failure);
            assertFalse(e.getMessage().contains(SECRET), e.getMessage());
            assertFalse(e.getMessage().contains("xxxx"), e.getMessage());
        }
    }

    @Test
    void a_request_that_does_not_fit_writes_nothing() {
        assertOverflowWritesNothing(out -> PasswordAuth.encodeRequest(out, ascii("alice"), ascii("s3cret")),
                ALICE_S3CRET.length);
    }

    private static Executable encoding(byte[] username, byte[] password) {
        return () -> written(out -> PasswordAuth.encodeRequest(out, username, password));
    }

    // ---- response ----

    @Test
    void status_0_means_authenticated() throws IOException {
        assertEquals(Boolean.TRUE, decodeComplete(PasswordAuth::decodeResponse, bytes(0x01, 0x00)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x01, 0x02, 0x7F, 0x80, 0xFF})
    void any_other_status_means_rejected(int status) throws IOException {
        assertEquals(Boolean.FALSE, decodeComplete(PasswordAuth::decodeResponse, bytes(0x01, status)));
    }

    @Test
    void the_response_is_incomplete_until_both_bytes_arrived() throws IOException {
        assertEveryTruncationIsIncomplete(PasswordAuth::decodeResponse, bytes(0x01, 0x00));
    }

    @Test
    void a_response_with_the_socks_version_5_instead_of_1_is_rejected() {
        SocksProtocolException e = assertMalformed(PasswordAuth::decodeResponse, bytes(0x05, 0x00));
        assertEquals("password authentication response has version 5, expected 1", e.getMessage());
        assertMalformed(PasswordAuth::decodeResponse, bytes(0x05));
    }

    @Test
    void the_server_side_encodes_success_as_00_and_failure_as_01() {
        assertArrayEquals(bytes(0x01, 0x00), written(out -> ServerSide.encodeLoginResponse(out, true)));
        assertArrayEquals(bytes(0x01, 0x01), written(out -> ServerSide.encodeLoginResponse(out, false)));
        assertOverflowWritesNothing(out -> ServerSide.encodeLoginResponse(out, true), 2);
    }

    // ---- server-side request decoding ----

    @Test
    void the_server_side_decodes_username_and_password() throws IOException {
        ServerSide.Login request = decodeComplete(ServerSide::decodeLogin, ALICE_S3CRET);
        assertArrayEquals(ascii("alice"), request.username());
        assertArrayEquals(ascii("s3cret"), request.password());
    }

    @Test
    void the_request_is_incomplete_until_the_last_password_byte_arrived() throws IOException {
        assertEveryTruncationIsIncomplete(ServerSide::decodeLogin, ALICE_S3CRET);
    }

    @Test
    void the_server_side_accepts_empty_fields_and_leaves_refusing_them_to_the_server() throws IOException {
        ServerSide.Login request = decodeComplete(ServerSide::decodeLogin, bytes(0x01, 0x00, 0x00));
        assertEquals(0, request.username().length);
        assertEquals(0, request.password().length);
    }

    @Test
    void a_request_with_version_5_is_rejected() {
        SocksProtocolException e = assertMalformed(ServerSide::decodeLogin, bytes(0x05, 0x01, 0x61, 0x01, 0x62));
        assertEquals("password authentication request has version 5, expected 1", e.getMessage());
    }

    @Test
    void the_decoded_request_does_not_print_its_password_and_hands_out_copies() throws IOException {
        byte[] wire = concat(bytes(0x01, 0x05), ascii("alice"), bytes(SECRET.length()), ascii(SECRET));
        ServerSide.Login request = decodeComplete(ServerSide::decodeLogin, wire);
        assertTrue(request.toString().contains("alice"), request.toString());
        assertFalse(request.toString().contains(SECRET), request.toString());
        request.password()[0] = 'X';
        assertArrayEquals(ascii(SECRET), request.password());
    }

    @Test
    void an_encoded_request_decodes_to_the_same_credentials() throws IOException {
        byte[] wire = written(out -> PasswordAuth.encodeRequest(out, repeat(0xC3, 200), repeat(0x00, 255)));
        ServerSide.Login request = decodeComplete(ServerSide::decodeLogin, wire);
        assertArrayEquals(repeat(0xC3, 200), request.username());
        assertArrayEquals(repeat(0x00, 255), request.password());
    }
}
