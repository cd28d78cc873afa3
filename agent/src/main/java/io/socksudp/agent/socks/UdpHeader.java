package io.socksudp.agent.socks;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;

/**
 * RFC 1928 section 7: the header in front of every relayed datagram,
 * {@code RSV(2) FRAG(1) ATYP DST.ADDR DST.PORT}. Towards the relay it names the destination;
 * from the relay it names the source.
 *
 * <p>This is the per-datagram hot path: {@link #encodedLength(InetSocketAddress)},
 * {@link #encode(ByteBuffer, InetSocketAddress)} for IPv4 and domain names, {@link #parse} and
 * {@link #addressEquals} allocate nothing.
 */
public final class UdpHeader {

    /** Too short for its address type, RSV not zero, or a zero-length domain name. */
    public static final int MALFORMED = -1;
    /**
     * FRAG is not zero. Fragmentation is optional in RFC 1928 section 7 ("an implementation that
     * does not support fragmentation MUST drop any datagram whose FRAG field is other than X'00'"),
     * and we do not support it.
     */
    public static final int FRAGMENTED = -2;
    /** ATYP is not 1, 3 or 4. */
    public static final int BAD_ADDRESS_TYPE = -3;

    private static final Charset UTF_8 = Charset.forName("UTF-8");
    private static final int FIXED = 2 + 1 + 1 + 2; // RSV FRAG ATYP ... PORT

    /**
     * {@link Inet4Address#hashCode()} returns the address as a big-endian int in every JDK from 1.0
     * on, while {@link InetAddress#getAddress()} allocates a fresh array. The contract does not
     * promise it, so it is checked once here and getAddress() used if some JVM differs.
     */
    private static final boolean IPV4_HASH_IS_ADDRESS = ipv4HashIsAddress();

    private UdpHeader() {
    }

    private static boolean ipv4HashIsAddress() {
        InetAddress probe = SocksAddress.toInetAddress(new byte[] {(byte) 192, 0, 2, (byte) 129});
        return probe.hashCode() == 0xC0000281;
    }

    /**
     * 10 for an IPv4 destination, 22 for IPv6, 7 + the name's UTF-8 length for an unresolved one.
     *
     * @throws IllegalArgumentException if dst is null or an unresolved name is empty or over 255
     *     bytes
     */
    public static int encodedLength(InetSocketAddress dst) {
        Wire.requireNonNull(dst, "destination");
        InetAddress ip = dst.getAddress();
        if (dst.isUnresolved() || ip == null) {
            return FIXED + 1 + checkedNameLength(dst.getHostString());
        }
        return FIXED + (ip instanceof Inet4Address ? 4 : 16);
    }

    /**
     * Writes the header for {@code dst} with FRAG 0 at out.position() and advances the position.
     * A resolved address is sent as ATYP 1 or 4, an unresolved one as ATYP 3 with its
     * {@link InetSocketAddress#getHostString() host string}, for the proxy to resolve.
     *
     * <p>An IPv6 destination costs one 16-byte array ({@link InetAddress#getAddress()} clones);
     * callers cache the encoded header per destination, so it is paid once per peer.
     *
     * @return the header length
     * @throws IllegalArgumentException as {@link #encodedLength(InetSocketAddress)}
     * @throws java.nio.BufferOverflowException if it does not fit; nothing is written then
     */
    public static int encode(ByteBuffer out, InetSocketAddress dst) {
        int length = encodedLength(dst);
        Wire.ensureRemaining(out, length);
        out.put((byte) 0).put((byte) 0); // RSV
        out.put((byte) 0); // FRAG: a standalone datagram
        InetAddress ip = dst.getAddress();
        if (dst.isUnresolved() || ip == null) {
            String host = dst.getHostString();
            out.put((byte) Socks5.ATYP_DOMAIN);
            out.put((byte) (length - FIXED - 1));
            Utf8.write(out, host);
        } else if (ip instanceof Inet4Address) {
            out.put((byte) Socks5.ATYP_IPV4);
            if (IPV4_HASH_IS_ADDRESS) {
                Wire.putInt32(out, ip.hashCode()); // the address, big-endian: see IPV4_HASH_IS_ADDRESS
            } else {
                out.put(ip.getAddress());
            }
        } else {
            out.put((byte) Socks5.ATYP_IPV6);
            out.put(ip.getAddress());
        }
        Wire.putU16(out, dst.getPort());
        return length;
    }

    /** Convenience for building a per-destination cache entry: the header in a fresh array. */
    public static byte[] encode(InetSocketAddress dst) {
        byte[] header = new byte[encodedLength(dst)];
        encode(ByteBuffer.wrap(header), dst);
        return header;
    }

