package io.socksudp.agent.socks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * An address as SOCKS5 carries it: ATYP, address, port (RFC 1928 section 5, the
 * {@code ATYP DST.ADDR DST.PORT} / {@code ATYP BND.ADDR BND.PORT} part of requests and replies).
 *
 * <p>Immutable. A domain name is kept as the exact bytes seen on (or destined for) the wire, so
 * decoding and re-encoding is lossless even for bytes that are not valid UTF-8; {@link #host()}
 * shows them decoded as UTF-8.
 *
 * <p>Conversions never touch DNS: IP addresses become resolved {@link InetSocketAddress}es through
 * {@link InetAddress#getByAddress(byte[])}, names become unresolved ones.
 */
public final class SocksAddress {

    private static final Charset UTF_8 = Charset.forName("UTF-8");
    private static final int MAX_DOMAIN_LENGTH = 255;
    private static final SocksAddress ZERO_IPV4 = new SocksAddress(Socks5.ATYP_IPV4, new byte[4], 0);

    private final int type;
    /** The 4 or 16 address bytes, or the domain name bytes without the length prefix. */
    private final byte[] address;
    private final int port;

    private SocksAddress(int type, byte[] address, int port) {
        this.type = type;
        this.address = address;
        this.port = port;
    }

    /**
     * The SOCKS form of a Java socket address: a resolved IPv4 address becomes ATYP 1, a resolved
     * IPv6 address ATYP 4 (its scope id is dropped: it means nothing to the proxy), an unresolved
     * address ATYP 3 with its host name, which lets the proxy do the name resolution (RFC 1928
     * section 5). IPv4-mapped IPv6 addresses stay IPv4 because {@link InetAddress} already turns
     * them into {@link Inet4Address}es.
     *
     * @throws IllegalArgumentException if the address is null or its host name is empty or longer
     *     than 255 bytes in UTF-8
     */
    public static SocksAddress of(InetSocketAddress socketAddress) {
        Wire.requireNonNull(socketAddress, "socket address");
        InetAddress ip = socketAddress.getAddress();
        if (socketAddress.isUnresolved() || ip == null) {
            return ofDomain(socketAddress.getHostString(), socketAddress.getPort());
        }
        if (ip instanceof Inet4Address) {
            return new SocksAddress(Socks5.ATYP_IPV4, ip.getAddress(), socketAddress.getPort());
        }
        if (ip instanceof Inet6Address) {
            return new SocksAddress(Socks5.ATYP_IPV6, ip.getAddress(), socketAddress.getPort());
        }
        throw new IllegalArgumentException("unsupported address family: " + ip.getClass().getName());
    }

    /**
     * {@code 0.0.0.0:0}: RFC 1928 section 6 lets a UDP ASSOCIATE request carry all zeros when the
     * client does not know the address and port it will send from (for example behind NAT).
     */
    public static SocksAddress zeroIpv4() {
        return ZERO_IPV4;
    }

    public static SocksAddress ofIpv4(byte[] address, int port) {
        return ofIp(Socks5.ATYP_IPV4, address, 4, port);
    }

    /** Kept as ATYP 4 even for an IPv4-mapped address: the caller chose the wire form explicitly. */
    public static SocksAddress ofIpv6(byte[] address, int port) {
        return ofIp(Socks5.ATYP_IPV6, address, 16, port);
    }

    /**
     * A host name for the proxy to resolve.
     *
     * @throws IllegalArgumentException if the name is null, empty or longer than 255 bytes in UTF-8
     *     (the one-octet length prefix of RFC 1928 section 5)
     */
    public static SocksAddress ofDomain(String host, int port) {
        Wire.requireNonNull(host, "host name");
        Wire.checkPort(port);
        byte[] name = host.getBytes(UTF_8);
        if (name.length == 0) {
            throw new IllegalArgumentException("host name must not be empty");
        }
        if (name.length > MAX_DOMAIN_LENGTH) {
            throw new IllegalArgumentException(
                    "host name must be at most 255 bytes in UTF-8, was " + name.length + " bytes");
        }
        return new SocksAddress(Socks5.ATYP_DOMAIN, name, port);
    }

    private static SocksAddress ofIp(int type, byte[] address, int expectedLength, int port) {
        Wire.requireNonNull(address, "address");
        if (address.length != expectedLength) {
            throw new IllegalArgumentException((type == Socks5.ATYP_IPV4 ? "IPv4" : "IPv6")
                    + " address must be " + expectedLength + " bytes, was " + address.length);
        }
        Wire.checkPort(port);
        return new SocksAddress(type, address.clone(), port);
    }

    /** One of {@link Socks5#ATYP_IPV4}, {@link Socks5#ATYP_DOMAIN}, {@link Socks5#ATYP_IPV6}. */
    public int type() {
        return type;
    }

    public int port() {
        return port;
    }

    /**
     * True for {@code 0.0.0.0}, {@code ::} and the empty domain name, whatever the port. A server
     * that puts one of these in BND.ADDR means "my own address": the caller should then use the
     * address it reached the proxy at.
     */
    public boolean isWildcard() {
        if (type == Socks5.ATYP_DOMAIN) {
            return address.length == 0;
        }
        for (byte b : address) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The host part as text: dotted quad for IPv4, eight colon-separated hex groups (the form of
     * {@link Inet6Address#getHostAddress()}) for IPv6, the name for a domain (may be empty).
     */
    public String host() {
        switch (type) {
            case Socks5.ATYP_IPV4:
                return (address[0] & 0xFF) + "." + (address[1] & 0xFF) + "."
                        + (address[2] & 0xFF) + "." + (address[3] & 0xFF);
            case Socks5.ATYP_IPV6:
                StringBuilder sb = new StringBuilder(39);
                for (int i = 0; i < 16; i += 2) {
                    if (i > 0) {
                        sb.append(':');
                    }
                    sb.append(Integer.toHexString(((address[i] & 0xFF) << 8) | (address[i + 1] & 0xFF)));
                }
                return sb.toString();
            default:
                return new String(address, UTF_8);
        }
    }

    /**
     * IP types become resolved addresses (no DNS; an IPv4-mapped ATYP 4 address becomes an
     * {@link Inet4Address}, as everywhere in Java); a domain becomes
     * {@link InetSocketAddress#createUnresolved unresolved}, the empty domain included.
     */
    public InetSocketAddress toInetSocketAddress() {
        if (type == Socks5.ATYP_DOMAIN) {
            return InetSocketAddress.createUnresolved(host(), port);
        }
        return new InetSocketAddress(toInetAddress(address), port);
    }

    static InetAddress toInetAddress(byte[] ip) {
        try {
            return InetAddress.getByAddress(ip);
        } catch (UnknownHostException e) {
            // Only thrown for a length other than 4 or 16, which the factories rule out.
            throw new IllegalStateException(e);
        }
    }

    /** Bytes of {@code ATYP ADDR PORT}. */
    public int encodedLength() {
        return 1 + (type == Socks5.ATYP_DOMAIN ? 1 : 0) + address.length + 2;
    }

    /**
     * Writes {@code ATYP ADDR PORT} at the buffer's position (an empty domain, which only
     * {@link #decode} can produce, is written as a zero length octet).
     *
     * @throws java.nio.BufferOverflowException if it does not fit; nothing is written then
     */
    public void encode(ByteBuffer out) {
        Wire.ensureRemaining(out, encodedLength());
        out.put((byte) type);
        if (type == Socks5.ATYP_DOMAIN) {
            out.put((byte) address.length);
        }
        out.put(address);
        Wire.putU16(out, port);
    }

    /**
     * Reads {@code ATYP ADDR PORT}. A zero-length domain name is accepted: some servers send it in
     * BND.ADDR to mean "the proxy's own address" (see {@link #isWildcard()}).
     *
     * @return the address, or null (position unchanged) if the buffer does not hold all of it yet
     * @throws SocksProtocolException on an unknown ATYP
     */
    public static SocksAddress decode(ByteBuffer in) throws SocksProtocolException {
        int start = in.position();
        int length = lengthAt(in, start);
        if (length < 0 || in.limit() - start < length) {
            return null;
        }
        int type = Wire.u8(in, start);
        int addressStart = start + (type == Socks5.ATYP_DOMAIN ? 2 : 1);
        byte[] address = new byte[length - (addressStart - start) - 2];
        for (int i = 0; i < address.length; i++) {
            address[i] = in.get(addressStart + i);
        }
        int port = Wire.u16(in, start + length - 2);
        in.position(start + length);
        return new SocksAddress(type, address, port);
    }

    /**
     * The encoded length of the address starting at {@code index}, or -1 if the bytes that tell it
     * (ATYP, and the length octet of a domain) have not arrived yet.
     */
    static int lengthAt(ByteBuffer in, int index) throws SocksProtocolException {
        if (in.limit() - index < 1) {
            return -1;
        }
        int type = Wire.u8(in, index);
        switch (type) {
            case Socks5.ATYP_IPV4:
                return 1 + 4 + 2;
            case Socks5.ATYP_IPV6:
                return 1 + 16 + 2;
            case Socks5.ATYP_DOMAIN:
                return in.limit() - index < 2 ? -1 : 1 + 1 + Wire.u8(in, index + 1) + 2;
            default:
                throw new SocksProtocolException("unknown address type " + Wire.hex(type)
                        + ", expected 0x01 (IPv4), 0x03 (domain name) or 0x04 (IPv6)");
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SocksAddress)) {
            return false;
        }
        SocksAddress that = (SocksAddress) o;
        return type == that.type && port == that.port && Arrays.equals(address, that.address);
    }

    @Override
    public int hashCode() {
        return (type * 31 + port) * 31 + Arrays.hashCode(address);
    }

    /** {@code 192.0.2.1:53}, {@code [2001:db8:0:0:0:0:0:1]:53}, {@code localhost:53}. */
    @Override
    public String toString() {
        switch (type) {
            case Socks5.ATYP_IPV6:
                return "[" + host() + "]:" + port;
            case Socks5.ATYP_DOMAIN:
                return (address.length == 0 ? "(empty domain name)" : host()) + ":" + port;
            default:
                return host() + ":" + port;
        }
    }
}
