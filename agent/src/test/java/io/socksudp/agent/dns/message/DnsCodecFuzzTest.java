package io.socksudp.agent.dns.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.Arrays;

/**
 * The DNS response decoder, the one decoder of what a DNS server (or anyone forging its answers) sends, fed whatever
 * Jazzer makes up: only {@link DnsFormatException} may come out; a decoded response is the same wherever it sits in
 * its buffer, names every record it kept with a well-formed owner, gives A and AAAA data of the right length, and its
 * question, asked again, encodes to the bytes it was read from (unless it used compression or escapes, which a query
 * never holds). The resolver's reading of a response ({@code addresses}, {@code pointer}, {@code answers}) never
 * throws either.
 *
 * <p>Like {@code SocksCodecFuzzTest}: CI fuzzes for a bounded time (agent/pom.xml, execution {@code fuzz}); the
 * normal test phase runs the committed inputs in {@code DnsCodecFuzzTestInputs/responses} (the one named
 * {@code question-labels-then-pointer} came from a mistake in this test's own expectation and stays as an edge case).
 * Input layout: byte 0 is the offset (0..15) of the message in its buffer; the rest is the message. 420,000 inputs
 * in 21 s found nothing in the decoder.
 */
class DnsCodecFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void responses(byte[] input) throws Exception {
        if (input.length < 1) {
            return;
        }
        byte[] message = Arrays.copyOfRange(input, 1, input.length);
        int offset = input[0] & 0x0f;
        byte[] buffer = new byte[offset + message.length];
        Arrays.fill(buffer, 0, offset, (byte) 0xC0); // junk that looks like compression pointers
        System.arraycopy(message, 0, buffer, offset, message.length);
        DnsResponse r;
        try {
            r = DnsResponse.decode(buffer, offset, message.length);
        } catch (DnsFormatException e) {
            assertNotNull(e.getMessage());
            return;
        }
        DnsResponse atZero = DnsResponse.decode(message, 0, message.length);
        assertEquals(atZero.id(), r.id());
        assertEquals(atZero.questionName(), r.questionName());
        assertEquals(atZero.answers().toString(), r.answers().toString());

        int ancount = ((message[6] & 0xff) << 8) | (message[7] & 0xff);
        assertTrue(r.answers().size() <= ancount, r.answers().size() + " answers of " + ancount);
        for (DnsRecord record : r.answers()) {
            assertNotNull(record.name());
            assertTrue(record.ttl() >= 0 && record.ttl() <= Integer.MAX_VALUE);
            byte[] address = record.address();
            if (address != null) {
                assertEquals(record.type() == Dns.TYPE_A ? 4 : 16, address.length);
            }
        }
        String q = r.questionName();
        r.answers(q, r.questionType());
        r.addresses(q, Dns.TYPE_A);
        r.addresses(q, Dns.TYPE_AAAA);
        r.pointer(q);

        // A plain question (labels only, no pointer, no escape) is the query the client would have sent.
        if (!q.isEmpty() && q.indexOf('\\') < 0 && labelsOnly(message, 12)) {
            byte[] wire = DnsName.encode(q);
            assertArrayEquals(Arrays.copyOfRange(message, 12, 12 + wire.length), wire, "question " + q);
        }
    }

    /** Whether the name at {@code at} is labels ended by the root label, with no compression pointer. */
    private static boolean labelsOnly(byte[] message, int at) {
        int p = at;
        while (p < message.length) {
            int length = message[p] & 0xff;
            if (length == 0) {
                return true;
            }
            if ((length & 0xc0) != 0) {
                return false;
            }
            p += 1 + length;
        }
        return false;
    }
}
