package io.socksudp.agent.config;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The agent's configuration: the settings' values, immutable, as {@link ConfigLoader#load} read and validated them from
 * the four sources (that class says which, in what precedence, and how a mistake is told). This class holds and
 * answers them; it parses nothing.
 *
 * <h2>Keys</h2>
 * <ul>
 * <li>{@code proxy}: {@code HOST:PORT}, {@code [IPv6]:PORT}, {@code HOST} (port 1080) or a {@code socks5://} URL;
 *     or an ordered list of them for failover, separated by ',' or '|' (only '|' in agent arguments), see
 *     {@link ProxyUrl#parseList}. Not resolved here: see {@link ProxyAddress#resolve()}. Required (directly or
 *     through {@code socksProxyHost}).</li>
 * <li>{@code username}, {@code password}: RFC 1929 credentials, 1 to 255 bytes of UTF-8 each, both or
 *     neither; for the proxies of the list whose URL names no user (see {@link Credentials}).</li>
 * <li>{@code nonProxyHosts}: destinations that bypass the proxy, see {@link HostMatcher}; default
 *     loopback, an explicitly empty value proxies everything.</li>
 * <li>{@code log}: error, warn, info (default), debug or trace.</li>
 * <li>{@code connectTimeout}: one deadline over the TCP connect and the whole SOCKS handshake, 1 to 600000 ms, a number of
 *     milliseconds or with the unit ms or s ({@code 5s}); default 10000.</li>
 * <li>{@code associate}: zero (default), port, full or auto, see {@link AssociateMode}.</li>
 * <li>{@code relayHost}: a host or IP literal (no port) that replaces the relay address in the
 *     proxy's reply; by default the reply's BND.ADDR is used. Empty means no override.</li>
 * <li>{@code onUnavailable}: fail (default) or drop, see {@link OnUnavailable}.</li>
 * <li>{@code cache}: the directory of the agent's per-user cache of instrumented JDK classes (an absolute
 *     path), or {@code off}; default {@code $XDG_CACHE_HOME/socksudp}, else {@code ~/.cache/socksudp}. See
 *     {@code intercept.WovenClassCache} for what it holds and how it is trusted.</li>
 * <li>{@code dns}: a DNS server as an IP literal with an optional port ({@code 9.9.9.9}, {@code 9.9.9.9:53},
 *     {@code [2620:fe::fe]:53}, port 53 by default) that the JVM's own name look-ups go to, through the proxy; unset
 *     or empty: the system resolver, directly. A host name is an error: finding it would itself need DNS. The
 *     server must not match {@code nonProxyHosts} (its queries would then not go through the proxy).</li>
 * <li>{@code logFile}: a file the agent's log lines go to instead of stderr (appended, timestamped); opened at
 *     start, where a path that cannot be written stops the JVM. Empty means stderr.</li>
 * </ul>
 */
public final class Config {
    /** The configuration keys, as written in agent arguments and after {@code socksudp.}. */
    public static final List<String> KEYS = Collections.unmodifiableList(Arrays.asList(
            "proxy", "username", "password", "passwordFile", "nonProxyHosts", "log", "connectTimeout", "associate", "relayHost",
            "onUnavailable", "cache", "dns", "logFile"));
    /** System properties in the {@code socksudp.} namespace that are not settings and are ignored. */
    public static final List<String> RESERVED_PROPERTIES = Collections.unmodifiableList(Arrays.asList(
            "socksudp.agentJar", "socksudp.demoJar"));
    public static final int DEFAULT_PROXY_PORT = 1080;
    public static final int DEFAULT_CONNECT_TIMEOUT_MILLIS = 10000;
    public static final int MAX_CONNECT_TIMEOUT_MILLIS = 600000;
    public static final int DEFAULT_DNS_PORT = 53;
    static final List<String> LOG_LEVELS = Collections.unmodifiableList(Arrays.asList(
            "error", "warn", "info", "debug", "trace"));

    private final List<ProxyEndpoint> proxies;
    private final String proxySource;
    private final Map<String, String> secretProperties;
    /** Null for the default (loopback), and the three below null for theirs: premain loads none of their classes. */
    private final HostMatcher nonProxyHosts;
    private final String logLevel;
    private final int connectTimeoutMillis;
    private final AssociateMode associateMode;
    private final String relayHost;
    private final OnUnavailable onUnavailable;
    private final List<String> warnings;
    private final String cacheDirectory;
    private final InetSocketAddress dns;
    private final String logFile;
    private final String logFileSource;

    /** Made only by {@link ConfigLoader}, from validated settings. */
    Config(List<ProxyEndpoint> proxies, String proxySource, Map<String, String> secretProperties, HostMatcher nonProxyHosts, String logLevel, int connectTimeoutMillis, AssociateMode associateMode,
            String relayHost, OnUnavailable onUnavailable, List<String> warnings, String cacheDirectory,
            InetSocketAddress dns, String logFile, String logFileSource) {
        this.warnings = Collections.unmodifiableList(new ArrayList<String>(warnings));
        this.proxies = Collections.unmodifiableList(new ArrayList<ProxyEndpoint>(proxies));
        this.proxySource = proxySource;
        this.secretProperties = secretProperties;
        this.nonProxyHosts = nonProxyHosts;
        this.logLevel = logLevel;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.associateMode = associateMode;
        this.relayHost = relayHost;
        this.onUnavailable = onUnavailable;
        this.cacheDirectory = cacheDirectory;
        this.dns = dns;
        this.logFile = logFile;
        this.logFileSource = logFileSource;
    }

    /** The proxies in the order they are tried (one, unless {@code proxy} lists several for failover). */
    public List<ProxyEndpoint> proxies() {
        return proxies;
    }

    /** The first proxy's address, not resolved. */
    public ProxyAddress proxy() {
        return proxies.get(0).address();
    }

    /** The proxies as the log and messages name them: {@code a:1080} or {@code a:1080, b:1080}. */
    public String proxyNames() {
        return names(proxies);
    }

    static String names(List<ProxyEndpoint> proxies) {
        StringBuilder sb = new StringBuilder();
        for (ProxyEndpoint p : proxies) {
            sb.append(sb.length() > 0 ? ", " : "").append(p);
        }
        return sb.toString();
    }

    /**
     * What the association side needs of this configuration (made on each call: it is asked for once, when the
     * agent activates, so premain does not load its class).
     */
    public ProxySettings proxySettings() {
        return new ProxySettings(proxies, connectTimeoutMillis, associateMode, relayHost);
    }

    /** The first proxy's RFC 1929 user name, or null when it has no credentials. */
    public String username() {
        return proxies.get(0).username();
    }

    /** A copy of the first proxy's password's UTF-8 bytes (the caller should clear it after use), or null. */
    public byte[] passwordBytes() {
        return proxies.get(0).passwordBytes();
    }

    /**
     * System properties that held one of the agent's secrets (socksudp.password, a password in a socksudp.proxy
     * URL), each mapped to what should replace it once the configuration is read: null to remove it, or the URL
     * without its password. Applied at start so that {@code jcmd PID VM.system_properties} no longer shows them.
     */
    public Map<String, String> secretProperties() {
        return secretProperties;
    }

    /** Whether a user name and password are configured for the first proxy (always both or neither). */
    public boolean hasCredentials() {
        return proxies.get(0).hasCredentials();
    }

    /** The destinations that bypass the proxy. */
    public HostMatcher nonProxyHosts() {
        return nonProxyHosts != null ? nonProxyHosts : HostMatcher.defaultLoopback();
    }

    /** One of error, warn, info, debug, trace (lower case). */
    public String logLevel() {
        return logLevel;
    }

    /** The timeout for the TCP connect and the SOCKS handshake with the proxy, 1..600000 ms. */
    public int connectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    /** What to send in the UDP ASSOCIATE request's DST.ADDR and DST.PORT. */
    public AssociateMode associateMode() {
        return associateMode != null ? associateMode : AssociateMode.ZERO;
    }

    /** The host or IP literal (IPv6 without brackets) replacing the reply's BND.ADDR, or null to use BND.ADDR. */
    public String relayHost() {
        return relayHost;
    }

    /** What a send does while no association can be had. */
    public OnUnavailable onUnavailable() {
        return onUnavailable != null ? onUnavailable : OnUnavailable.FAIL;
    }

    /** Sentences to log at warn on start (unknown SOCKSUDP_* environment variables); never a secret. */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * The directory of the per-user cache of instrumented classes (absolute; may not exist yet), or null when the
     * cache is off (set to {@code off}, or no home directory to put it in).
     */
    public String cacheDirectory() {
        return cacheDirectory;
    }

    /**
     * The DNS server that the JVM's own name look-ups go to through the proxy (an IP address, never a name), or null
     * when look-ups are left to the system resolver.
     */
    public InetSocketAddress dns() {
        return dns;
    }

    /** The file for the agent's log lines, or null for stderr; opened (and checked) by the agent at start. */
    public String logFile() {
        return logFile;
    }

    /** Where {@link #logFile()} was set, e.g. {@code System property socksudp.logFile}, for messages; else null. */
    public String logFileSource() {
        return logFileSource;
    }

    /** All settings on one line, for a debug log; the password is shown as {@code ***}. */
    @Override
    public String toString() {
        StringBuilder list = new StringBuilder();
        for (ProxyEndpoint p : proxies) {
            String credentials = "username=" + (p.username() != null ? p.username() : "none") + ", password="
                    + (p.hasCredentials() ? "*** (from " + lowerFirst(p.passwordOrigin()) + ")" : "none");
            if (proxies.size() == 1) {
                list.append(p).append(" (from ").append(lowerFirst(proxySource)).append("), ").append(credentials);
            } else {
                list.append(list.length() > 0 ? " then " : "").append(p).append(" [").append(credentials).append(']');
            }
        }
        if (proxies.size() > 1) {
            list.append(" (from ").append(lowerFirst(proxySource)).append(')');
        }
        return "socksudp config: proxy=" + list
                + ", nonProxyHosts=" + nonProxyHosts()
                + ", log=" + logLevel
                + ", connectTimeout=" + connectTimeoutMillis + "ms"
                + ", associate=" + associateMode().configValue()
                + ", relayHost=" + (relayHost != null ? relayHost : "none (use the reply's BND.ADDR)")
                + ", onUnavailable=" + onUnavailable().configValue()
                + ", cache=" + (cacheDirectory != null ? cacheDirectory : "off")
                + ", dns=" + (dns != null ? formatDns(dns) : "none (the system resolver, directly)")
                + ", logFile=" + (logFile != null ? logFile : "none (stderr)");
    }

    static String lowerFirst(String s) {
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    /** {@code 9.9.9.9:53} or {@code [2620:fe::fe]:53}. */
    public static String formatDns(InetSocketAddress dns) {
        String host = dns.getAddress().getHostAddress();
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + dns.getPort() : host + ":" + dns.getPort();
    }
}
