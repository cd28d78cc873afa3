package io.socksudp.agent.socks;

/** The CMD field of an RFC 1928 section 4 request: the three commands a client may ask for. */
public enum Command {
    CONNECT(0x01),
    BIND(0x02),
    UDP_ASSOCIATE(0x03);

    private final int code;

    Command(int code) {
        this.code = code;
    }

    /** The CMD octet. */
    public int code() {
        return code;
    }
}
