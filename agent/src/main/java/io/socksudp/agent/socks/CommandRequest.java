package io.socksudp.agent.socks;

import java.nio.ByteBuffer;

/** RFC 1928 section 4: {@code VER CMD RSV ATYP DST.ADDR DST.PORT}. */
public final class CommandRequest {

    private final int command;
    private final SocksAddress destination;

    private CommandRequest(int command, SocksAddress destination) {
        this.command = command;
        this.destination = destination;
    }

    /**
     * Writes a request. For {@link Socks5#UDP_ASSOCIATE} the "destination" is the address the
     * client will send datagrams from, or {@link SocksAddress#zeroIpv4()} if unknown (section 6).
     *
     * @param command {@link Socks5#CONNECT}, {@link Socks5#BIND} or {@link Socks5#UDP_ASSOCIATE}
     * @throws IllegalArgumentException on another command, a null destination, or an empty domain
     *     name (a server reads it as "no address", never what a client means to ask for)
     * @throws java.nio.BufferOverflowException if it does not fit; nothing is written then
     */
    public static void encode(ByteBuffer out, int command, SocksAddress dst) {
        if (command != Socks5.CONNECT && command != Socks5.BIND && command != Socks5.UDP_ASSOCIATE) {
            throw new IllegalArgumentException("command must be CONNECT (1), BIND (2) or UDP ASSOCIATE (3), was "
                    + command);
        }
        Wire.requireNonNull(dst, "destination");
        if (dst.type() == Socks5.ATYP_DOMAIN && dst.isWildcard()) {
            throw new IllegalArgumentException("destination host name must not be empty");
        }
        Wire.ensureRemaining(out, 3 + dst.encodedLength());
        out.put((byte) Socks5.VERSION);
        out.put((byte) command);
        out.put((byte) 0x00); // RSV
        dst.encode(out);
    }

    /**
     * Server side: reads a request. Any CMD is returned (the server answers an unknown one with
     * {@link ReplyCode#COMMAND_NOT_SUPPORTED}); a non-zero RSV is tolerated as in
     * {@link CommandReply#decode}.
     *
     * @return the request, or null if incomplete
     * @throws SocksProtocolException if VER is not 5 or ATYP is unknown
     */
    public static CommandRequest decode(ByteBuffer in) throws SocksProtocolException {
        int start = in.position();
        if (in.limit() - start < 1) {
            return null;
        }
        MethodNegotiation.checkVersion("request", Wire.u8(in, start), Socks5.VERSION);
        int addressLength;
        try {
            addressLength = SocksAddress.lengthAt(in, start + 3);
        } catch (SocksProtocolException e) {
            throw new SocksProtocolException("request has " + e.getMessage());
        }
        if (in.limit() - start < 3 || addressLength < 0 || in.limit() - start < 3 + addressLength) {
            return null;
        }
        int command = Wire.u8(in, start + 1);
        in.position(start + 3);
        SocksAddress destination = SocksAddress.decode(in);
        return new CommandRequest(command, destination);
    }

    public int command() {
        return command;
    }

    public SocksAddress destination() {
        return destination;
    }

    @Override
    public String toString() {
        return "CommandRequest{command=" + command + ", destination=" + destination + "}";
    }
}
