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
 * Reads the agent's settings from their four sources and validates them into a {@link Config}; resolves no names. An
 * instance is the sources of one load (the system properties, the agent arguments as parsed, the environment), which
 * {@link #find} and {@link #jdk} look a setting up in: the reading and its sources in one class, so that splitting
 * the value from its loader costs premain no class (issue 11). The parsers of the settings other than the proxy, the
 * agent-argument parser and the suggestions for mistyped names are in {@link SettingParsers}, which only a start that
 * needs them loads.
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
 */
public final class ConfigLoader {
    static final String PROPERTY_PREFIX = "socksudp.";
    static final String ENV_PREFIX = "SOCKSUDP_";

    // The sources of this load.
    final Properties properties;
    final Map<String, Source> agentArgs;
    final Map<String, String> environment;

    private ConfigLoader(Properties properties, Map<String, Source> agentArgs, Map<String, String> environment) {
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
        ConfigLoader sources = new ConfigLoader(
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
        String log = logSource != null ? SettingParsers.oneOf(logSource, "log level", Config.LOG_LEVELS, "debug") : "info";

        Source timeoutSource = sources.find("connectTimeout", true);
        int timeout = timeoutSource != null ? SettingParsers.parseTimeout(timeoutSource) : Config.DEFAULT_CONNECT_TIMEOUT_MILLIS;

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
    private static boolean credentialsSet(ConfigLoader sources, List<ProxyUrl> urls) {
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

    // ---------------------------------------------------------------------------------------------- sources

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
            if (name.startsWith(PROPERTY_PREFIX) && !Config.KEYS.contains(name.substring(PROPERTY_PREFIX.length()))
                    && !Config.RESERVED_PROPERTIES.contains(name)) {
                List<String> known = new ArrayList<String>();
                for (String key : Config.KEYS) {
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
        for (String key : Config.KEYS) {
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

    /**
     * For the cache command: the class cache's directory as an agent started with these system properties and
     * environment would take it (without agent arguments, which only a {@code -javaagent} has), {@code option} (the
     * command's {@code --cache}, or null) first; null when the cache is off ({@code off}, or no home directory).
     *
     * @throws ConfigException when the value is not an absolute directory nor {@code off}
     */
    public static String cacheDirectory(String option, Properties systemProperties, Map<String, String> environment)
            throws ConfigException {
        ConfigLoader sources = new ConfigLoader(systemProperties, new LinkedHashMap<String, Source>(), environment);
        Source source = option != null ? new Source(Source.Kind.COMMAND_OPTION, "--cache", option.trim())
                : sources.find("cache", true);
        return source != null ? SettingParsers.parseCache(source) : defaultCacheDirectory(sources);
    }

    /** Where {@link #cacheDirectory} took the setting from ("System property socksudp.cache"); null: the default. */
    public static String cacheSetting(String option, Properties systemProperties, Map<String, String> environment) {
        if (option != null) {
            return "Option --cache";
        }
        Source source = new ConfigLoader(systemProperties, new LinkedHashMap<String, Source>(), environment)
                .find("cache", true);
        return source == null ? null : source.where();
    }

    /** {@code $XDG_CACHE_HOME/socksudp} (if absolute, as the XDG spec asks), else {@code ~/.cache/socksudp}. */
    private static String defaultCacheDirectory(ConfigLoader sources) {
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
}
