package io.socksudp.agent.socks;

import java.nio.ByteBuffer;

/** RFC 1928 section 6: {@code VER REP RSV ATYP BND.ADDR BND.PORT}. */
public final class CommandReply {

    private final int rep;
    private final SocksAddress bound;

    private CommandReply(int rep, SocksAddress bound) {
        this.rep = rep;
        this.bound = bound;
    }

    /**
     * Reads a reply. RSV should be X'00', but a non-zero value is tolerated (robustness principle,
     * RFC 1122 section 1.2.2): it carries no meaning, the framing does not depend on it, and
     * refusing would only fail an otherwise working session. A zero-length domain name in
     * BND.ADDR is accepted (see {@link SocksAddress#isWildcard()}).
     *
     * <p>For UDP ASSOCIATE, BND.ADDR:BND.PORT is where the client must send its datagrams; if it
     * {@link SocksAddress#isWildcard() is a wildcard} the caller should substitute the proxy's
     * address.
     *
     * @return the reply, or null if incomplete
     * @throws SocksProtocolException if VER is not 5 or ATYP is unknown; the latter message also
     *     names REP, since failing servers are the ones that send odd ATYPs
     */
    public static CommandReply decode(ByteBuffer in) throws SocksProtocolException {
        int start = in.position();
        if (in.limit() - start < 1) {
            return null;
        }
        MethodNegotiation.checkVersion("reply", Wire.u8(in, start), Socks5.VERSION);
        if (in.limit() - start < 4) {
            return null;
        }
        int rep = Wire.u8(in, start + 1);
        int addressLength;
        try {
            addressLength = SocksAddress.lengthAt(in, start + 3);
        } catch (SocksProtocolException e) {
            throw new SocksProtocolException("reply has " + e.getMessage() + "; its REP was "
                    + ReplyCode.describe(rep));
        }
        if (addressLength < 0 || in.limit() - start < 3 + addressLength) {
            return null;
        }
        in.position(start + 3);
        SocksAddress bound = SocksAddress.decode(in);
        return new CommandReply(rep, bound);
    }

    /** REP, 0..255. */
    public int rep() {
        return rep;
    }

    public ReplyCode replyCode() {
        return ReplyCode.of(rep);
    }

    public boolean isSuccess() {
        return rep == 0;
    }

    /** BND.ADDR and BND.PORT. */
    public SocksAddress bound() {
        return bound;
    }

    @Override
    public String toString() {
        return "CommandReply{" + ReplyCode.describe(rep) + ", bound=" + bound + "}";
    }
}
