package io.socksudp.agent.dns.message;

/** A DNS message that breaks RFC 1035's format: never believed, dropped by the caller. */
public final class DnsFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    public DnsFormatException(String message) {
        super(message);
    }
}
