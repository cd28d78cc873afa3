package io.socksudp.agent.socks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The server's half of the SOCKS5 codec (RFC 1928 section 4 and 6, RFC 1929 section 2), which only tests need: the
 * agent is a client and never reads a request nor writes a reply, so this is not shipped in its jar (issue 15). The
 * reference relay in demo-app has its own.
 */
public final class ServerSide {

    private ServerSide() {
    }

    /**
     * Writes a reply {@code VER REP RSV BND.ADDR BND.PORT} with RSV 0.
     *
     * @param rep 0..255
     * @param bound BND.ADDR and BND.PORT (an empty domain, as decoded from a server, is allowed)
     * @throws IllegalArgumentException on a bad rep or a null address
     * @throws java.nio.BufferOverflowException if it does not fit; nothing is written then
     */
    public static void encodeReply(ByteBuffer out, int rep, SocksAddress bound) {
        Wire.checkOctet("REP", rep);
        Wire.requireNonNull(bound, "bound address");
        Wire.ensureRemaining(out, 3 + bound.encodedLength());
        out.put((byte) Socks5.VERSION);
        out.put((byte) rep);
        out.put((byte) 0x00); // RSV
        bound.encode(out);
    }

    /**
     * Reads a request. Any CMD is returned (the server answers an unknown one with
     * {@link ReplyCode#COMMAND_NOT_SUPPORTED}); a non-zero RSV is tolerated as in {@link CommandReply#decode}.
     *
     * @return the request, or null if incomplete
     * @throws SocksProtocolException if VER is not 5 or ATYP is unknown
     */
    public static Request decodeRequest(ByteBuffer in) throws SocksProtocolException {
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
        return new Request(command, SocksAddress.decode(in));
    }

    /**
     * Reads {@code VER ULEN UNAME PLEN PASSWD}. Zero-length fields are accepted (the framing is still sound) and left
     * for the server to refuse.
     *
     * @return the request, or null if incomplete
     * @throws SocksProtocolException if VER is not 1
     */
    public static Login decodeLogin(ByteBuffer in) throws SocksProtocolException {
        int start = in.position();
        int limit = in.limit();
        if (limit - start < 1) {
            return null;
        }
        MethodNegotiation.checkVersion("password authentication request",
                Wire.u8(in, start), Socks5.PASSWORD_AUTH_VERSION);
        if (limit - start < 2) {
            return null;
        }
        int ulen = Wire.u8(in, start + 1);
        int plenIndex = start + 2 + ulen;
        if (limit - plenIndex < 1) {
            return null;
        }
        int plen = Wire.u8(in, plenIndex);
        if (limit - (plenIndex + 1) < plen) {
            return null;
        }
        byte[] username = copy(in, start + 2, ulen);
        byte[] password = copy(in, plenIndex + 1, plen);
        in.position(plenIndex + 1 + plen);
        return new Login(username, password);
    }

    /** Writes {@code VER STATUS}, 0x00 for success and 0x01 for failure (RFC 1929 only says "other than X'00'"). */
    public static void encodeLoginResponse(ByteBuffer out, boolean ok) {
        Wire.ensureRemaining(out, 2);
        out.put((byte) Socks5.PASSWORD_AUTH_VERSION);
        out.put((byte) (ok ? 0x00 : 0x01));
    }

    private static byte[] copy(ByteBuffer in, int index, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = in.get(index + i);
        }
        return bytes;
    }

    /** A decoded request: CMD and DST. */
    public static final class Request {
        private final int command;
        private final SocksAddress destination;

        Request(int command, SocksAddress destination) {
            this.command = command;
            this.destination = destination;
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

    /** A decoded username/password request. Accessors return copies. */
    public static final class Login {
        private final byte[] username;
        private final byte[] password;

        Login(byte[] username, byte[] password) {
            this.username = username;
            this.password = password;
        }

        public byte[] username() {
            return username.clone();
        }

        public byte[] password() {
            return password.clone();
        }

        /** Shows the username only; the password is masked. */
        @Override
        public String toString() {
            return "ServerSide.Login{username=" + new String(username, StandardCharsets.UTF_8) + ", password=****}";
        }
    }
}
