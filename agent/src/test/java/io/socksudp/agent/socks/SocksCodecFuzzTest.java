package io.socksudp.agent.socks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Every decoder of bytes that arrive from the network (the proxy's TCP replies, the relay's datagrams, and the
 * server-side halves the reference relay uses), fed whatever Jazzer makes up. Beyond "no exception other than
 * {@link SocksProtocolException}", each input is checked against the codec's written contract (package-info):
 * an incomplete or rejected message leaves the buffer untouched; a decoded one consumes exactly its bytes,
 * every shorter prefix of it is merely incomplete (streaming TCP input), and it encodes back to the same bytes.
 *
 * <p>One fuzz test for all decoders (the first input byte picks one), because Jazzer fuzzes a single test per
 * run: CI runs it for a bounded time (agent/pom.xml, execution {@code fuzz}); in the normal test phase it runs
 * on the empty input and the committed inputs in {@code SocksCodecFuzzTestInputs/decoders}, which include
 * every finding.
 *
 * <p>Input layout: byte 0 picks the decoder, byte 1 the offset of the message in its buffer (0..15, filled
 * with junk before it, so absolute indexes are exercised), byte 2 bit 0 a direct instead of a heap buffer;
 * the rest is the message.
 */
class SocksCodecFuzzTest {

    private static final int DECODERS = 7;

    @FuzzTest(maxDuration = "20s")
    void decoders(byte[] input) throws Exception {
        if (input.length < 3) {
            return;
        }
        byte[] message = Arrays.copyOfRange(input, 3, input.length);
        int offset = input[1] & 0x0f;
        boolean direct = (input[2] & 1) != 0;
        switch ((input[0] & 0xff) % DECODERS) {
            case 0:
                udpHeader(buffer(message, offset, direct));
                break;
            case 1:
                streamed(message, offset, direct, SocksAddress::decode, SocksCodecFuzzTest::encodeAddress);
                break;
            case 2:
                streamed(message, offset, direct, CommandReply::decode, SocksCodecFuzzTest::encodeReply);
                break;
            case 3:
                streamed(message, offset, direct, MethodNegotiation::decodeSelection,
                        (Integer method, byte[] decoded) -> new byte[] {Socks5.VERSION, method.byteValue()});
                break;
            case 4:
                streamed(message, offset, direct, PasswordAuth::decodeResponse, SocksCodecFuzzTest::encodeResponse);
                break;
            case 5:
                streamed(message, offset, direct, ServerSide::decodeRequest, null);
                break;
            default:
                streamed(message, offset, direct, ServerSide::decodeLogin, SocksCodecFuzzTest::encodeRequest);
                break;
        }
    }

    /** The per-datagram parser: never throws, never moves the buffer, and agrees with the other decoders. */
    private static void udpHeader(ByteBuffer datagram) throws SocksProtocolException {
        ByteBuffer before = datagram.duplicate();
        int length = UdpHeader.parse(datagram);
        assertUnmoved(before, datagram);
        assertNotNull(UdpHeader.describeParseResult(length));
        if (length < 0) {
            assertTrue(length == UdpHeader.MALFORMED || length == UdpHeader.FRAGMENTED
                    || length == UdpHeader.BAD_ADDRESS_TYPE, "unknown parse result " + length);
            return;
        }
        int available = datagram.remaining(); // 8: the shortest header, a one-byte name
        assertTrue(length >= 8 && length <= available, "header length " + length + " of " + available);
        InetSocketAddress sender = UdpHeader.decodeAddress(datagram);
        assertUnmoved(before, datagram);
        assertNotNull(sender);

        // The header's address, read by the TCP-side decoder, is the same address of the same length.
        ByteBuffer address = datagram.duplicate();
        address.position(datagram.position() + 3);
        SocksAddress same = SocksAddress.decode(address);
        assertNotNull(same, "parse accepted a header whose address SocksAddress cannot read");
        assertEquals(datagram.position() + length, address.position());
        assertEquals(sender.getPort(), same.port());

        byte[] header = new byte[length];
        datagram.duplicate().get(header);
        if (encodesBackExactly(header)) {
            assertArrayEquals(header, UdpHeader.encode(sender), "decoded " + sender + " encodes differently");
            assertTrue(UdpHeader.addressEquals(datagram, UdpHeader.encode(sender)));
        }
    }

