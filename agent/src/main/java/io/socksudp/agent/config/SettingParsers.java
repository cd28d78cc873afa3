package io.socksudp.agent.config;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.socksudp.agent.config.Config.DEFAULT_DNS_PORT;
import static io.socksudp.agent.config.Config.DEFAULT_PROXY_PORT;
import static io.socksudp.agent.config.Config.KEYS;
import static io.socksudp.agent.config.Config.MAX_CONNECT_TIMEOUT_MILLIS;
import static io.socksudp.agent.config.Config.lowerFirst;
import static io.socksudp.agent.config.ConfigLoader.PROPERTY_PREFIX;
import static io.socksudp.agent.config.ProxyAddress.checkHost;
import static io.socksudp.agent.config.ProxyAddress.isIpv6WithScope;
import static io.socksudp.agent.config.ProxyAddress.parsePort;

/**
 * {@link ConfigLoader}'s parsers for the settings other than the proxy, its agent-argument parser, and the suggestions for
 * a mistyped name: apart from {@code ConfigLoader}, so that this class is loaded (read, verified) only at a start that has
 * one of those settings, agent arguments or a mistake to report. The usual start ({@code -Dsocksudp.proxy} alone)
 * never loads it. Package-private.
 */
final class SettingParsers {
    private static final String PROXY_EXAMPLE = "proxy.example:1080";

    private SettingParsers() {
    }

