package io.socksudp.demo.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

/** One spelling of socket addresses for every line the programs print: {@code ip:port}, {@code [v6]:port}. */
public final class Addresses {
    private Addresses() {
    }

    /** Parses {@code HOST:PORT} or {@code [V6]:PORT} and resolves the host. */
    public static InetSocketAddress parseHostPort(String text) throws UnknownHostException {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("expected HOST:PORT, not " + text);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("write IPv6 addresses as [ADDR]:PORT, not " + text);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in " + text);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range in " + text);
        }
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    public static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            return format((InetSocketAddress) address);
        }
        return String.valueOf(address);
    }

    public static String format(InetSocketAddress address) {
        if (address == null) {
            return "-";
        }
        InetAddress ip = address.getAddress();
        if (ip == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        return format(ip) + ":" + address.getPort();
    }

    /** The bare IP literal, bracketed for IPv6 so that a port can follow. */
    public static String format(InetAddress ip) {
        String literal = ip.getHostAddress();
        return ip instanceof Inet6Address ? "[" + compress(literal) + "]" : literal;
    }

    /** RFC 5952 style: the JDK spells {@code ::1} as {@code 0:0:0:0:0:0:0:1}, which is hard to read. */
    static String compress(String literal) {
        int percent = literal.indexOf('%');
        String scope = percent < 0 ? "" : literal.substring(percent);
        String[] groups = (percent < 0 ? literal : literal.substring(0, percent)).split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; ) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        if (bestStart < 0) {
            return String.join(":", groups) + scope;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail + scope;
    }

    /**
     * Whether two endpoints are the same socket as far as an observer can tell: same port, and the same
     * IP unless one of them is a wildcard (a socket bound to 0.0.0.0 is seen from its peer under a concrete IP).
     */
    public static boolean sameEndpoint(InetSocketAddress a, InetSocketAddress b) {
        if (a == null || b == null || a.getPort() != b.getPort()) {
            return false;
        }
        InetAddress ia = a.getAddress();
        InetAddress ib = b.getAddress();
        if (ia == null || ib == null) {
            return false;
        }
        return ia.isAnyLocalAddress() || ib.isAnyLocalAddress() || ia.equals(ib);
    }
}
