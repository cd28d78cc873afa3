package io.socksudp.agent.config;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's configuration: immutable, validated once by {@link #load}.
 *
 * <h2>Sources, highest precedence first</h2>
 * <ol>
 * <li>System property {@code socksudp.<key>}, e.g. {@code -Dsocksudp.proxy=proxy.example:1080}.</li>
 * <li>Agent argument {@code <key>=value}: the text after {@code =} in
 *     {@code -javaagent:socksudp-agent.jar=proxy=proxy.example:1080,log=debug}, comma-separated pairs,
 *     whitespace around keys and values trimmed. A value cannot contain a comma, so a password with a
 *     comma must be given as the system property {@code socksudp.password} (or the environment
 *     variable).</li>
 * <li>Environment variable {@code SOCKSUDP_<KEY>} in upper snake case, e.g.
 *     {@code SOCKSUDP_NON_PROXY_HOSTS}.</li>
 * <li>The JDK's standard properties: {@code socksProxyHost} and {@code socksProxyPort},
 *     {@code java.net.socks.username} and {@code java.net.socks.password}, {@code socksNonProxyHosts}.</li>
 * <li>Defaults.</li>
 * </ol>
 * An unknown agent-argument key or {@code socksudp.*} system property is an error, so a typo cannot
 * silently go unused; {@code socksudp.agentJar} and {@code socksudp.demoJar} are reserved for the
 * project's tests and ignored. Unknown {@code SOCKSUDP_*} environment variables are named in a warning (the
 * environment is shared by whole process trees, and other tools may use the prefix), except one within two typos
 * of a setting, which is an error. Agent-argument values after {@code password=} are never echoed in errors (they
 * may be the rest of a password with a comma). Values are trimmed, except user names and passwords
 * from system properties and environment variables, which are taken exactly.
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
    static final String PROPERTY_PREFIX = "socksudp.";
    static final String ENV_PREFIX = "SOCKSUDP_";
    static final List<String> LOG_LEVELS = Collections.unmodifiableList(Arrays.asList(
            "error", "warn", "info", "debug", "trace"));
    static final String PROXY_EXAMPLE = "proxy.example:1080";

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

    private Config(List<ProxyEndpoint> proxies, String proxySource, Map<String, String> secretProperties, HostMatcher nonProxyHosts, String logLevel, int connectTimeoutMillis, AssociateMode associateMode,
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

    /**
     * Reads and validates the configuration. Resolves no names.
     *
     * @param agentArgs        the agent's argument string, comma-separated {@code key=value}; may be null or empty
     * @param systemProperties usually {@link System#getProperties()}; null counts as empty
     * @param environment      usually {@link System#getenv()}; null counts as empty
     * @throws ConfigException with a one-sentence message naming the setting, its source and the fix
     */
    public static Config load(String agentArgs, Properties systemProperties, Map<String, String> environment)
            throws ConfigException {
        Sources sources = new Sources(
                systemProperties != null ? systemProperties : new Properties(),
                agentArgs == null || agentArgs.trim().isEmpty() ? new LinkedHashMap<String, Source>()
                        : SettingParsers.parseAgentArgs(agentArgs),
                environment != null ? environment : Collections.<String, String>emptyMap());
        checkSystemPropertyNames(sources.properties);
        List<String> warnings = new ArrayList<String>(checkEnvironmentNames(sources.environment));

        Source proxySource = sources.find("proxy", true);
        List<ProxyUrl> urls = proxySource != null ? ProxyUrl.parseList(proxySource) : null;
        List<ProxyAddress> addresses = new ArrayList<ProxyAddress>();
        if (urls == null) {
            proxySource = sources.jdk("socksProxyHost", false);
            if (proxySource == null) {
                throw new ConfigException("No SOCKS5 proxy is configured; set -Dsocksudp.proxy=HOST:PORT (or the JDK's"
                        + " -DsocksProxyHost=HOST), the agent argument proxy=HOST:PORT or the environment variable"
                        + " SOCKSUDP_PROXY=HOST:PORT" + (Boolean.parseBoolean(sources.properties.getProperty(
                                "java.net.useSystemProxies")) ? " (java.net.useSystemProxies is not read by socksudp)"
                                : "") + ".");
            }
            addresses.add(SettingParsers.parseJdkProxy(proxySource, sources.jdk("socksProxyVersion", false),
                    sources.jdk("socksProxyPort", false)));
            urls = Collections.singletonList(null);
        } else {
            for (ProxyUrl url : urls) {
                addresses.add(url.address());
            }
            Source version = sources.jdk("socksProxyVersion", false);
            if (version != null) { // its class is loaded only when the JDK setting is there
                warnings.addAll(JdkProxySettings.ignoredVersion(version, proxySource));
            }
        }
        List<ProxyEndpoint> proxies = new ArrayList<ProxyEndpoint>();
        Map<String, String> secretProperties = Collections.emptyMap();
        if (!credentialsSet(sources, urls)) {
            // The usual case: no user or password anywhere, so nothing to check (Credentials is not even loaded).
            for (ProxyAddress address : addresses) {
                proxies.add(new ProxyEndpoint(address, null, null, null));
            }
        } else {
            Credentials.Resolved credentials = Credentials.resolve(sources, proxySource, urls.get(0) == null
                    ? Collections.singletonList(ProxyUrl.plain(addresses.get(0))) : urls, warnings);
            for (int i = 0; i < addresses.size(); i++) {
                Credentials c = credentials.perProxy.get(i);
                proxies.add(new ProxyEndpoint(addresses.get(i), c.username, c.password, c.passwordOrigin));
            }
            secretProperties = credentials.secretProperties;
        }

        Source hostsSource = sources.find("nonProxyHosts", true);
        if (hostsSource == null) {
            hostsSource = sources.jdk("socksNonProxyHosts", true);
        }
        HostMatcher nonProxyHosts = hostsSource != null ? HostMatcher.parse(hostsSource) : null;

        Source logSource = sources.find("log", true);
        String log = logSource != null ? SettingParsers.oneOf(logSource, "log level", LOG_LEVELS, "debug") : "info";

        Source timeoutSource = sources.find("connectTimeout", true);
        int timeout = timeoutSource != null ? SettingParsers.parseTimeout(timeoutSource) : DEFAULT_CONNECT_TIMEOUT_MILLIS;

        Source associateSource = sources.find("associate", true);
        AssociateMode associate = associateSource == null ? null : AssociateMode.valueOf(
                SettingParsers.oneOf(associateSource, "UDP ASSOCIATE mode", Arrays.asList("zero", "port", "full", "auto"), "zero")
                        .toUpperCase(Locale.ROOT));

        Source relaySource = sources.find("relayHost", true);
        String relayHost = relaySource != null ? SettingParsers.parseRelayHost(relaySource) : null;

        Source unavailableSource = sources.find("onUnavailable", true);
        OnUnavailable onUnavailable = unavailableSource == null ? null : OnUnavailable.valueOf(
                SettingParsers.oneOf(unavailableSource, "choice", Arrays.asList("fail", "drop"), "drop").toUpperCase(Locale.ROOT));

        Source cacheSource = sources.find("cache", true);
        String cache = cacheSource != null ? SettingParsers.parseCache(cacheSource) : defaultCacheDirectory(sources);
        Source dnsSource = sources.find("dns", true);
        InetSocketAddress dns = dnsSource != null ? SettingParsers.parseDns(dnsSource,
                nonProxyHosts != null ? nonProxyHosts : HostMatcher.defaultLoopback(), hostsSource) : null;
        Source logFileSource = sources.find("logFile", true);
        String logFile = logFileSource == null || logFileSource.value.isEmpty() ? null : logFileSource.value;

        boolean socks5h = false;
        for (ProxyUrl url : urls) {
            socks5h |= url != null && url.namesResolvedByProxy();
        }
        if (socks5h && dns == null) {
            throw new ConfigException(proxySource.where() + " uses the scheme socks5h, which means that names are"
                    + " resolved on the proxy's side, but this JVM's own name look-ups go to the system resolver"
                    + " directly unless socksudp.dns is set; set socksudp.dns=IP (a DNS server asked through the proxy)"
                    + " or write socks5:// if direct look-ups are fine.");
        }
        return new Config(proxies, proxySource.where(), secretProperties, nonProxyHosts, log, timeout, associate, relayHost,
                onUnavailable, warnings, cache, dns, logFile, logFile != null ? logFileSource.where() : null);
    }

    /**
     * Whether any setting {@link Credentials#resolve} reads is there (set at all, even empty: an empty one is its
     * error to report), or a proxy URL has user information.
     */
    private static boolean credentialsSet(Sources sources, List<ProxyUrl> urls) {
        if (sources.find("username", false) != null || sources.find("password", false) != null
                || sources.find("passwordFile", false) != null
                || sources.properties.getProperty("java.net.socks.username") != null
                || sources.properties.getProperty("java.net.socks.password") != null) {
            return true;
        }
        for (ProxyUrl url : urls) {
            if (url != null && (url.user() != null || url.hasPassword())) {
                return true;
            }
        }
        return false;
    }

    /** {@link #load} from this JVM's system properties and environment. */
    public static Config fromSystem(String agentArgs) throws ConfigException {
        return load(agentArgs, System.getProperties(), System.getenv());
    }

    // ---------------------------------------------------------------------------------------------- getters

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
        StringBuilder sb = new StringBuilder();
        for (ProxyEndpoint p : proxies) {
            sb.append(sb.length() > 0 ? ", " : "").append(p);
        }
        return sb.toString();
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

    // ---------------------------------------------------------------------------------------------- sources

    /** The three socksudp sources plus JDK fallbacks. */
    static final class Sources {
        final Properties properties;
        final Map<String, Source> agentArgs;
        final Map<String, String> environment;

        Sources(Properties properties, Map<String, Source> agentArgs, Map<String, String> environment) {
            this.properties = properties;
            this.agentArgs = agentArgs;
            this.environment = environment;
        }

        /** The highest-precedence value for {@code key}, or null; trimmed if {@code trim}. */
        Source find(String key, boolean trim) {
            String value = properties.getProperty(PROPERTY_PREFIX + key);
            if (value != null) {
                return new Source(Source.Kind.SYSTEM_PROPERTY, PROPERTY_PREFIX + key, trim ? value.trim() : value);
            }
            Source arg = agentArgs.get(key);
            if (arg != null) {
                return arg;
            }
            String name = environmentName(key);
            value = environment.get(name);
            if (value != null) {
                return new Source(Source.Kind.ENVIRONMENT_VARIABLE, name, trim ? value.trim() : value);
            }
            return null;
        }

        /** A JDK property; an empty value counts as absent unless {@code keepEmpty}. */
        Source jdk(String property, boolean keepEmpty) {
            String value = properties.getProperty(property);
            if (value == null || (!keepEmpty && value.trim().isEmpty())) {
                return null;
            }
            boolean secret = property.startsWith("java.net.socks.");
            return new Source(Source.Kind.SYSTEM_PROPERTY, property, secret ? value : value.trim());
        }
    }

    /** {@code nonProxyHosts} -> {@code SOCKSUDP_NON_PROXY_HOSTS}. */
    static String environmentName(String key) {
        StringBuilder sb = new StringBuilder(ENV_PREFIX);
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isUpperCase(c)) {
                sb.append('_');
            }
            sb.append(Character.toUpperCase(c));
        }
        return sb.toString();
    }

    /** The source for {@code key} of the same kind as {@code like}, for messages. */
    static Source sibling(Source like, String key) {
        if (like.name.startsWith("java.net.socks.")) {
            return new Source(like.kind, "java.net.socks." + key, "");
        }
        switch (like.kind) {
            case SYSTEM_PROPERTY:
                return new Source(like.kind, PROPERTY_PREFIX + key, "");
            case AGENT_ARGUMENT:
                return new Source(like.kind, key, "");
            default:
                return new Source(like.kind, environmentName(key), "");
        }
    }

    private static void checkSystemPropertyNames(Properties properties) throws ConfigException {
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith(PROPERTY_PREFIX) && !KEYS.contains(name.substring(PROPERTY_PREFIX.length()))
                    && !RESERVED_PROPERTIES.contains(name)) {
                List<String> known = new ArrayList<String>();
                for (String key : KEYS) {
                    known.add(PROPERTY_PREFIX + key);
                }
                String suggestion = SettingParsers.closest(name, known);
                throw new ConfigException("System property " + name + " is not a known setting; "
                        + (suggestion != null ? "perhaps you meant " + suggestion + " (the known ones are " : "the known ones are ")
                        + SettingParsers.join(known) + (suggestion != null ? ")." : "."));
            }
        }
    }

    /**
     * Unknown {@code SOCKSUDP_*} environment variables. The environment is shared by whole process trees and other
     * tools may use the prefix (e.g. a launcher's {@code SOCKSUDP_HOME}), so an unknown name is only warned about,
     * once at start, naming the variable (never its value); but one within a typo of a setting (SOCKSUDP_PROXI)
     * stops the start as an unknown system property does, since the user evidently meant that setting.
     */
    private static List<String> checkEnvironmentNames(Map<String, String> environment) throws ConfigException {
        List<String> prefixed = null;
        for (String name : environment.keySet()) {
            if (name.startsWith(ENV_PREFIX)) {
                if (prefixed == null) {
                    prefixed = new ArrayList<String>();
                }
                prefixed.add(name);
            }
        }
        List<String> warnings = new ArrayList<String>();
        if (prefixed == null) {
            return warnings; // the usual case: no names built, none sorted
        }
        List<String> known = new ArrayList<String>();
        for (String key : KEYS) {
            known.add(environmentName(key));
        }
        Collections.sort(prefixed); // errors and warnings in a stable order
        for (String name : prefixed) {
            if (known.contains(name)) {
                continue;
            }
            String suggestion = SettingParsers.closest(name, known);
            if (suggestion != null && SettingParsers.editDistance(name.toLowerCase(Locale.ROOT), suggestion.toLowerCase(Locale.ROOT)) <= 2) {
                throw new ConfigException("Environment variable " + name + " is not a known setting; perhaps you meant "
                        + suggestion + " (the known ones are " + SettingParsers.join(known) + ").");
            }
            warnings.add("socksudp: environment variable " + name + " is not a socksudp setting and is ignored (the"
                    + " known ones are " + SettingParsers.join(known) + ")");
        }
        return warnings;
    }

    // ---------------------------------------------------------------------------------------------- parsers

    /** {@code $XDG_CACHE_HOME/socksudp} (if absolute, as the XDG spec asks), else {@code ~/.cache/socksudp}. */
    private static String defaultCacheDirectory(Sources sources) {
        String xdg = sources.environment.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty() && new java.io.File(xdg).isAbsolute()) {
            return new java.io.File(xdg, "socksudp").getPath();
        }
        String home = sources.properties.getProperty("user.home");
        if (home == null || home.isEmpty() || home.equals("?") || !new java.io.File(home).isAbsolute()) {
            return null; // no home (some containers): no cache, every start transforms
        }
        return new java.io.File(new java.io.File(home, ".cache"), "socksudp").getPath();
    }

    /** {@code 9.9.9.9:53} or {@code [2620:fe::fe]:53}. */
    public static String formatDns(InetSocketAddress dns) {
        String host = dns.getAddress().getHostAddress();
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + dns.getPort() : host + ":" + dns.getPort();
    }

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
