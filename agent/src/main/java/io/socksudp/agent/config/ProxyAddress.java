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
}