    static Map<String, Source> parseAgentArgs(String agentArgs) throws ConfigException {
        Map<String, Source> result = new LinkedHashMap<String, Source>();
        if (agentArgs == null || agentArgs.trim().isEmpty()) {
            return result;
        }
        String[] entries = agentArgs.split(",", -1);
        boolean afterPassword = false;
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].trim();
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String key = eq >= 0 ? entry.substring(0, eq).trim() : null;
            boolean bad = key == null || !KEYS.contains(key) || result.containsKey(key);
            if (bad && afterPassword) {
                // Probably the rest of a password containing a comma: never echo it.
                throw new ConfigException("Agent argument number " + (i + 1) + " (after password) is not a valid"
                        + " KEY=VALUE pair, probably because the password contains a comma, which agent arguments"
                        + " cannot carry; set such a password with -Dsocksudp.password=... or SOCKSUDP_PASSWORD.");
            }
            if (key == null && i > 0 && entries[i - 1].trim().startsWith("proxy=")) {
                throw new ConfigException("Agent argument " + Source.quote(entry) + " has no '=' (a second proxy"
                        + " after proxy=?); agent arguments are comma-separated KEY=VALUE pairs, so separate the proxies"
                        + " of a failover list with '|' there, e.g. -javaagent:socksudp-agent.jar=proxy="
                        + ProxyUrl.LIST_EXAMPLE.replace(',', '|') + ",log=debug.");
            }
            if (key == null) {
                throw new ConfigException("Agent argument " + Source.quote(entry) + " has no '='; agent arguments are"
                        + " comma-separated KEY=VALUE pairs, e.g. -javaagent:socksudp-agent.jar=proxy="
                        + PROXY_EXAMPLE + ",log=debug.");
            }
            if (!KEYS.contains(key)) {
                String suggestion = closest(key, KEYS);
                throw new ConfigException("Agent argument " + Source.quote(key) + " is not a known key; "
                        + (suggestion != null ? "perhaps you meant " + suggestion + " (the known keys are " : "the known keys are ")
                        + join(KEYS) + (suggestion != null ? ")." : "."));
            }
            if (result.containsKey(key)) {
                throw new ConfigException("Agent argument " + key + " is given twice; give each key once, e.g. "
                        + "-javaagent:socksudp-agent.jar=proxy=" + PROXY_EXAMPLE + ",log=debug.");
            }
            Source source = new Source(Source.Kind.AGENT_ARGUMENT, key, entry.substring(eq + 1).trim());
            if (afterPassword) {
                // It may be the rest of a password containing a comma (password=S3c,log=Passw0rd): never echo it.
                source = source.redacted("it follows password= and may be part of a password containing a comma,"
                        + " which agent arguments cannot carry (set such a password with -Dsocksudp.password=..."
                        + " or SOCKSUDP_PASSWORD)");
            }
            result.put(key, source);
            afterPassword = afterPassword || key.equals("password");
        }
        return result;
    }

    /** The candidate closest to {@code name} (case-insensitive edit distance), or null if none is close. */
    static String closest(String name, List<String> candidates) {
        String lower = name.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = editDistance(lower, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        int tail = lower.startsWith(PROPERTY_PREFIX) ? lower.length() - PROPERTY_PREFIX.length() : lower.length();
        return bestDistance <= Math.max(2, tail / 3) ? best : null;
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    static String join(List<String> items) {
        StringBuilder sb = new StringBuilder();
        for (String item : items) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(item);
        }
        return sb.toString();
    }

    /** {@code socksProxyHost} (a host alone, IPv6 with or without brackets) and {@code socksProxyPort}. */
    static ProxyAddress parseJdkProxy(Source hostSource, Source versionSource, Source portSource)
            throws ConfigException {
        if (versionSource != null) {
            JdkProxySettings.checkVersion(versionSource, hostSource);
        }
        String host = hostSource.value;
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.indexOf(':') >= 0) {
            if (!isIpv6WithScope(host)) {
                throw hostSource.invalid("is not a host name or IP literal", "socksProxyHost takes the host alone"
                        + " and socksProxyPort the port (" + DEFAULT_PROXY_PORT + " if unset)", "proxy.example");
            }
        } else {
            checkHost(hostSource, host, "expected the proxy's host name or IP literal", "proxy.example");
        }
        int port = DEFAULT_PROXY_PORT;
        if (portSource != null) {
            port = parsePort(portSource.value);
            if (port < 0) {
                throw portSource.invalid("is not a valid port", "expected a port from 1 to 65535", "1080");
            }
        }
        return ProxyAddress.of(host, port);
    }

    /** {@code off}, or an absolute directory (created on first use, owner-only). */
    static String parseCache(Source s) throws ConfigException {
        String v = s.value;
        if (v.equalsIgnoreCase("off")) {
            return null;
        }
        String fix = "expected an absolute directory for the agent's class cache, or off to disable it";
        if (v.isEmpty() || !new java.io.File(v).isAbsolute()) {
            throw s.invalid("is not an absolute directory", fix, "/var/cache/myapp/socksudp");
        }
        return v;
    }

    static String parseRelayHost(Source s) throws ConfigException {
        String v = s.value;
        if (v.isEmpty()) {
            return null;
        }
        String expected = "expected a host name or IP literal without a port, since the relay port always comes"
                + " from the proxy's reply (BND.PORT)";
        if (v.startsWith("[") && v.endsWith("]")) {
            String inner = v.substring(1, v.length() - 1);
            if (!isIpv6WithScope(inner)) {
                throw s.invalid("has " + Source.quote(inner) + " in brackets, which is not an IPv6 literal",
                        expected, "203.0.113.7");
            }
            return inner;
        }
        if (v.indexOf(':') >= 0) {
            if (isIpv6WithScope(v)) {
                return v;
            }
            if (v.indexOf(':') == v.lastIndexOf(':') || v.startsWith("[")) {
                throw s.invalid("has a port", expected, "203.0.113.7");
            }
            throw s.invalid("is not a host name or IP literal", expected, "203.0.113.7");
        }
        checkHost(s, v, expected, "203.0.113.7");
        return v;
    }

    static InetSocketAddress parseDns(Source s, HostMatcher nonProxyHosts, Source hostsSource)
            throws ConfigException {
        String v = s.value;
        if (v.isEmpty()) {
            return null;
        }
        String example = "9.9.9.9:53";
        String expected = "expected the DNS server's IP address with an optional port (" + DEFAULT_DNS_PORT
                + " if none): IPv4:PORT, [IPv6]:PORT or the address alone";
        String host;
        String portText = null;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) {
                throw s.invalid("has no closing ']'", expected, "[2620:fe::fe]:53");
            }
            host = v.substring(1, close);
            String rest = v.substring(close + 1);
            if (rest.startsWith(":")) {
                portText = rest.substring(1);
            } else if (!rest.isEmpty()) {
                throw s.invalid("has unexpected text after ']'", expected, "[2620:fe::fe]:53");
            }
        } else if (v.indexOf(':') >= 0 && v.indexOf(':') != v.lastIndexOf(':')) {
            host = v; // an IPv6 literal alone
        } else {
            int colon = v.indexOf(':');
            host = colon >= 0 ? v.substring(0, colon) : v;
            portText = colon >= 0 ? v.substring(colon + 1) : null;
        }
        if (host.indexOf('%') >= 0) {
            throw s.invalid("has a scope id", expected + ", without a scope id", example);
        }
        byte[] bytes = IpLiterals.toBytes(host);
        if (bytes == null) {
            boolean looksLikeName = !host.isEmpty() && host.indexOf(':') < 0;
            throw s.invalid(looksLikeName ? "names a host, not an IP address" : "is not an IP address",
                    "the DNS server must be an IP literal, since finding it by name would itself need DNS; "
                            + expected, example);
        }
        int port = DEFAULT_DNS_PORT;
        if (portText != null) {
            port = parsePort(portText);
            if (port < 0) {
                throw s.invalid("has an invalid port " + Source.quote(portText), expected
                        + " from 1 to 65535", example);
            }
        }
        InetSocketAddress address = SocketAddresses.of(bytes, port);
        if (nonProxyHosts.matches(address)) {
            String bypass = hostsSource != null ? hostsSource.where() : "the default nonProxyHosts (loopback)";
            throw s.invalid("matches " + lowerFirst(bypass) + ", so its queries would not go through the proxy",
                    "name a DNS server that the proxy can reach and that nonProxyHosts does not list, or set"
                            + " socksudp.nonProxyHosts without it", example);
        }
        return address;
    }

    /**
     * Apart, so that a start without socksudp.dns does not load it: verifying its catch clause loads three JDK
     * classes that are not in the JDK's class-data archive, which every premain would pay for.
     */
    static final class SocketAddresses {
        private SocketAddresses() {
        }

        static InetSocketAddress of(byte[] bytes, int port) {
            try {
                return new InetSocketAddress(java.net.InetAddress.getByAddress(bytes), port);
            } catch (java.net.UnknownHostException impossible) {
                throw new IllegalStateException(impossible); // 4 or 16 bytes always make an address
            }
        }
    }

    static String oneOf(Source s, String what, List<String> allowed, String example) throws ConfigException {
        String v = s.value.toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            StringBuilder choices = new StringBuilder();
            for (int i = 0; i < allowed.size(); i++) {
                if (i > 0) {
                    choices.append(i == allowed.size() - 1 ? " or " : ", ");
                }
                choices.append(allowed.get(i));
            }
            throw s.invalid("is not a valid " + what, "expected " + choices, example);
        }
        return v;
    }

    static int parseTimeout(Source s) throws ConfigException {
        String v = s.value.toLowerCase(Locale.ROOT);
        String expected = "expected milliseconds from 1 to " + MAX_CONNECT_TIMEOUT_MILLIS
                + ", as a number or with the unit ms or s";
        int multiplier = 1;
        if (v.endsWith("ms")) {
            v = v.substring(0, v.length() - 2).trim();
        } else if (v.endsWith("s")) {
            v = v.substring(0, v.length() - 1).trim();
            multiplier = 1000;
        }
        if (v.isEmpty() || v.length() > 9) {
            throw s.invalid(v.isEmpty() ? "is not a duration" : "is out of range", expected, "5s");
        }
        long value = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                throw s.invalid("is not a duration", expected, "5s");
            }
            value = value * 10 + (c - '0');
        }
        value *= multiplier;
        if (value < 1 || value > MAX_CONNECT_TIMEOUT_MILLIS) {
            throw s.invalid("is out of range", expected, "5s");
        }
        return (int) value;
    }
}