    /**
     * Validates the header of a datagram received from the relay, looking at the bytes from
     * position to limit without changing either.
     *
     * <p>A non-zero RSV is {@link #MALFORMED}: unlike a TCP reply, which arrives on a connection we
     * opened and is tolerated, a datagram can come from anyone who reaches the socket, real relays
     * always send zeros, and a cheap sanity check that drops stray non-SOCKS datagrams is worth
     * more than leniency here.
     *
     * @return the header length (&gt; 0; the payload starts at position + that), or
     *     {@link #MALFORMED}, {@link #FRAGMENTED} or {@link #BAD_ADDRESS_TYPE}
     */
    public static int parse(ByteBuffer datagram) {
        int p = datagram.position();
        int available = datagram.limit() - p;
        if (available < 4) {
            return MALFORMED;
        }
        if (datagram.get(p) != 0 || datagram.get(p + 1) != 0) {
            return MALFORMED;
        }
        if (datagram.get(p + 2) != 0) {
            return FRAGMENTED;
        }
        int length;
        switch (Wire.u8(datagram, p + 3)) {
            case Socks5.ATYP_IPV4:
                length = FIXED + 4;
                break;
            case Socks5.ATYP_IPV6:
                length = FIXED + 16;
                break;
            case Socks5.ATYP_DOMAIN:
                if (available < 5) {
                    return MALFORMED;
                }
                int nameLength = Wire.u8(datagram, p + 4);
                if (nameLength == 0) {
                    return MALFORMED; // no address at all: nothing to attribute the payload to
                }
                length = FIXED + 1 + nameLength;
                break;
            default:
                return BAD_ADDRESS_TYPE;
        }
        return available < length ? MALFORMED : length;
    }

    /**
     * The address in the header of a datagram that {@link #parse} accepted, without moving the
     * position: resolved for ATYP 1 and 4 (no DNS; an IPv4-mapped ATYP 4 address comes back as an
     * {@link Inet4Address}), unresolved for a domain name. Allocates.
     *
     * @throws IllegalArgumentException if {@link #parse} would not accept the datagram
     */
    public static InetSocketAddress decodeAddress(ByteBuffer datagram) {
        int length = parse(datagram);
        if (length < 0) {
            throw new IllegalArgumentException("not a valid SOCKS5 UDP header: " + describeParseResult(length));
        }
        int p = datagram.position();
        int port = Wire.u16(datagram, p + length - 2);
        int type = Wire.u8(datagram, p + 3);
        if (type == Socks5.ATYP_DOMAIN) {
            byte[] name = new byte[Wire.u8(datagram, p + 4)];
            copy(datagram, p + 5, name);
            return InetSocketAddress.createUnresolved(new String(name, UTF_8), port);
        }
        byte[] ip = new byte[type == Socks5.ATYP_IPV4 ? 4 : 16];
        copy(datagram, p + 4, ip);
        return new InetSocketAddress(SocksAddress.toInetAddress(ip), port);
    }

    /**
     * Whether the datagram's header, at its position, is byte-for-byte {@code encodedHeader} (as
     * returned by {@link #encode(InetSocketAddress)}). Lets the caller reuse a cached
     * {@link InetSocketAddress} for a peer it has seen before instead of decoding a new one. Moves
     * nothing, allocates nothing; false if the datagram is shorter than the header.
     */
    public static boolean addressEquals(ByteBuffer datagram, byte[] encodedHeader) {
        int p = datagram.position();
        int n = encodedHeader.length;
        if (datagram.limit() - p < n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (datagram.get(p + i) != encodedHeader[i]) {
                return false;
            }
        }
        return true;
    }

    /** Text for a negative {@link #parse} result, for logs. */
    public static String describeParseResult(int result) {
        switch (result) {
            case MALFORMED:
                return "malformed header";
            case FRAGMENTED:
                return "fragmented datagram (FRAG != 0), fragmentation is not supported";
            case BAD_ADDRESS_TYPE:
                return "unknown address type";
            default:
                return result > 0 ? "valid header of " + result + " bytes" : "unknown result " + result;
        }
    }

    private static int checkedNameLength(String host) {
        int length = Utf8.length(host);
        if (length < 1 || length > 255) {
            throw new IllegalArgumentException("host name must be 1..255 bytes in UTF-8, was " + length + " bytes");
        }
        return length;
    }

    private static void copy(ByteBuffer from, int index, byte[] to) {
        for (int i = 0; i < to.length; i++) {
            to[i] = from.get(index + i);
        }
    }
}
