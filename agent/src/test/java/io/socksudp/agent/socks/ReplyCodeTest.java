package io.socksudp.agent.socks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 1928 section 6, the REP table. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ReplyCodeTest {

    /** Copied by hand from RFC 1928 section 6, in REP order. */
    private static final String[] RFC_MESSAGES = {
        "succeeded",
        "general SOCKS server failure",
        "connection not allowed by ruleset",
        "network unreachable",
        "host unreachable",
        "connection refused",
        "TTL expired",
        "command not supported",
        "address type not supported",
    };
    private static final ReplyCode[] IN_REP_ORDER = {
        ReplyCode.SUCCEEDED, ReplyCode.GENERAL_FAILURE, ReplyCode.NOT_ALLOWED, ReplyCode.NETWORK_UNREACHABLE,
        ReplyCode.HOST_UNREACHABLE, ReplyCode.CONNECTION_REFUSED, ReplyCode.TTL_EXPIRED,
        ReplyCode.COMMAND_NOT_SUPPORTED, ReplyCode.ADDRESS_TYPE_NOT_SUPPORTED,
    };

    @Test
    void every_one_of_the_256_rep_values_maps_to_its_rfc_meaning() {
        for (int rep = 0; rep <= 0xFF; rep++) {
            ReplyCode code = ReplyCode.of(rep);
            if (rep <= 0x08) {
                assertSame(IN_REP_ORDER[rep], code, "REP " + rep);
                assertEquals(rep, code.code(), "REP " + rep);
                assertEquals(RFC_MESSAGES[rep], code.message(), "REP " + rep);
            } else {
                assertSame(ReplyCode.UNASSIGNED, code, "REP " + rep);
            }
        }
    }

    @Test
    void unassigned_has_code_minus_1_and_says_unassigned() {
        assertEquals(-1, ReplyCode.UNASSIGNED.code());
        assertEquals("unassigned reply code", ReplyCode.UNASSIGNED.message());
    }

    @Test
    void there_are_exactly_nine_assigned_codes_plus_unassigned() {
        assertEquals(10, ReplyCode.values().length);
    }

    @Test
    void describe_names_the_meaning_and_the_value_in_hex() {
        assertEquals("succeeded (REP 0x00)", ReplyCode.describe(0x00));
        assertEquals("general SOCKS server failure (REP 0x01)", ReplyCode.describe(0x01));
        assertEquals("address type not supported (REP 0x08)", ReplyCode.describe(0x08));
        assertEquals("unassigned reply code (REP 0x09)", ReplyCode.describe(0x09));
        assertEquals("unassigned reply code (REP 0x2a)", ReplyCode.describe(0x2A));
        assertEquals("unassigned reply code (REP 0xff)", ReplyCode.describe(0xFF));
    }

    @Test
    void describe_works_for_all_256_values() {
        for (int rep = 0; rep <= 0xFF; rep++) {
            String expected = (rep <= 0x08 ? RFC_MESSAGES[rep] : "unassigned reply code")
                    + String.format(" (REP 0x%02x)", rep);
            assertEquals(expected, ReplyCode.describe(rep));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 256, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void values_that_are_not_an_octet_are_rejected(int rep) {
        assertThrows(IllegalArgumentException.class, () -> ReplyCode.of(rep));
        assertThrows(IllegalArgumentException.class, () -> ReplyCode.describe(rep));
    }
}
