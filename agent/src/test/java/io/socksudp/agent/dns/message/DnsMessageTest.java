package io.socksudp.agent.dns.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.List;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The DNS codec against hand-written RFC 1035 byte vectors. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DnsMessageTest {

    /** Hex with spaces, e.g. "12 34 01 00". */
    static byte[] hex(String text) {
        String t = text.replaceAll("\\s+", "");
        byte[] b = new byte[t.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(t.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    // www.example.test as labels
    static final String WWW = "03 777777 07 6578616d706c65 04 74657374 00";

    @Test
    void a_query_is_the_header_one_question_and_class_IN() {
        byte[] q = DnsQuery.encode(0x1234, "www.example.test", Dns.TYPE_A);
        // ID 1234, flags 0100 (RD), QDCOUNT 1, others 0; QNAME; QTYPE 1; QCLASS 1
        assertArrayEquals(hex("1234 0100 0001 0000 0000 0000" + WWW + "0001 0001"), q);
        byte[] aaaa = DnsQuery.encode(0xFFFF, "www.example.test.", Dns.TYPE_AAAA);
        assertArrayEquals(hex("FFFF 0100 0001 0000 0000 0000" + WWW + "001C 0001"), aaaa);
        assertArrayEquals(concat(hex("00 22"), q), DnsQuery.forTcp(q));
    }

    @Test
    void names_that_cannot_be_sent_are_refused() {
        assertThrows(IllegalArgumentException.class, () -> DnsQuery.encode(1, "a..b", Dns.TYPE_A));
        assertThrows(IllegalArgumentException.class, () -> DnsQuery.encode(1, ".", Dns.TYPE_A));
        assertThrows(IllegalArgumentException.class, () -> DnsQuery.encode(1, "", Dns.TYPE_A));
        assertThrows(IllegalArgumentException.class, () -> DnsQuery.encode(1, "a b.test", Dns.TYPE_A));
        assertThrows(IllegalArgumentException.class, () -> DnsQuery.encode(1, "b\u00fccher.test", Dns.TYPE_A));
        assertThrows(IllegalArgumentException.class, () -> DnsQuery.encode(1, "x".repeat(64) + ".test", Dns.TYPE_A));
        String label = "x".repeat(63);
        // 4 labels of 63 = 256 bytes with lengths and root: over 255
        assertThrows(IllegalArgumentException.class,
                () -> DnsQuery.encode(1, label + "." + label + "." + label + "." + label, Dns.TYPE_A));
        DnsQuery.encode(1, label + "." + label + "." + label + "." + "x".repeat(61), Dns.TYPE_A); // 255: fits
        assertThrows(IllegalArgumentException.class, () -> DnsQuery.encode(70000, "a.test", Dns.TYPE_A));
    }

    @Test
    void a_response_with_a_compression_pointer_to_the_question() throws Exception {
        // RFC 1035 4.1.4: the answer's owner is a pointer (C0 0C) to the question name at offset 12.
        byte[] msg = hex("1234 8180 0001 0002 0000 0000" + WWW + "0001 0001"
                + "C00C 0001 0001 00000E10 0004 C0000207"
                + "C00C 0001 0001 7FFFFFFF 0004 C0000208");
        DnsResponse r = DnsResponse.decode(msg, 0, msg.length);
        assertEquals(0x1234, r.id());
        assertEquals(Dns.RCODE_NOERROR, r.rcode());
        assertFalse(r.truncated());
        assertTrue(r.answers("WWW.Example.TEST", Dns.TYPE_A));
        assertFalse(r.answers("www.example.test", Dns.TYPE_AAAA));
        assertFalse(r.answers("ww.example.test", Dns.TYPE_A));
        assertEquals(2, r.answers().size());
        assertEquals("www.example.test", r.answers().get(0).name());
        assertEquals(3600, r.answers().get(0).ttl());
        List<byte[]> a = r.addresses("www.example.test", Dns.TYPE_A);
        assertEquals(2, a.size());
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 7}, a.get(0));
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 8}, a.get(1));
    }

    @Test
    void the_rfc_1035_example_of_a_pointer_after_labels() throws Exception {
        // Section 4.1.4's example: F.ISI.ARPA at offset 20, FOO.F.ISI.ARPA as "FOO" + pointer to 20. Here the
        // question is F.ISI.ARPA (at 12) and a CNAME's target is FOO + pointer to 12.
        byte[] msg = hex("0001 8180 0001 0002 0000 0000"
                + "01 46 03 495349 04 41525041 00" + "0001 0001"
                + "C00C 0005 0001 0000003C 0006 03 464F4F C00C"
                + "03 666F6F C00C 0001 0001 0000003C 0004 0A000001");
        DnsResponse r = DnsResponse.decode(msg, 0, msg.length);
        assertEquals("F.ISI.ARPA", r.questionName());
        assertEquals("FOO.F.ISI.ARPA", r.answers().get(0).target());
        assertEquals("foo.F.ISI.ARPA", r.answers().get(1).name());
        // CNAME followed, names compared without case
        List<byte[]> a = r.addresses("f.isi.arpa", Dns.TYPE_A);
        assertEquals(1, a.size());
        assertArrayEquals(new byte[] {10, 0, 0, 1}, a.get(0));
    }

    @Test
    void aaaa_ptr_and_rcodes() throws Exception {
        byte[] aaaa = hex("0002 8180 0001 0001 0000 0000" + WWW + "001C 0001"
                + "C00C 001C 0001 00000001 0010 20010db8000000000000000000000001");
        DnsResponse r = DnsResponse.decode(aaaa, 0, aaaa.length);
        assertArrayEquals(hex("20010db8000000000000000000000001"), r.addresses("www.example.test", Dns.TYPE_AAAA).get(0));
        assertTrue(r.addresses("www.example.test", Dns.TYPE_A).isEmpty());

        String reverse = DnsName.reverse(new byte[] {(byte) 192, 0, 2, 7});
        assertEquals("7.2.0.192.in-addr.arpa", reverse);
        byte[] qname = DnsName.encode(reverse);
        byte[] ptr = concat(hex("0003 8580 0001 0001 0000 0000"), qname, hex("000C 0001 C00C 000C 0001 00000E10 0012"),
                hex("03 777777 07 6578616d706c65 04 74657374 00"));
        r = DnsResponse.decode(ptr, 0, ptr.length);
        assertEquals("www.example.test", r.pointer(reverse));

        byte[] nx = hex("0004 8183 0001 0000 0000 0000" + WWW + "0001 0001");
        r = DnsResponse.decode(nx, 0, nx.length);
        assertEquals(Dns.RCODE_NXDOMAIN, r.rcode());
        assertNull(r.pointer("www.example.test"));
        assertEquals("NXDOMAIN (no such name)", Dns.rcodeName(r.rcode()));

        assertEquals("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
                DnsName.reverse(hex("20010db8000000000000000000000001")));
    }

    @Test
    void a_truncated_response_may_end_after_its_question() throws Exception {
        // TC set, ANCOUNT 40, but only one record fits before the end
        byte[] msg = hex("0005 8380 0001 0028 0000 0000" + WWW + "0001 0001 C00C 0001 0001 00000E10 0004 C0000207");
        DnsResponse r = DnsResponse.decode(msg, 0, msg.length);
        assertTrue(r.truncated());
        assertEquals(1, r.answers().size());
    }

    @Test
    void a_label_with_odd_bytes_gets_one_escaped_text_form() throws Exception {
        byte[] msg = hex("0006 8180 0001 0000 0000 0000 03 612E62 04 74657374 00 0001 0001");
        assertEquals("a\\046b.test", DnsResponse.decode(msg, 0, msg.length).questionName());
    }

    @Test
    void decodes_at_an_offset() throws Exception {
        byte[] msg = hex("0007 8180 0001 0000 0000 0000" + WWW + "0001 0001");
        byte[] padded = concat(hex("FFFF FF"), msg);
        assertEquals(7, DnsResponse.decode(padded, 3, msg.length).id());
    }

    // ----------------------------------------------------------------------------------------- malformed

    static String malformed(String hexText) {
        byte[] msg = hex(hexText);
        return assertThrows(DnsFormatException.class, () -> DnsResponse.decode(msg, 0, msg.length)).getMessage();
    }

    @Test
    void malformed_responses_are_refused_with_a_reason() {
        assertTrue(malformed("1234 8180 0001 0000 0000").contains("shorter than the 12-byte header"));
        assertTrue(malformed("1234 0100 0001 0000 0000 0000" + WWW + "0001 0001").contains("a query"));
        assertTrue(malformed("1234 A980 0001 0000 0000 0000" + WWW + "0001 0001").contains("OPCODE 5"));
        assertTrue(malformed("1234 8180 0000 0000 0000 0000").contains("0 questions"));
        assertTrue(malformed("1234 8180 0002 0000 0000 0000" + WWW + "0001 0001").contains("2 questions"));
        // a question cut short
        assertTrue(malformed("1234 8180 0001 0000 0000 0000" + WWW + "0001").contains("question runs past"));
        assertTrue(malformed("1234 8180 0001 0000 0000 0000 03 7777").contains("label runs past"));
        assertTrue(malformed("1234 8180 0001 0000 0000 0000 03 777777").contains("name runs past"));
        // an answer whose data runs past the end, and an A record of 5 bytes
        assertTrue(malformed("1234 8180 0001 0001 0000 0000" + WWW + "0001 0001 C00C 0001 0001 00000E10 0008 C0000207")
                .contains("data runs past"));
        assertTrue(malformed("1234 8180 0001 0001 0000 0000" + WWW + "0001 0001 C00C 0001 0001 00000E10 0005 C000020700")
                .contains("5 data bytes, not 4"));
        assertTrue(malformed("1234 8180 0001 0001 0000 0000" + WWW + "0001 0001 C00C 0001 0001 0000")
                .contains("record header runs past"));
        // a CNAME whose name does not fill its data
        assertTrue(malformed("1234 8180 0001 0001 0000 0000" + WWW + "0001 0001 C00C 0005 0001 00000E10 0003 C00C 00")
                .contains("bytes after its name"));
        // reserved label type 01xxxxxx
        assertTrue(malformed("1234 8180 0001 0000 0000 0000 41 00 0001 0001").contains("reserved type bits"));
    }

    @Test
    void compression_pointers_must_point_strictly_backwards() {
        // the question name is a pointer to itself (offset 12): a loop
        assertTrue(malformed("1234 8180 0001 0000 0000 0000 C00C 0001 0001").contains("loop"));
        // a pointer forwards, past itself
        assertTrue(malformed("1234 8180 0001 0000 0000 0000 C010 0001 0001 00").contains("loop"));
        // two names pointing at each other: the answer's owner points at a label followed by a pointer to it
        assertTrue(malformed("1234 8180 0001 0001 0000 0000" + WWW + "0001 0001 01 61 C022 0001 0001 00000E10 0004 C0000207")
                .contains("loop"));
        // a pointer cut in half at the end
        assertTrue(malformed("1234 8180 0001 0000 0000 0000 C0").contains("pointer runs past"));
    }

    @Test
    void a_name_over_255_bytes_through_pointers_is_refused() {
        // four 63-byte labels chained by pointers: 4 * 64 + 1 = 257 bytes once expanded
        StringBuilder sb = new StringBuilder("1234 8180 0001 0001 0000 0000");
        String label = "3F" + "78".repeat(63);
        sb.append(label).append("00 0001 0001"); // question at 12: one label (65 bytes), class/type
        // answer owner: label, label, label, pointer to 12
        sb.append(label).append(label).append(label).append("C00C 0001 0001 00000E10 0004 C0000207");
        assertTrue(malformed(sb.toString()).contains("longer than 255"));
    }

    @Test
    void a_ttl_with_the_top_bit_set_counts_as_zero() throws Exception {
        byte[] msg = hex("1234 8180 0001 0001 0000 0000" + WWW + "0001 0001 C00C 0001 0001 80000000 0004 C0000207");
        assertEquals(0, DnsResponse.decode(msg, 0, msg.length).answers().get(0).ttl());
    }
}
