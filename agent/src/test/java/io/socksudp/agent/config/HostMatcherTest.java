package io.socksudp.agent.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HostMatcherTest {

    static InetSocketAddress ip(int... bytes) throws UnknownHostException {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return new InetSocketAddress(InetAddress.getByAddress(b), 53);
    }

    static InetSocketAddress v6(String groups) throws UnknownHostException {
        long[] value = IpLiterals.parseIpv6(groups);
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (value[0] >>> (56 - 8 * i));
            b[8 + i] = (byte) (value[1] >>> (56 - 8 * i));
        }
        return new InetSocketAddress(InetAddress.getByAddress(b), 53);
    }

    static InetSocketAddress name(String host) {
        return InetSocketAddress.createUnresolved(host, 53);
    }

    @Test
    void the_default_matches_every_loopback_address() throws Exception {
        HostMatcher m = HostMatcher.defaultLoopback();
        assertTrue(m.matches(ip(127, 0, 0, 1)));
        assertTrue(m.matches(ip(127, 1, 2, 3)));
        assertTrue(m.matches(v6("::1")));
        assertTrue(m.matches(name("localhost")));
        assertTrue(m.matches(name("LocalHost")));
        assertTrue(m.matches(name("127.0.0.1")));
        assertTrue(m.matches(name("::1")));
        assertTrue(m.matches(name("[0:0:0:0:0:0:0:1]")));
    }

    @Test
    void the_default_matches_nothing_else() throws Exception {
        HostMatcher m = HostMatcher.defaultLoopback();
        assertFalse(m.matches(ip(10, 0, 0, 1)));
        assertFalse(m.matches(ip(128, 0, 0, 1)));
        assertFalse(m.matches(v6("::2")));
        assertFalse(m.matches(name("example.com")));
        assertFalse(m.matches(name("notlocalhost")));
        assertEquals("localhost|127.*|[::1] (default: and any loopback address)", m.toString());
    }

    @Test
    void none_matches_nothing_not_even_loopback() throws Exception {
        assertFalse(HostMatcher.none().matches(ip(127, 0, 0, 1)));
        assertFalse(HostMatcher.none().matches(name("localhost")));
        assertSame(HostMatcher.none(), HostMatcher.of(""));
        assertSame(HostMatcher.none(), HostMatcher.of(" | "));
        assertTrue(HostMatcher.none().toString().startsWith("(none"));
    }

    @Test
    void null_never_matches() {
        assertFalse(HostMatcher.of("*").matches(null));
    }

    @Test
    void host_names_match_exactly_and_case_insensitively() {
        HostMatcher m = HostMatcher.of("Db.Example.COM");
        assertTrue(m.matches(name("db.example.com")));
        assertTrue(m.matches(name("DB.EXAMPLE.COM")));
        assertFalse(m.matches(name("xdb.example.com")));
        assertFalse(m.matches(name("db.example.co")));
    }

    @Test
    void a_leading_wildcard_matches_a_suffix() {
        HostMatcher m = HostMatcher.of("*.example.com");
        assertTrue(m.matches(name("a.example.com")));
        assertTrue(m.matches(name("a.b.EXAMPLE.com")));
        assertFalse(m.matches(name("example.com")));
        assertFalse(m.matches(name("notexample.com")));
    }

    @Test
    void a_trailing_wildcard_matches_a_prefix() throws Exception {
        HostMatcher m = HostMatcher.of("192.168.*");
        assertTrue(m.matches(ip(192, 168, 1, 20)));
        assertFalse(m.matches(ip(10, 192, 168, 1)));
        assertFalse(m.matches(ip(192, 169, 0, 1)));
    }

    @Test
    void wildcards_at_both_ends_match_anywhere() {
        HostMatcher m = HostMatcher.of("*internal*");
        assertTrue(m.matches(name("internal")));
        assertTrue(m.matches(name("a.internal.example")));
        assertFalse(m.matches(name("intern.al")));
    }

    @Test
    void a_lone_wildcard_matches_everything() throws Exception {
        HostMatcher m = HostMatcher.of("*");
        assertTrue(m.matches(ip(8, 8, 8, 8)));
        assertTrue(m.matches(v6("2001:db8::1")));
        assertTrue(m.matches(name("anything.example")));
    }

    @Test
    void several_patterns_are_separated_by_bars_with_spaces_allowed() throws Exception {
        HostMatcher m = HostMatcher.of(" a.example | 10.* ||[2001:db8::1] ");
        assertTrue(m.matches(name("a.example")));
        assertTrue(m.matches(ip(10, 9, 9, 9)));
        assertTrue(m.matches(v6("2001:db8::1")));
        assertFalse(m.matches(name("b.example")));
        assertEquals("a.example|10.*|[2001:db8::1]", m.toString());
    }

    @Test
    void ipv4_literals_match_the_address_and_unresolved_literal_text() throws Exception {
        HostMatcher m = HostMatcher.of("192.0.2.5");
        assertTrue(m.matches(ip(192, 0, 2, 5)));
        assertTrue(m.matches(name("192.0.2.5")));
        assertFalse(m.matches(ip(192, 0, 2, 50)));
    }

    @Test
    void ipv6_loopback_matches_in_every_spelling() throws Exception {
        for (String pattern : new String[] {"[::1]", "::1", "[0:0:0:0:0:0:0:1]", "0:0:0:0:0:0:0:1",
                "0000:0000:0000:0000:0000:0000:0000:0001"}) {
            HostMatcher m = HostMatcher.of(pattern);
            assertTrue(m.matches(v6("::1")), pattern);
            assertTrue(m.matches(name("::1")), pattern);
            assertTrue(m.matches(name("[::1]")), pattern);
            assertTrue(m.matches(name("0:0:0:0:0:0:0:1")), pattern);
            assertFalse(m.matches(v6("::2")), pattern);
            assertFalse(m.matches(ip(127, 0, 0, 1)), pattern);
        }
    }

    @Test
    void ipv6_matching_ignores_case_and_scope_ids() throws Exception {
        byte[] b = new byte[16];
        b[0] = (byte) 0xfe;
        b[1] = (byte) 0x80;
        b[15] = (byte) 0xab;
        InetSocketAddress scoped = new InetSocketAddress(Inet6Address.getByAddress(null, b, 3), 53);
        assertTrue(scoped.getAddress().getHostAddress().endsWith("%3"));
        assertTrue(HostMatcher.of("[FE80::AB]").matches(scoped));
        assertTrue(HostMatcher.of("[fe80::ab%7]").matches(scoped));
        assertTrue(HostMatcher.of("fe80::ab").matches(name("fe80::AB%eth0")));
    }

    @Test
    void ipv6_wildcards_match_the_compressed_and_the_java_form() throws Exception {
        assertTrue(HostMatcher.of("fe80::*").matches(v6("fe80::1")));
        assertTrue(HostMatcher.of("[fe80:0:0:*]").matches(v6("fe80::1")));
        assertTrue(HostMatcher.of("2001:db8:*").matches(v6("2001:db8::5")));
        assertTrue(HostMatcher.of("*::5").matches(v6("2001:db8::5")));
        assertFalse(HostMatcher.of("fe80::*").matches(v6("fe81::1")));
    }

    @Test
    void an_ipv4_mapped_ipv6_pattern_matches_the_ipv4_address() throws Exception {
        assertTrue(HostMatcher.of("[::ffff:10.1.2.3]").matches(ip(10, 1, 2, 3)));
    }

    @Test
    void the_host_name_an_address_carries_is_matched_without_any_lookup() throws Exception {
        InetSocketAddress named = new InetSocketAddress(
                InetAddress.getByAddress("db.internal.example", new byte[] {10, 0, 0, 7}), 53);
        assertTrue(HostMatcher.of("*.internal.example").matches(named));
        assertTrue(HostMatcher.of("10.0.0.7").matches(named));
        assertFalse(HostMatcher.of("other.example").matches(named));
    }

    @Test
    void an_address_without_a_name_is_matched_on_its_literal_only() throws Exception {
        // getHostString() returns the literal; a reverse lookup would be needed to match a name
        InetSocketAddress bare = ip(127, 0, 0, 1);
        assertFalse(HostMatcher.of("localhost").matches(bare));
        assertTrue(bare.getHostString().equals("127.0.0.1"));
    }

    @Test
    void invalid_patterns_are_rejected_with_a_message() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostMatcher.of("a*b"));
        assertTrue(e.getMessage().contains("'a*b'"));
        assertThrows(IllegalArgumentException.class, () -> HostMatcher.of("***"));
        assertThrows(IllegalArgumentException.class, () -> HostMatcher.of("[::1"));
        assertThrows(IllegalArgumentException.class, () -> HostMatcher.of("a%b"));
        assertThrows(IllegalArgumentException.class, () -> HostMatcher.of("a$b"));
    }

    @Test
    void ip_literal_parsing_accepts_every_rfc_4291_form() {
        assertArrayEquals(new long[] {0, 1}, IpLiterals.parseIpv6("::1"));
        assertArrayEquals(new long[] {0, 0}, IpLiterals.parseIpv6("::"));
        assertArrayEquals(new long[] {0x20010db800000000L, 1}, IpLiterals.parseIpv6("2001:DB8::1"));
        assertArrayEquals(new long[] {0x0001000000000000L, 0}, IpLiterals.parseIpv6("1::"));
        assertArrayEquals(new long[] {0, 0x0000ffff0a010203L}, IpLiterals.parseIpv6("::ffff:10.1.2.3"));
        assertArrayEquals(new long[] {0x0001000200030004L, 0x00050006ffffffffL},
                IpLiterals.parseIpv6("1:2:3:4:5:6:255.255.255.255"));
        assertArrayEquals(new long[] {0x0001000200030004L, 0x0005000600070008L},
                IpLiterals.parseIpv6("1:2:3:4:5:6:7:8"));
        assertArrayEquals(new long[] {0x0001000000000000L, 0x0000000000000008L}, IpLiterals.parseIpv6("1::8"));
    }

    @Test
    void ip_literal_parsing_rejects_everything_else() {
        for (String s : new String[] {"", ":", ":1", "1:", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9",
                "1:2:3:4:5:6:7", "12345::", "g::1", "::1.2.3", "::256.1.1.1", "1.2.3.4", "host.example",
                "1:2:3:4:5:6:7::8:9", "::1.2.3.4.5"}) {
            assertNull(IpLiterals.parseIpv6(s), s);
        }
    }

    @Test
    void ipv6_text_forms_follow_rfc_5952_and_java() {
        assertEquals("2001:db8::1", text("2001:0DB8:0:0:0:0:0:1"));
        assertEquals("2001:db8::1:0:0:1", text("2001:db8:0:0:1:0:0:1"));
        assertEquals("2001:0:0:1::1", text("2001:0:0:1:0:0:0:1"));
        assertEquals("2001:db8:0:1:1:1:1:1", text("2001:db8:0:1:1:1:1:1"));
        assertEquals("::", text("0:0:0:0:0:0:0:0"));
        assertEquals("::1", text("0:0:0:0:0:0:0:1"));
        assertEquals("1::", text("1:0:0:0:0:0:0:0"));
        long[] v = IpLiterals.parseIpv6("::1");
        assertEquals("0:0:0:0:0:0:0:1", IpLiterals.full(v[0], v[1]));
    }

    private static String text(String s) {
        long[] v = IpLiterals.parseIpv6(s);
        return IpLiterals.compressed(v[0], v[1]);
    }
}
