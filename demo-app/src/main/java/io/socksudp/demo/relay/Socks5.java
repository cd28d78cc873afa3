package io.socksudp.demo.relay;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The slice of RFC 1928 (and the RFC 1929 constants) that a UDP relay needs, written from the RFC on purpose:
 * the agent's own codec is tested against this server, so the two must not share code.
 */
final class Socks5 {
    static final int VERSION = 5;
    static final int AUTH_VERSION = 1;

    static final int METHOD_NO_AUTH = 0x00;
    static final int METHOD_USERNAME_PASSWORD = 0x02;
    static final int METHOD_NONE_ACCEPTABLE = 0xFF;

    static final int CMD_CONNECT = 1;
    static final int CMD_BIND = 2;
    static final int CMD_UDP_ASSOCIATE = 3;

    static final int ATYP_IPV4 = 1;
    static final int ATYP_DOMAIN = 3;
    static final int ATYP_IPV6 = 4;

    static final int REP_SUCCEEDED = 0;
    static final int REP_GENERAL_FAILURE = 1;
    static final int REP_COMMAND_NOT_SUPPORTED = 7;
    static final int REP_ADDRESS_TYPE_NOT_SUPPORTED = 8;

    static final int AUTH_SUCCESS = 0;
    static final int AUTH_FAILURE = 1;

    private static final InetSocketAddress ZERO = new InetSocketAddress(ipv4Any(), 0);

    private Socks5() {
    }

    /** A datagram's address type is not one of the three RFC 1928 defines. */
    static final class BadAddressTypeException extends IOException {
        private static final long serialVersionUID = 1L;
        final int atyp;

        BadAddressTypeException(int atyp) {
            super("address type " + atyp + " not supported");
            this.atyp = atyp;
        }
    }

    /** A client datagram that cannot be parsed as RFC 1928 section 7 describes. */
    static final class MalformedDatagramException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedDatagramException(String message) {
            super(message);
        }
    }

    /** The parsed header of a client datagram; a domain-name destination stays unresolved. */
    record UdpHeader(int frag, InetSocketAddress destination, int payloadOffset, int payloadLength) {
    }

    static String commandName(int cmd) {
        return switch (cmd) {
            case CMD_CONNECT -> "CONNECT";
            case CMD_BIND -> "BIND";
            case CMD_UDP_ASSOCIATE -> "UDP ASSOCIATE";
            default -> "command " + cmd;
        };
    }

    /**
     * Reads {@code DST.ADDR DST.PORT} for the given address type, exactly as many bytes as it needs (the
     * stream may already hold whatever the client pipelined after it). Domain names come back unresolved.
     */
    static InetSocketAddress readAddress(DataInputStream in, int atyp) throws IOException {
        InetAddress ip;
        switch (atyp) {
            case ATYP_IPV4 -> ip = InetAddress.getByAddress(readBytes(in, 4));
            case ATYP_IPV6 -> ip = InetAddress.getByAddress(readBytes(in, 16));
            case ATYP_DOMAIN -> {
                String name = new String(readBytes(in, in.readUnsignedByte()), StandardCharsets.US_ASCII);
                return InetSocketAddress.createUnresolved(name, in.readUnsignedShort());
            }
            default -> throw new BadAddressTypeException(atyp);
        }
        return new InetSocketAddress(ip, in.readUnsignedShort());
    }

    static byte[] readBytes(DataInputStream in, int length) throws IOException {
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    /** {@code VER REP RSV ATYP BND.ADDR BND.PORT}; failures carry the all-zero IPv4 address. */
    static byte[] reply(int rep, InetSocketAddress bound) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(22);
        out.write(VERSION);
        out.write(rep);
        out.write(0);
        writeAddress(out, bound == null ? ZERO : bound);
        return out.toByteArray();
    }

    /** {@code ATYP ADDR PORT} for a resolved address; IPv4-mapped addresses already arrive as IPv4 from the JDK. */
    static void writeAddress(ByteArrayOutputStream out, InetSocketAddress address) {
        byte[] ip = address.getAddress().getAddress();
        out.write(address.getAddress() instanceof Inet4Address ? ATYP_IPV4 : ATYP_IPV6);
        out.writeBytes(ip);
        out.write(address.getPort() >>> 8);
        out.write(address.getPort() & 0xFF);
    }

    /** {@code RSV(2) FRAG ATYP DST.ADDR DST.PORT DATA}, checked against the datagram's real length. */
    static UdpHeader parseUdp(byte[] data, int length) throws MalformedDatagramException {
        if (length < 4) {
            throw new MalformedDatagramException("shorter than a header");
        }
        if (data[0] != 0 || data[1] != 0) {
            throw new MalformedDatagramException("RSV not zero");
        }
        int frag = data[2] & 0xFF;
        int atyp = data[3] & 0xFF;
        int offset = 4;
        InetSocketAddress destination;
        try {
            switch (atyp) {
                case ATYP_IPV4, ATYP_IPV6 -> {
                    int size = atyp == ATYP_IPV4 ? 4 : 16;
                    need(length, offset + size + 2);
                    InetAddress ip = InetAddress.getByAddress(java.util.Arrays.copyOfRange(data, offset, offset + size));
                    offset += size;
                    destination = new InetSocketAddress(ip, port(data, offset));
                }
                case ATYP_DOMAIN -> {
                    need(length, offset + 1);
                    int nameLength = data[offset++] & 0xFF;
                    if (nameLength == 0) {
                        throw new MalformedDatagramException("empty domain name");
                    }
                    need(length, offset + nameLength + 2);
                    String name = new String(data, offset, nameLength, StandardCharsets.US_ASCII);
                    offset += nameLength;
                    destination = InetSocketAddress.createUnresolved(name, port(data, offset));
                }
                default -> throw new MalformedDatagramException("address type " + atyp);
            }
        } catch (java.net.UnknownHostException e) {
            throw new MalformedDatagramException(e.getMessage()); // cannot happen: the lengths are right
        }
        offset += 2;
        return new UdpHeader(frag, destination, offset, length - offset);
    }

    private static void need(int length, int required) throws MalformedDatagramException {
        if (length < required) {
            throw new MalformedDatagramException("truncated header");
        }
    }

    private static int port(byte[] data, int offset) {
        return (data[offset] & 0xFF) << 8 | data[offset + 1] & 0xFF;
    }

    /** Wraps a remote host's datagram for the client: the header names the host it came from. */
    static byte[] encapsulate(InetSocketAddress source, byte[] payload, int offset, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(22 + length);
        out.write(0);
        out.write(0);
        out.write(0);
        writeAddress(out, source);
        out.write(payload, offset, length);
        return out.toByteArray();
    }

    /** Whether a request's DST.ADDR is all zeros, i.e. the client does not yet know its address. */
    static boolean isUnspecified(InetSocketAddress address) {
        return address.getAddress() != null && address.getAddress().isAnyLocalAddress();
    }

    private static InetAddress ipv4Any() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
