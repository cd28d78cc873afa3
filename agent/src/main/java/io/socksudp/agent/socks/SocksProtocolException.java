package io.socksudp.agent.socks;

import java.io.IOException;

/**
 * The peer sent bytes that are not a valid SOCKS5 message. The connection cannot be trusted any
 * more: the stream has no framing that would let a reader skip the bad message.
 */
public final class SocksProtocolException extends IOException {

    private static final long serialVersionUID = 1L;

    public SocksProtocolException(String message) {
        super(message);
    }
}