    /**
     * A decoded sender encodes back to its header unless the header used a form the encoder never writes: an
     * IPv4-mapped IPv6 address (decoded as IPv4) or a name that is not valid UTF-8.
     */
    private static boolean encodesBackExactly(byte[] header) {
        int type = header[3] & 0xff;
        if (type == Socks5.ATYP_IPV6) {
            boolean mapped = header[14] == (byte) 0xff && header[15] == (byte) 0xff;
            for (int i = 4; i < 14; i++) {
                mapped &= header[i] == 0;
            }
            return !mapped;
        }
        if (type == Socks5.ATYP_DOMAIN) {
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(header, 5, header.length - 7));
            } catch (CharacterCodingException notUtf8) {
                return false;
            }
        }
        return true;
    }

    private interface Decoder<T> {
        T decode(ByteBuffer in) throws SocksProtocolException;
    }

    private interface Encoder<T> {
        /**
         * The bytes {@code value} encodes to, or null where the encoder rightly refuses what decoded; {@code
         * decoded} are the bytes it was decoded from, for fields the decoder tolerates and ignores.
         */
        byte[] encode(T value, byte[] decoded);
    }

    /** The contract of the stream decoders (package-info), for one input. */
    private static <T> void streamed(byte[] message, int offset, boolean direct, Decoder<T> decoder,
            Encoder<T> encoder) {
        ByteBuffer in = buffer(message, offset, direct);
        ByteBuffer before = in.duplicate();
        T value;
        try {
            value = decoder.decode(in);
        } catch (SocksProtocolException rejected) {
            assertNotNull(rejected.getMessage());
            assertUnmoved(before, in);
            return;
        }
        if (value == null) {
            assertUnmoved(before, in);
            return;
        }
        assertNotNull(value.toString());
        int consumed = in.position() - offset;
        assertTrue(consumed > 0 && consumed <= message.length, "consumed " + consumed + " of " + message.length);
        assertEquals(before.limit(), in.limit());
        for (int prefix = 0; prefix < consumed; prefix++) {
            ByteBuffer shorter = buffer(Arrays.copyOf(message, prefix), offset, direct);
            try {
                assertNull(decoder.decode(shorter), "a " + prefix + "-byte prefix of a " + consumed
                        + "-byte message decoded");
            } catch (SocksProtocolException e) {
                fail("a " + prefix + "-byte prefix of a message that decodes was rejected: " + e.getMessage());
            }
            assertEquals(offset, shorter.position());
        }
        if (encoder != null) {
            byte[] decoded = Arrays.copyOf(message, consumed);
            byte[] encoded = encoder.encode(value, decoded);
            if (encoded != null) {
                assertArrayEquals(decoded, encoded, value + " encodes differently");
            }
        }
    }

    private static byte[] encodeAddress(SocksAddress address, byte[] decoded) {
        ByteBuffer out = ByteBuffer.allocate(address.encodedLength());
        address.encode(out);
        return out.array();
    }

    /** A reply's RSV is tolerated and ignored (UdpHeader's javadoc): it encodes as zero, whatever came in. */
    private static byte[] encodeReply(CommandReply reply, byte[] decoded) {
        ByteBuffer out = ByteBuffer.allocate(3 + reply.bound().encodedLength());
        ServerSide.encodeReply(out, reply.rep(), reply.bound());
        byte[] encoded = out.array();
        assertEquals(0, encoded[2]);
        encoded[2] = decoded[2];
        return encoded;
    }

    private static byte[] encodeResponse(Boolean success, byte[] decoded) {
        return success ? new byte[] {Socks5.PASSWORD_AUTH_VERSION, 0} : null; // any non-zero STATUS is failure
    }

    private static byte[] encodeRequest(ServerSide.Login request, byte[] decoded) {
        byte[] user = request.username();
        byte[] password = request.password();
        if (user.length == 0 || password.length == 0) {
            return null; // accepted for the server to refuse; the client's encoder never writes them
        }
        ByteBuffer out = ByteBuffer.allocate(3 + user.length + password.length);
        PasswordAuth.encodeRequest(out, user, password);
        return out.array();
    }

    private static ByteBuffer buffer(byte[] message, int offset, boolean direct) {
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(offset + message.length)
                : ByteBuffer.allocate(offset + message.length);
        for (int i = 0; i < offset; i++) {
            b.put((byte) (0xa5 ^ i)); // junk in front: the decoders must read from position, not from 0
        }
        b.put(message);
        b.position(offset);
        return b;
    }

    private static void assertUnmoved(ByteBuffer before, ByteBuffer after) {
        assertEquals(before.position(), after.position(), "position moved");
        assertEquals(before.limit(), after.limit(), "limit moved");
        assertEquals(before, after, "content changed");
    }
}
