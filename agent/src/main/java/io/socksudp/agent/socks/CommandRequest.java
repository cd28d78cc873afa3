package io.socksudp.agent.socks;

import java.nio.ByteBuffer;

/**
 * RFC 1928 section 4: {@code VER CMD RSV ATYP DST.ADDR DST.PORT}, as a client writes it (the server's half, which
 * only tests need, is the test sources' {@code ServerSide}).
 */
public final class CommandRequest {

    private CommandRequest() {
    }

    /**
     * Writes a request. For {@link Command#UDP_ASSOCIATE} the "destination" is the address the
     * client will send datagrams from, or {@link SocksAddress#zeroIpv4()} if unknown (section 6).
     *
     * @throws IllegalArgumentException on a null command or destination, or an empty domain
     *     name (a server reads it as "no address", never what a client means to ask for)
     * @throws java.nio.BufferOverflowException if it does not fit; nothing is written then
     */
    public static void encode(ByteBuffer out, Command command, SocksAddress dst) {
        Wire.requireNonNull(command, "command");
        Wire.requireNonNull(dst, "destination");
        if (dst.type() == Socks5.ATYP_DOMAIN && dst.isWildcard()) {
            throw new IllegalArgumentException("destination host name must not be empty");
        }
        Wire.ensureRemaining(out, 3 + dst.encodedLength());
        out.put((byte) Socks5.VERSION);
        out.put((byte) command.code());
        out.put((byte) 0x00); // RSV
        dst.encode(out);
    }

}
