package io.socksudp.agent.config;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * One proxy as {@code socksudp.proxy} writes it: {@code HOST[:PORT]}, {@code [IPv6][:PORT]}, or the URL form
 * {@code socks5://[USER[:PASSWORD]@]HOST[:PORT]} (user and password percent-decoded as UTF-8) and {@code socks5h://}
 * (see {@link #namesResolvedByProxy()}); {@link #parseList} splits an ordered list of them (failover) at ',' or '|'
 * and parses each element here.
 *
 * <p>Messages never echo the user information: a value with {@code @} is shown with it replaced by {@code ***}.
 */
final class ProxyUrl {
    static final String SOCKS5 = "socks5";
    static final String SOCKS5H = "socks5h";
    private static final Charset UTF_8 = Charset.forName("UTF-8");
    private static final String EXAMPLE = "proxy.example:1080";
    private static final String URL_EXAMPLE = "socks5://alice@proxy.example:1080";
    static final String LIST_EXAMPLE = "proxy-a.example:1080,proxy-b.example:1080";

    private final ProxyAddress address;
    private final String scheme;
    private final String user;
    private final byte[] password;
    private final String withoutPassword;

    private ProxyUrl(ProxyAddress address, String scheme, String user, byte[] password, String withoutPassword) {
        this.address = address;
        this.scheme = scheme;
        this.user = user;
        this.password = password;
        this.withoutPassword = withoutPassword;
    }

    ProxyAddress address() {
        return address;
    }

    /** {@code socks5} or {@code socks5h} for the URL form, null for a plain {@code HOST:PORT}. */
    String scheme() {
        return scheme;
    }

    /** {@code socks5h://}: the user asked that names be resolved on the far side of the proxy, never here. */
    boolean namesResolvedByProxy() {
        return SOCKS5H.equals(scheme);
    }

    /** The URL's user name, decoded, or null. */
    String user() {
        return user;
    }

    /** The URL's password as UTF-8 bytes, decoded (a copy), or null. */
    byte[] password() {
        return password != null ? password.clone() : null;
    }

    /** Whether the URL has a password (user:password@). */
    boolean hasPassword() {
        return password != null;
    }

    /** The setting's text with the password (if any) taken out, e.g. {@code socks5://alice@proxy.example:1080}. */
    String withoutPassword() {
        return withoutPassword;
    }

    /**
     * Parses {@code s}'s value (trimmed already): one proxy, or an ordered list of them separated by ',' or '|' (the
     * agent arguments' own separator is ',', so there only '|' can separate proxies). In a list, a ',' or '|' inside a
     * user name or password must be percent-encoded ({@code %2C}, {@code %7C}); a single URL keeps them literally in
     * its user information, as before lists existed. A proxy named twice is an error.
     */
    static List<ProxyUrl> parseList(Source s) throws ConfigException {
        String v = s.value;
        int at = v.lastIndexOf('@');
        if (!isList(v, at)) {
            return Collections.singletonList(parse(s));
        }
        List<String> entries = new ArrayList<String>();
        int start = 0;
        for (int i = 0; i <= v.length(); i++) {
            if (i == v.length() || isSeparator(v.charAt(i))) {
                entries.add(v.substring(start, i).trim());
                start = i + 1;
            }
        }
        for (String entry : entries) {
            if (entry.indexOf('@') >= 0 && entry.indexOf("://") < 0) {
                // socks5://alice:pa,ss@host: the ',' of the password split the entry; its pieces are never shown
                throw s.redacted("it looks like a list of proxies with a ',' or '|' inside a user name or password;"
                        + " in a list, write those as %2C and %7C").invalid("", "", "");
            }
        }
        List<ProxyUrl> result = new ArrayList<ProxyUrl>();
        for (int n = 1; n <= entries.size(); n++) {
            String entry = entries.get(n - 1);
            if (entry.isEmpty()) {
                throw shown(s).invalid("has an empty entry (number " + n + ") in its list of proxies", "separate the"
                        + " proxies of a list with ',' (or '|', which agent arguments need) and no empty entries",
                        LIST_EXAMPLE);
            }
            Source one = new Source(s.kind, s.name, entry);
            ProxyUrl url = parse(one);
            for (ProxyUrl earlier : result) {
                if (earlier.address.equals(url.address)) {
                    throw shown(one).invalid("names the proxy " + url.address + " a second time in its list",
                            "list each proxy once, in the order they are to be tried", LIST_EXAMPLE);
                }
            }
            result.add(url);
        }
        return Collections.unmodifiableList(result);
    }

    /** {@code s} as messages may show it: everything between the (first) scheme and the last '@' as {@code ***}. */
    private static Source shown(Source s) {
        int at = s.value.lastIndexOf('@');
        return at >= 0 ? new Source(s.kind, s.name, redact(s.value, s.value.indexOf("://"), at)) : s;
    }

    private static boolean isSeparator(char c) {
        return c == ',' || c == '|';
    }

    /** A proxy given as host and port (the JDK's socksProxyHost): no scheme, no user information. */
    static ProxyUrl plain(ProxyAddress address) {
        return new ProxyUrl(address, null, null, null, address.toString());
    }

    /** Parses {@code s}'s value (trimmed already): one proxy. */
    static ProxyUrl parse(Source s) throws ConfigException {
        String v = s.value;
        int at = v.lastIndexOf('@');
        int schemeEnd = v.indexOf("://");
        // Every message about this value shows it with the user information replaced, never the password.
        Source shown = at >= 0 ? new Source(s.kind, s.name, redact(v, schemeEnd, at)) : s;
        String expected = "expected HOST:PORT, [IPv6]:PORT, HOST (port " + Config.DEFAULT_PROXY_PORT + ") or "
                + "socks5://[USER@]HOST:PORT";
        if (v.isEmpty()) {
            throw shown.invalid("is empty", expected, EXAMPLE);
        }
        if (schemeEnd < 0) {
            if (at >= 0) {
                throw shown.invalid("contains '@' without a scheme", "write credentials in the URL form"
                        + " socks5://USER@HOST:PORT and the password in socksudp.passwordFile, or set them with"
                        + " socksudp.username and socksudp.password", URL_EXAMPLE);
            }
            return new ProxyUrl(hostPort(shown, v), null, null, null, v);
        }
        String scheme = v.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        if (!scheme.equals(SOCKS5) && !scheme.equals(SOCKS5H)) {
            throw shown.invalid("has the scheme " + Source.quote(scheme) + ", " + schemeProblem(scheme),
                    "socksudp needs a SOCKS5 proxy, written HOST:PORT or socks5://HOST:PORT", EXAMPLE);
        }
        String rest = v.substring(schemeEnd + 3);
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        int restAt = rest.lastIndexOf('@');
        String hostPort = restAt >= 0 ? rest.substring(restAt + 1) : rest;
        if (hostPort.indexOf('/') >= 0 || hostPort.indexOf('?') >= 0 || hostPort.indexOf('#') >= 0) {
            throw shown.invalid("has a path, query or fragment", "a SOCKS5 URL is socks5://[USER[:PASSWORD]@]HOST:PORT"
                    + " alone", URL_EXAMPLE);
        }
        ProxyAddress address = hostPort(shown, hostPort);
        String user = null;
        byte[] password = null;
        String withoutPassword = v;
        if (restAt >= 0) {
            String userInfo = rest.substring(0, restAt);
            int colon = userInfo.indexOf(':');
            String userText = colon >= 0 ? userInfo.substring(0, colon) : userInfo;
            user = new String(decode(shown, userText, "user name"), UTF_8);
            if (user.isEmpty()) {
                throw shown.invalid("has an empty user name before '@'", "write socks5://USER@HOST:PORT, or leave"
                        + " out '@' when the proxy needs no credentials", URL_EXAMPLE);
            }
            if (colon >= 0) {
                password = decode(shown, userInfo.substring(colon + 1), "password");
            }
            withoutPassword = scheme + "://" + userText + "@" + hostPort;
        }
        return new ProxyUrl(address, scheme, user, password, withoutPassword);
    }

    private static String schemeProblem(String scheme) {
        if (scheme.startsWith("socks4") || scheme.equals("socks")) {
            return "but SOCKS4 has no UDP";
        }
        if (scheme.startsWith("http")) {
            return "but an HTTP proxy cannot relay UDP";
        }
        return "which is not a SOCKS5 scheme";
    }

    /** {@code HOST:PORT}, {@code [IPv6]:PORT} or {@code HOST}. */
    private static ProxyAddress hostPort(Source s, String v) throws ConfigException {
        String expected = "expected HOST:PORT, [IPv6]:PORT or HOST (port " + Config.DEFAULT_PROXY_PORT + ")";
        String host;
        String portText = null;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) {
                throw s.invalid("has no closing ']'", "expected [IPv6]:PORT", "[2001:db8::1]:1080");
            }
            host = v.substring(1, close);
            if (!ProxyAddress.isIpv6WithScope(host)) {
                throw s.invalid("has " + Source.quote(host) + " in brackets, which is not an IPv6 literal",
                        "use brackets only around IPv6 literals, as in [IPv6]:PORT", "[2001:db8::1]:1080");
            }
            String rest = v.substring(close + 1);
            if (rest.startsWith(":")) {
                portText = rest.substring(1);
            } else if (!rest.isEmpty()) {
                throw s.invalid("has unexpected text after ']'", "expected [IPv6]:PORT", "[2001:db8::1]:1080");
            }
        } else {
            int colon = v.indexOf(':');
            if (colon >= 0 && colon != v.lastIndexOf(':')) {
                throw s.invalid("looks like an IPv6 address without brackets",
                        "write IPv6 literals in brackets, as in [IPv6]:PORT", "[2001:db8::1]:1080");
            }
            host = colon >= 0 ? v.substring(0, colon) : v;
            portText = colon >= 0 ? v.substring(colon + 1) : null;
            ProxyAddress.checkHost(s, host, expected, EXAMPLE);
        }
        int port = Config.DEFAULT_PROXY_PORT;
        if (portText != null) {
            port = ProxyAddress.parsePort(portText);
            if (port < 0) {
                throw s.invalid("has an invalid port " + Source.quote(portText),
                        "expected HOST:PORT with a port from 1 to 65535", EXAMPLE);
            }
        }
        return ProxyAddress.of(host, port);
    }

    /** Percent-decoding (RFC 3986) to bytes that must be valid UTF-8; the text itself is never shown. */
    private static byte[] decode(Source shown, String text, String what) throws ConfigException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                int hi = i + 2 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
                int lo = i + 2 < text.length() ? Character.digit(text.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw shown.invalid("has a '%' in the " + what + " that is not followed by two hex digits",
                            "percent-encode reserved characters in a URL's " + what + ", '%' itself as %25",
                            URL_EXAMPLE);
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(UTF_8);
                out.write(b, 0, b.length);
            }
        }
        byte[] bytes = out.toByteArray();
        if (!Utf8.isValid(bytes)) {
            java.util.Arrays.fill(bytes, (byte) 0);
            throw shown.invalid("has a " + what + " that is not UTF-8 once percent-decoded",
                    "percent-encode the " + what + "'s UTF-8 bytes", URL_EXAMPLE);
        }
        return bytes;
    }

    /**
     * Apart, so that a proxy without user information does not load it: verifying its catch clause loads a JDK class
     * that is not in the JDK's class-data archive, which every premain would pay for.
     */
    private static final class Utf8 {
        private Utf8() {
        }

        static boolean isValid(byte[] bytes) {
            try {
                UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
                return true;
            } catch (CharacterCodingException e) {
                return false;
            }
        }
    }

    /** The value with everything between the scheme (if any) and the last '@' replaced by {@code ***}. */
    private static String redact(String v, int schemeEnd, int at) {
        int start = schemeEnd >= 0 && schemeEnd < at ? schemeEnd + 3 : 0;
        return v.substring(0, start) + "***" + v.substring(at);
    }

    /**
     * A separator (',' or '|') after the last '@' (or with no '@'), or one followed by another scheme, separates
     * proxies; one in the user information of a single URL is a character of the user name or password (RFC 3986
     * allows ',' there).
     */
    private static boolean isList(String v, int at) {
        int first = -1;
        for (int i = 0; i < v.length(); i++) {
            if (isSeparator(v.charAt(i))) {
                first = i;
                break;
            }
        }
        if (first < 0) {
            return false;
        }
        if (at < 0 || v.indexOf("://", first) >= 0) {
            return true;
        }
        for (int i = at; i < v.length(); i++) {
            if (isSeparator(v.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
