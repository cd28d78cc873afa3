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

import java.io.IOException;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 1928 section 3. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class MethodNegotiationTest {

    @Test
    void a_greeting_offering_only_no_auth_is_05_01_00() {
        assertArrayEquals(bytes(0x05, 0x01, 0x00),
                written(out -> MethodNegotiation.encodeGreeting(out, Socks5.NO_AUTH)));
    }

    @Test
    void a_greeting_offering_no_auth_and_password_lists_both_in_order() {
        assertArrayEquals(bytes(0x05, 0x02, 0x00, 0x02),
                written(out -> MethodNegotiation.encodeGreeting(out, Socks5.NO_AUTH, Socks5.USERNAME_PASSWORD)));
        assertArrayEquals(bytes(0x05, 0x02, 0x02, 0x00),
                written(out -> MethodNegotiation.encodeGreeting(out, Socks5.USERNAME_PASSWORD, Socks5.NO_AUTH)));
    }

    @Test
    void a_greeting_may_offer_255_methods() {
        final int[] methods = new int[255];
        byte[] expected = new byte[257];
        expected[0] = 0x05;
        expected[1] = (byte) 0xFF;
        for (int i = 0; i < 255; i++) {
            methods[i] = i;
            expected[2 + i] = (byte) i;
        }
        assertArrayEquals(expected, written(out -> MethodNegotiation.encodeGreeting(out, methods)));
    }

    @Test
    void a_greeting_rejects_no_methods_too_many_methods_and_null() {
        assertThrows(IllegalArgumentException.class,
                () -> written(out -> MethodNegotiation.encodeGreeting(out)));
        assertThrows(IllegalArgumentException.class,
                () -> written(out -> MethodNegotiation.encodeGreeting(out, new int[256])));
        assertThrows(IllegalArgumentException.class,
                () -> written(out -> MethodNegotiation.encodeGreeting(out, (int[]) null)));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 256, 0x1FF})
    void a_greeting_rejects_a_method_that_is_not_an_octet(int method) {
        assertThrows(IllegalArgumentException.class,
                () -> written(out -> MethodNegotiation.encodeGreeting(out, Socks5.NO_AUTH, method)));
    }

    @Test
    void a_greeting_that_does_not_fit_writes_nothing() {
        assertOverflowWritesNothing(
                out -> MethodNegotiation.encodeGreeting(out, Socks5.NO_AUTH, Socks5.USERNAME_PASSWORD), 4);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x01, 0x02, 0x03, 0x80, 0xFE, 0xFF})
    void the_selection_returns_the_method_the_server_chose_including_no_acceptable_methods(int method)
            throws IOException {
        assertEquals(Integer.valueOf(method),
                decodeComplete(MethodNegotiation::decodeSelection, bytes(0x05, method)));
    }

    @Test
    void the_selection_is_incomplete_until_both_bytes_arrived() throws IOException {
        assertEveryTruncationIsIncomplete(MethodNegotiation::decodeSelection, bytes(0x05, 0x00));
    }

    @Test
    void a_selection_with_version_4_is_rejected_with_a_readable_message() {
        SocksProtocolException e = assertMalformed(MethodNegotiation::decodeSelection, bytes(0x04, 0x00));
        assertEquals("method selection has version 4, expected 5", e.getMessage());
    }

    @Test
    void a_wrong_version_is_reported_as_soon_as_its_byte_arrives() {
        // An HTTP proxy answering "HTTP/1.1 400" fails here at once.
        assertMalformed(MethodNegotiation::decodeSelection, bytes(0x48));
    }
}
