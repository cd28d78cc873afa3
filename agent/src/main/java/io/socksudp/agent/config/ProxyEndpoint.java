package io.socksudp.agent.config;

/**
 * One proxy of {@code socksudp.proxy}'s ordered list: its address (not resolved) and the RFC 1929 credentials it
 * is used with (its URL's own, else the {@code username}/{@code password} settings, else the JDK's, else none). A
 * list of one is the usual case. Immutable; the password is handed out as a copy.
 */
public final class ProxyEndpoint {
    private final ProxyAddress address;
    private final String username;
    private final byte[] password;
    private final String passwordOrigin;

    ProxyEndpoint(ProxyAddress address, String username, byte[] password, String passwordOrigin) {
        this.address = address;
        this.username = username;
        this.password = password;
        this.passwordOrigin = passwordOrigin;
    }

    /** A proxy without credentials (tests, tools). */
    public static ProxyEndpoint of(ProxyAddress address) {
        return new ProxyEndpoint(address, null, null, null);
    }

    public ProxyAddress address() {
        return address;
    }

    /** The RFC 1929 user name, or null when none is configured for this proxy. */
    public String username() {
        return username;
    }

    /** A copy of the password's UTF-8 bytes (the caller should clear it after use), or null. */
    public byte[] passwordBytes() {
        return password != null ? password.clone() : null;
    }

    /** Whether a user name and password are configured for this proxy (always both or neither). */
    public boolean hasCredentials() {
        return username != null;
    }

    /** Where the password came from ({@code System property socksudp.password}), for the debug line; or null. */
    String passwordOrigin() {
        return passwordOrigin;
    }

    /** {@code host:port} ({@code [v6]:port}): never the credentials. */
    @Override
    public String toString() {
        return address.toString();
    }
}
