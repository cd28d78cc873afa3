package io.socksudp.agent.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides which destinations bypass the proxy, using the JDK's {@code socksNonProxyHosts} syntax:
 * patterns separated by {@code |}, each a host name, an IPv4 literal or an IPv6 literal (with or
 * without brackets), with {@code *} as a wildcard at the start and/or the end, matched
 * case-insensitively. For example {@code localhost|*.example.com|192.168.*|[::1]}.
 *
 * <p>A destination matches if a pattern matches
 * <ul>
 * <li>the host name the {@link InetSocketAddress} carries, if it was created with one
 *     ({@link InetSocketAddress#getHostString()}, which never does a reverse lookup), or</li>
 * <li>the literal text of its IP address. IPv6 is compared by value, so {@code [::1]},
 *     {@code [0:0:0:0:0:0:0:1]} and {@code 0:0:0:0:0:0:0:1} all match {@code ::1}; scope ids
 *     are ignored. Wildcard patterns containing {@code :} are matched against both the RFC 5952
 *     form ({@code fe80::1}) and Java's form ({@code fe80:0:0:0:0:0:0:1}).</li>
 * </ul>
 * No pattern ever causes a DNS or reverse DNS lookup.
 *
 * <p>Patterns are compiled once. {@link #matches} uses no regular expressions; it allocates only
 * what {@link InetSocketAddress#getHostString()} and {@link InetAddress#getHostAddress()} return
 * (the latter builds a new String on each call), except that a wildcard pattern containing
 * {@code :} makes IPv6 destinations also format their two text forms. Immutable and thread-safe.
 */
public final class HostMatcher {
    private static final String[] NO_STRINGS = new String[0];
    private static final long[] NO_LONGS = new long[0];
    static final String DEFAULT_PATTERNS = "localhost|127.*|[::1]";

    private static final HostMatcher NONE = new HostMatcher(false, false, NO_STRINGS, NO_STRINGS, NO_STRINGS,
            NO_STRINGS, NO_LONGS, NO_LONGS, false, "(none: everything is proxied)");
    private static final HostMatcher DEFAULT = build(DEFAULT_PATTERNS, true,
            DEFAULT_PATTERNS + " (default: and any loopback address)");

    private final boolean matchAll;
    private final boolean anyLoopback;
    /** Lower case; the four kinds of string pattern: {@code foo}, {@code foo*}, {@code *foo}, {@code *foo*}. */
    private final String[] exact;
    private final String[] prefixes;
    private final String[] suffixes;
    private final String[] infixes;
    /** IPv6 literal patterns without wildcards, by value. */
    private final long[] v6Hi;
    private final long[] v6Lo;
    /** Whether some wildcard pattern contains ':' (so IPv6 destinations need their text forms). */
    private final boolean v6TextForms;
    private final String display;

    private HostMatcher(boolean matchAll, boolean anyLoopback, String[] exact, String[] prefixes, String[] suffixes,
            String[] infixes, long[] v6Hi, long[] v6Lo, boolean v6TextForms, String display) {
        this.matchAll = matchAll;
        this.anyLoopback = anyLoopback;
        this.exact = exact;
        this.prefixes = prefixes;
        this.suffixes = suffixes;
        this.infixes = infixes;
        this.v6Hi = v6Hi;
        this.v6Lo = v6Lo;
        this.v6TextForms = v6TextForms;
        this.display = display;
    }

    /** Matches nothing: every destination goes through the proxy, loopback included. */
    public static HostMatcher none() {
        return NONE;
    }

    /** The default: {@code localhost|127.*|[::1]} and any address for which {@link InetAddress#isLoopbackAddress()} holds. */
    public static HostMatcher defaultLoopback() {
        return DEFAULT;
    }

    /**
     * Compiles patterns in {@code socksNonProxyHosts} syntax; an empty or blank text gives {@link #none()}.
     *
     * @throws IllegalArgumentException with a message that says what is wrong with which pattern
     */
    public static HostMatcher of(String patterns) {
        try {
            return parse(new Source(Source.Kind.SYSTEM_PROPERTY, "socksNonProxyHosts", patterns));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Compiles {@code source.value}, wording errors for that source. */
    static HostMatcher parse(Source source) throws ConfigException {
        String text = source.value;
        List<String> shown = new ArrayList<String>();
        for (String raw : text.split("\\|", -1)) {
            String pattern = raw.trim();
            if (!pattern.isEmpty()) {
                checkPattern(source, pattern);
                shown.add(pattern);
            }
        }
        if (shown.isEmpty()) {
            return NONE;
        }
        StringBuilder joined = new StringBuilder();
        for (String p : shown) {
            if (joined.length() > 0) {
                joined.append('|');
            }
            joined.append(p);
        }
        return build(joined.toString(), false, joined.toString());
    }

    /** Rejects what {@link #build} cannot handle, with a message naming the pattern. */
    private static void checkPattern(Source source, String pattern) throws ConfigException {
        String fix = "patterns are host names or IP literals separated by '|', with '*' only at the start or end";
        String example = "localhost|*.example.com|192.168.*|[::1]";
        String core = pattern;
        if (core.startsWith("[")) {
            if (!core.endsWith("]")) {
                throw source.invalid("has the pattern " + Source.quote(pattern) + " with no closing ']'", fix, example);
            }
            core = core.substring(1, core.length() - 1);
        }
        for (int i = 0; i < core.length(); i++) {
            char c = core.charAt(i);
            if (c == '/') {
                throw source.invalid("has the pattern " + Source.quote(pattern)
                        + ", but address ranges with '/' are not supported", "use a wildcard instead, such as 192.168.*", example);
            } else if (c == ',' || c == ';' || Character.isWhitespace(c)) {
                throw source.invalid("has the pattern " + Source.quote(pattern) + " containing "
                        + (c == ',' ? "','" : c == ';' ? "';'" : "whitespace"), "separate patterns with '|'", example);
            } else if (c == '*' && i > 0 && i < core.length() - 1) {
                throw source.invalid("has the pattern " + Source.quote(pattern) + " with '*' in the middle", fix, example);
            } else if (c < 0x80 && !(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_' || c == ':'
                    || c == '%' || c == '*')) {
                throw source.invalid("has the pattern " + Source.quote(pattern) + " containing the character '" + c + "'",
                        fix, example);
            }
        }
        if (core.indexOf(':') >= 0 && core.indexOf('*') < 0) {
            int scope = core.indexOf('%');
            String address = scope >= 0 ? core.substring(0, scope) : core;
            if (!IpLiterals.isIpv6(address)) {
                if (core.indexOf(':') == core.lastIndexOf(':')) {
                    throw source.invalid("has the pattern " + Source.quote(pattern) + ", but patterns have no port",
                            "give the host alone", example);
                }
                throw source.invalid("has the pattern " + Source.quote(pattern) + ", which is not a valid IPv6 literal",
                        fix, example);
            }
        } else if (pattern.startsWith("[")) {
            if (core.indexOf(':') < 0) {
                throw source.invalid("has the pattern " + Source.quote(pattern)
                        + ", but brackets are only for IPv6 literals", fix, example);
            }
        } else if (core.indexOf('%') >= 0) {
            throw source.invalid("has the pattern " + Source.quote(pattern) + " containing the character '%'", fix,
                    example);
        }
    }

    /** Compiles checked patterns. */
    private static HostMatcher build(String patterns, boolean anyLoopback, String display) {
        boolean matchAll = false;
        boolean v6TextForms = false;
        List<String> exact = new ArrayList<String>();
        List<String> prefixes = new ArrayList<String>();
        List<String> suffixes = new ArrayList<String>();
        List<String> infixes = new ArrayList<String>();
        List<long[]> v6 = new ArrayList<long[]>();
        for (String raw : patterns.split("\\|")) {
            String p = raw.trim().toLowerCase(Locale.ROOT);
            if (p.length() >= 2 && p.charAt(0) == '[' && p.charAt(p.length() - 1) == ']') {
                p = p.substring(1, p.length() - 1);
            }
            boolean leading = p.startsWith("*");
            boolean trailing = p.length() > (leading ? 1 : 0) && p.endsWith("*");
            String core = p.substring(leading ? 1 : 0, p.length() - (trailing ? 1 : 0));
            if (core.isEmpty()) {
                matchAll = true;
                continue;
            }
            if (!leading && !trailing && core.indexOf(':') >= 0) {
                int scope = core.indexOf('%');
                long[] value = IpLiterals.parseIpv6(scope >= 0 ? core.substring(0, scope) : core);
                v6.add(value);
                if (value[0] == 0 && (value[1] >>> 32) == 0xFFFFL) {
                    // ::ffff:a.b.c.d: Java presents such addresses as Inet4Address
                    int v4 = (int) value[1];
                    exact.add((v4 >>> 24) + "." + ((v4 >>> 16) & 0xFF) + "." + ((v4 >>> 8) & 0xFF) + "." + (v4 & 0xFF));
                }
                continue;
            }
            if (core.indexOf(':') >= 0) {
                v6TextForms = true;
            }
            if (leading && trailing) {
                infixes.add(core);
            } else if (leading) {
                suffixes.add(core);
            } else if (trailing) {
                prefixes.add(core);
            } else {
                exact.add(core);
            }
        }
        long[] hi = new long[v6.size()];
        long[] lo = new long[v6.size()];
        for (int i = 0; i < hi.length; i++) {
            hi[i] = v6.get(i)[0];
            lo[i] = v6.get(i)[1];
        }
        return new HostMatcher(matchAll, anyLoopback, exact.toArray(NO_STRINGS), prefixes.toArray(NO_STRINGS),
                suffixes.toArray(NO_STRINGS), infixes.toArray(NO_STRINGS), hi, lo, v6TextForms, display);
    }

    /**
     * Whether the destination should bypass the proxy. Never resolves names; {@code null} gives false.
     */
    public boolean matches(InetSocketAddress destination) {
        if (destination == null || this == NONE) {
            return false;
        }
        if (matchAll) {
            return true;
        }
        InetAddress address = destination.getAddress();
        if (anyLoopback && address != null && address.isLoopbackAddress()) {
            return true;
        }
        String hostString = destination.getHostString();
        if (hostString != null && matchesText(hostString)) {
            return true;
        }
        if (address != null) {
            String literal = address.getHostAddress();
            return !literal.equals(hostString) && matchesText(literal);
        }
        return false;
    }

    private boolean matchesText(String text) {
        int from = 0;
        int to = text.length();
        boolean v6 = text.indexOf(':') >= 0;
        if (v6) {
            if (to >= 2 && text.charAt(0) == '[' && text.charAt(to - 1) == ']') {
                from = 1;
                to--;
            }
            to = IpLiterals.scopeStart(text, from, to);
        }
        if (matchesStrings(text, from, to)) {
            return true;
        }
        if (v6) {
            if (v6Hi.length > 0 && IpLiterals.ipv6EqualsAny(text, v6Hi, v6Lo)) {
                return true;
            }
            if (v6TextForms) {
                long[] value = IpLiterals.parseIpv6(text.substring(from, to));
                if (value != null) {
                    String compressed = IpLiterals.compressed(value[0], value[1]);
                    String full = IpLiterals.full(value[0], value[1]);
                    return matchesStrings(compressed, 0, compressed.length())
                            || matchesStrings(full, 0, full.length());
                }
            }
        }
        return false;
    }

    /** Does {@code text[from, to)} match a string pattern? Allocates nothing. */
    private boolean matchesStrings(String text, int from, int to) {
        int length = to - from;
        for (String p : exact) {
            if (p.length() == length && text.regionMatches(true, from, p, 0, length)) {
                return true;
            }
        }
        for (String p : prefixes) {
            if (p.length() <= length && text.regionMatches(true, from, p, 0, p.length())) {
                return true;
            }
        }
        for (String p : suffixes) {
            if (p.length() <= length && text.regionMatches(true, to - p.length(), p, 0, p.length())) {
                return true;
            }
        }
        for (String p : infixes) {
            for (int i = from; i <= to - p.length(); i++) {
                if (text.regionMatches(true, i, p, 0, p.length())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The patterns, {@code |}-separated, as configured (the default and {@link #none()} say so). */
    @Override
    public String toString() {
        return display;
    }
}
