package io.socksudp.agent.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The SOCKS5 proxy's host and port, as configured: the host is kept as text and is resolved only by
 * {@link #resolve()}, so that every new association follows DNS changes. Immutable (but for a cache of the
 * last look-up's result, which changes nothing observable).
 */
public final class ProxyAddress {
    private final String host;
    private final int port;
    /**
     * The last address {@link #resolve()} returned, returned again while the look-up gives the same address: each
     * association's control connection keeps the address it connected to, so one object instead of one per
     * association (96 bytes each).
     */
    private volatile InetSocketAddress lastResolved;
    /** {@link #toString()}, made once: every association names its proxy. */
    private volatile String text;

    private ProxyAddress(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /**
     * A proxy address from a host name or literal (IPv6 with or without brackets) and a port.
     *
     * @throws IllegalArgumentException if the host is empty or the port is not 1..65535
     */
    public static ProxyAddress of(String host, int port) {
        if (host == null) {
            throw new NullPointerException("host");
        }
        String h = host;
        if (h.length() >= 2 && h.charAt(0) == '[' && h.charAt(h.length() - 1) == ']') {
            h = h.substring(1, h.length() - 1);
        }
        if (h.isEmpty()) {
            throw new IllegalArgumentException("the proxy host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the proxy port " + port + " is not from 1 to 65535");
        }
        return new ProxyAddress(h, port);
    }

    /** The host name or IP literal, IPv6 without brackets. */
    public String host() {
        return host;
    }

    /** The port, 1..65535. */
    public int port() {
        return port;
    }

    /** Resolves the host now (a DNS lookup unless it is a literal). */
    public InetSocketAddress resolve() throws UnknownHostException {
        return at(InetAddress.getByName(host));
    }

    /** This proxy at {@code address} (its host resolved elsewhere): the same object while the address stays. */
    public InetSocketAddress at(InetAddress address) {
        InetSocketAddress last = lastResolved;
        if (last != null && last.getAddress().equals(address)) {
            return last;
        }
        last = new InetSocketAddress(address, port);
        lastResolved = last;
        return last;
    }

    /** {@code host:port}, or {@code [v6]:port} for an IPv6 literal. */
    @Override
    public String toString() {
        String t = text;
        if (t == null) {
            t = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
            text = t;
        }
        return t;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ProxyAddress)) {
            return false;
        }
        ProxyAddress other = (ProxyAddress) o;
        return port == other.port && host.equals(other.host);
    }

    @Override
    public int hashCode() {
        return host.hashCode() * 31 + port;
    }

    // ---------------------------------------------------------------------------------------------- syntax
    // The host and port syntax that proxy entries define and relayHost, socksProxyHost and dns share; text only,
    // nothing resolved. Here, where every start has the class loaded already, not in a class of its own: one more
    // class would be one more for every premain to read and verify (issue 11).

    /** An IPv6 literal, with an optional non-empty scope id ({@code fe80::1%eth0}). */
    static boolean isIpv6WithScope(String text) {
        int scope = text.indexOf('%');
        if (scope == 0 || scope == text.length() - 1) {
            return false;
        }
        return IpLiterals.isIpv6(scope > 0 ? text.substring(0, scope) : text);
    }

    /** Host names: letters, digits, '.', '-', '_' and non-ASCII (internationalised names). */
    static void checkHost(Source s, String host, String expected, String example) throws ConfigException {
        if (host.isEmpty()) {
            throw s.invalid("has an empty host", expected, example);
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c < 0x80 && !(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_')) {
                String shown = Character.isWhitespace(c) || Character.isISOControl(c) ? "whitespace or a control character"
                        : "the character '" + c + "'";
                throw s.invalid("has " + shown + " in the host", expected, example);
            }
        }
    }

    /** 1..65535, or -1. */
    static int parsePort(String text) {
        if (text.isEmpty() || text.length() > 5) {
            return -1;
        }
        int port = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            port = port * 10 + (c - '0');
        }
        return port >= 1 && port <= 65535 ? port : -1;
    }
}
