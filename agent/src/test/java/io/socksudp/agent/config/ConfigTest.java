package io.socksudp.agent.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConfigTest {
    static final String PROXY = "proxy.example:1080";
    static final String SECRET = "Zq7#secretValue";
    static final Map<String, String> NO_ENV = Collections.emptyMap();

    static Properties props(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    static Map<String, String> env(String... keyValues) {
        Map<String, String> m = new HashMap<String, String>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** With a proxy from socksudp.proxy plus the given system properties. */
    static Config withProxy(String... keyValues) throws ConfigException {
        Properties p = props(keyValues);
        p.setProperty("socksudp.proxy", PROXY);
        return ConfigLoader.load(null, p, NO_ENV);
    }

    static String errorWithProxy(String... keyValues) {
        Properties p = props(keyValues);
        p.setProperty("socksudp.proxy", PROXY);
        return error(null, p, NO_ENV);
    }

    /** Loads, expects a ConfigException, checks it is one sentence, and returns the message. */
    static String error(String agentArgs, Properties p, Map<String, String> environment) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(agentArgs, p, environment));
        String m = e.getMessage();
        assertOneSentence(m);
        return m;
    }

    static void assertOneSentence(String m) {
        assertFalse(m.contains("\n") || m.contains("\r"), () -> "multi-line message: " + m);
        assertTrue(m.endsWith("."), () -> "message does not end with a period: " + m);
        assertTrue(Character.isUpperCase(m.charAt(0)), () -> "message does not start a sentence: " + m);
    }

    static void assertContains(String text, String... parts) {
        for (String part : parts) {
            assertTrue(text.contains(part), () -> "expected '" + part + "' in: " + text);
        }
    }

    static void assertNoSecret(String text) {
        assertFalse(text.contains(SECRET), () -> "password leaked: " + text);
        assertFalse(text.contains("secretValue"), () -> "part of the password leaked: " + text);
    }

    @Nested
    @DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
    class Defaults {
        @Test
        void only_a_proxy_gives_every_default() throws Exception {
            Config c = withProxy();
            assertEquals("proxy.example", c.proxy().host());
            assertEquals(1080, c.proxy().port());
            assertNull(c.username());
            assertNull(c.passwordBytes());
            assertFalse(c.hasCredentials());
            assertSame(HostMatcher.defaultLoopback(), c.nonProxyHosts());
            assertEquals("info", c.logLevel());
            assertEquals(10000, c.connectTimeoutMillis());
            assertEquals(AssociateMode.ZERO, c.associateMode());
            assertNull(c.relayHost());
            assertEquals(OnUnavailable.FAIL, c.onUnavailable());
        }

        @Test
        void null_system_properties_and_environment_count_as_empty() throws Exception {
            Config c = ConfigLoader.load("proxy=" + PROXY, null, null);
            assertEquals(PROXY, c.proxy().toString());
        }

        @Test
        void no_proxy_at_all_is_an_error_that_says_how_to_set_one() {
            String m = error(null, props(), NO_ENV);
            assertContains(m, "-Dsocksudp.proxy=HOST:PORT", "socksProxyHost");
        }

        @Test
        void unrelated_system_properties_and_environment_variables_are_ignored() throws Exception {
            Config c = ConfigLoader.load(null, props("socksudp.proxy", PROXY, "java.version", "1.8", "proxy", "x:1",
                    "socksudpX", "y"), env("PATH", "/bin", "socksudp_proxy", "lower:1"));
            assertEquals(PROXY, c.proxy().toString());
            assertEquals(java.util.Collections.emptyList(), c.warnings());
        }

        @Test
        void unknown_socksudp_environment_variables_are_warned_about_by_name_without_their_value() throws Exception {
            Config c = ConfigLoader.load(null, props("socksudp.proxy", PROXY),
                    env("SOCKSUDP_UNKNOWN", "v4lue", "SOCKSUDP_JDK17_HOME", "/opt/jdk", "SOCKSUDP_PROXY", "e:1"));
            assertEquals(2, c.warnings().size(), c.warnings()::toString);
            assertContains(c.warnings().get(0), "SOCKSUDP_JDK17_HOME", "is ignored", "SOCKSUDP_PROXY");
            assertContains(c.warnings().get(1), "SOCKSUDP_UNKNOWN", "is ignored");
            assertFalse(c.warnings().toString().contains("v4lue") || c.warnings().toString().contains("/opt/jdk"));
        }

        @Test
        void a_socksudp_environment_variable_within_a_typo_of_a_setting_stops_the_start() {
            String m = error(null, props("socksudp.proxy", PROXY), env("SOCKSUDP_PASSWROD", SECRET));
            assertContains(m, "Environment variable SOCKSUDP_PASSWROD is not a known setting",
                    "perhaps you meant SOCKSUDP_PASSWORD");
            assertFalse(m.contains(SECRET));
        }

        @Test
        void reserved_socksudp_properties_are_not_errors() throws Exception {
            Config c = withProxy("socksudp.agentJar", "/a.jar", "socksudp.demoJar", "/d.jar");
            assertEquals(PROXY, c.proxy().toString());
        }

        @Test
        void loading_as_the_agent_does_reads_this_jvm() throws Exception {
            // the agent argument supplies the proxy whatever this JVM's environment holds,
            // unless the build set socksudp.* itself, which it does not
            Config c = ConfigLoader.load("proxy=" + PROXY, System.getProperties(), System.getenv());
            assertEquals(PROXY, c.proxy().toString());
        }
    }

    @Nested
    @DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
    class SourcesAndPrecedence {
        @Test
        void the_system_property_beats_the_agent_argument_and_the_environment() throws Exception {
            Config c = ConfigLoader.load("proxy=arg.example:2", props("socksudp.proxy", "prop.example:1"),
                    env("SOCKSUDP_PROXY", "env.example:3"));
            assertEquals("prop.example:1", c.proxy().toString());
        }

        @Test
        void the_agent_argument_beats_the_environment() throws Exception {
            Config c = ConfigLoader.load("proxy=arg.example:2", props(), env("SOCKSUDP_PROXY", "env.example:3"));
            assertEquals("arg.example:2", c.proxy().toString());
        }

        @Test
        void the_environment_is_used_when_nothing_else_is_set() throws Exception {
            Config c = ConfigLoader.load(null, props(), env("SOCKSUDP_PROXY", "env.example:3"));
            assertEquals("env.example:3", c.proxy().toString());
        }

        @Test
        void socksudp_proxy_beats_the_jdk_socks_proxy_properties_even_an_invalid_port() throws Exception {
            Config c = ConfigLoader.load(null, props("socksudp.proxy", "mine.example:9", "socksProxyHost", "jdk.example",
                    "socksProxyPort", "nonsense"), NO_ENV);
            assertEquals("mine.example:9", c.proxy().toString());
        }

        @Test
        void every_key_can_come_from_the_agent_arguments() throws Exception {
            Config c = ConfigLoader.load(" proxy = p.example:7 , username = alice , password = pw ,"
                    + " nonProxyHosts = *.corp.example , log = debug , connectTimeout = 5s , associate = full ,"
                    + " relayHost = relay.example , onUnavailable = drop , ", props(), NO_ENV);
            assertEquals("p.example:7", c.proxy().toString());
            assertEquals("alice", c.username());
            assertArrayEquals("pw".getBytes(StandardCharsets.UTF_8), c.passwordBytes());
            assertEquals("*.corp.example", c.nonProxyHosts().toString());
            assertEquals("debug", c.logLevel());
            assertEquals(5000, c.connectTimeoutMillis());
            assertEquals(AssociateMode.FULL, c.associateMode());
            assertEquals("relay.example", c.relayHost());
            assertEquals(OnUnavailable.DROP, c.onUnavailable());
        }

        @Test
        void every_key_can_come_from_system_properties() throws Exception {
            Config c = ConfigLoader.load(null, props("socksudp.proxy", "p.example:7", "socksudp.username", "alice",
                    "socksudp.password", "pw", "socksudp.nonProxyHosts", "*.corp.example", "socksudp.log", "trace",
                    "socksudp.connectTimeout", "250ms", "socksudp.associate", "port", "socksudp.relayHost",
                    "192.0.2.9", "socksudp.onUnavailable", "drop"), NO_ENV);
            assertEquals("p.example:7", c.proxy().toString());
            assertEquals("alice", c.username());
            assertArrayEquals("pw".getBytes(StandardCharsets.UTF_8), c.passwordBytes());
            assertEquals("*.corp.example", c.nonProxyHosts().toString());
            assertEquals("trace", c.logLevel());
            assertEquals(250, c.connectTimeoutMillis());
            assertEquals(AssociateMode.PORT, c.associateMode());
            assertEquals("192.0.2.9", c.relayHost());
            assertEquals(OnUnavailable.DROP, c.onUnavailable());
        }

        @Test
        void every_key_can_come_from_upper_snake_case_environment_variables() throws Exception {
            Config c = ConfigLoader.load(null, props(), env("SOCKSUDP_PROXY", "p.example:7", "SOCKSUDP_USERNAME", "alice",
                    "SOCKSUDP_PASSWORD", "pw", "SOCKSUDP_NON_PROXY_HOSTS", "*.corp.example", "SOCKSUDP_LOG", "warn",
                    "SOCKSUDP_CONNECT_TIMEOUT", "3000", "SOCKSUDP_ASSOCIATE", "full", "SOCKSUDP_RELAY_HOST",
                    "relay.example", "SOCKSUDP_ON_UNAVAILABLE", "drop"));
            assertEquals("p.example:7", c.proxy().toString());
            assertEquals("alice", c.username());
            assertArrayEquals("pw".getBytes(StandardCharsets.UTF_8), c.passwordBytes());
            assertEquals("*.corp.example", c.nonProxyHosts().toString());
            assertEquals("warn", c.logLevel());
            assertEquals(3000, c.connectTimeoutMillis());
            assertEquals(AssociateMode.FULL, c.associateMode());
            assertEquals("relay.example", c.relayHost());
            assertEquals(OnUnavailable.DROP, c.onUnavailable());
        }

        @Test
        void precedence_is_decided_per_key() throws Exception {
            Config c = ConfigLoader.load("log=debug,connectTimeout=2s", props("socksudp.log", "error"),
                    env("SOCKSUDP_PROXY", PROXY, "SOCKSUDP_CONNECT_TIMEOUT", "9s", "SOCKSUDP_ASSOCIATE", "port"));
            assertEquals("error", c.logLevel());
            assertEquals(2000, c.connectTimeoutMillis());
            assertEquals(AssociateMode.PORT, c.associateMode());
        }

        @Test
        void an_error_names_the_system_property_it_came_from() {
            String m = error(null, props("socksudp.proxy", "foo:bar"), NO_ENV);
            assertEquals("System property socksudp.proxy 'foo:bar' has an invalid port 'bar'; expected HOST:PORT"
                    + " with a port from 1 to 65535, e.g. -Dsocksudp.proxy=proxy.example:1080.", m);
        }

        @Test
        void an_error_names_the_agent_argument_it_came_from() {
            String m = error("proxy=foo:bar", props(), NO_ENV);
            assertContains(m, "Agent argument proxy 'foo:bar'", "-javaagent:socksudp-agent.jar=proxy=");
        }

        @Test
        void an_error_names_the_environment_variable_it_came_from() {
            String m = error(null, props(), env("SOCKSUDP_PROXY", "foo:bar"));
            assertContains(m, "Environment variable SOCKSUDP_PROXY 'foo:bar'", "SOCKSUDP_PROXY=proxy.example:1080");
        }

        @Test
        void a_lower_precedence_invalid_value_is_never_looked_at() throws Exception {
            Config c = ConfigLoader.load("log=loud", props("socksudp.proxy", PROXY, "socksudp.log", "warn"),
                    env("SOCKSUDP_LOG", "louder"));
            assertEquals("warn", c.logLevel());
        }

        @Test
        void an_environment_value_with_a_newline_still_gives_a_one_line_message() {
            String m = error(null, props(), env("SOCKSUDP_PROXY", "a b\nc:1"));
            assertContains(m, "\\n");
        }
    }

    @Nested
    @DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
    class AgentArguments {
        @Test
        void null_empty_and_blank_agent_arguments_mean_none() throws Exception {
            for (String args : new String[] {null, "", "   ", ",", " , ,"}) {
                Config c = ConfigLoader.load(args, props("socksudp.proxy", PROXY), NO_ENV);
                assertEquals(PROXY, c.proxy().toString());
            }
        }

        @Test
        void an_unknown_key_is_an_error_suggesting_the_closest_known_key() {
            String m = error("prxy=" + PROXY, props(), NO_ENV);
            assertContains(m, "Agent argument 'prxy'", "perhaps you meant proxy", "nonProxyHosts");
        }

        @Test
        void a_wrongly_cased_key_is_an_error_suggesting_the_right_case() {
            String m = error("nonproxyhosts=x", props("socksudp.proxy", PROXY), NO_ENV);
            assertContains(m, "'nonproxyhosts'", "perhaps you meant nonProxyHosts");
        }

        @Test
        void a_far_off_unknown_key_lists_the_known_keys() {
            String m = error("completelyDifferent=1", props("socksudp.proxy", PROXY), NO_ENV);
            assertContains(m, "'completelyDifferent'", "the known keys are proxy, username");
        }

        @Test
        void an_entry_without_equals_sign_is_an_error() {
            String m = error("proxy.example:1080", props(), NO_ENV);
            assertContains(m, "'proxy.example:1080' has no '='", "KEY=VALUE");
        }

        @Test
        void a_key_given_twice_is_an_error() {
            String m = error("log=debug,log=info", props("socksudp.proxy", PROXY), NO_ENV);
            assertContains(m, "Agent argument log is given twice");
        }

        @Test
        void a_value_may_contain_an_equals_sign() throws Exception {
            Config c = ConfigLoader.load("proxy=" + PROXY + ",username=u,password=a=b", props(), NO_ENV);
            assertArrayEquals("a=b".getBytes(StandardCharsets.UTF_8), c.passwordBytes());
        }
    }

    @Nested
    @DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
    class SystemPropertyNames {
        @Test
        void a_misspelt_socksudp_property_is_an_error_suggesting_the_right_one() {
            String m = error(null, props("socksudp.prxy", PROXY), NO_ENV);
            assertContains(m, "System property socksudp.prxy is not a known setting",
                    "perhaps you meant socksudp.proxy");
        }

        @Test
        void a_misspelt_property_is_an_error_even_when_the_proxy_is_set() {
            String m = errorWithProxy("socksudp.nonProxyHost", "x");
            assertContains(m, "socksudp.nonProxyHost ", "socksudp.nonProxyHosts");
        }

        @Test
        void the_value_of_an_unknown_property_is_not_echoed() {
            String m = errorWithProxy("socksudp.passwd", SECRET);
            assertContains(m, "socksudp.passwd", "socksudp.password");
            assertNoSecret(m);
        }
    }

    @Nested
    @DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
    class Proxy {
        Config proxy(String value) throws ConfigException {
            return ConfigLoader.load(null, props("socksudp.proxy", value), NO_ENV);
        }

        String proxyError(String value) {
            String m = error(null, props("socksudp.proxy", value), NO_ENV);
            assertContains(m, "socksudp.proxy");
            return m;
        }

        @Test
        void host_and_port_are_parsed() throws Exception {
            ProxyAddress p = proxy("proxy.example:3128").proxy();
            assertEquals("proxy.example", p.host());
            assertEquals(3128, p.port());
        }

        @Test
        void a_host_alone_uses_port_1080() throws Exception {
            assertEquals("proxy.example:1080", proxy("proxy.example").proxy().toString());
        }

        @Test
        void surrounding_whitespace_is_trimmed() throws Exception {
            assertEquals("proxy.example:1", proxy("  proxy.example:1 ").proxy().toString());
        }

        @Test
        void ipv4_literals_are_accepted() throws Exception {
            assertEquals("192.0.2.1:1080", proxy("192.0.2.1:1080").proxy().toString());
        }

        @Test
        void bracketed_ipv6_literals_are_accepted_with_and_without_port() throws Exception {
            ProxyAddress p = proxy("[2001:db8::1]:1081").proxy();
            assertEquals("2001:db8::1", p.host());
            assertEquals(1081, p.port());
            assertEquals("[2001:db8::1]:1081", p.toString());
            assertEquals("[::1]:1080", proxy("[::1]").proxy().toString());
        }

        @Test
        void a_bare_ipv6_literal_is_an_error_that_says_to_use_brackets() {
            assertContains(proxyError("2001:db8::1"), "brackets", "[2001:db8::1]:1080");
            assertContains(proxyError("::1:1080"), "brackets");
        }

        @Test
        void the_extreme_ports_are_accepted() throws Exception {
            assertEquals(1, proxy("p.example:1").proxy().port());
            assertEquals(65535, proxy("p.example:65535").proxy().port());
        }

        @Test
        void ports_outside_1_to_65535_or_not_numbers_are_errors() {
            for (String port : new String[] {"0", "65536", "99999999", "-1", "bar", "", " 1", "1e3"}) {
                String m = proxyError("p.example:" + port);
                assertContains(m, "invalid port '" + port + "'", "from 1 to 65535");
            }
        }

        @Test
        void an_empty_value_is_an_error() {
            assertContains(proxyError("  "), "is empty");
        }

        @Test
        void an_empty_host_is_an_error() {
            assertContains(proxyError(":1080"), "empty host");
        }

        @Test
        void a_scheme_other_than_socks5_is_an_error() {
            assertContains(proxyError("http://p.example:1080"), "scheme 'http'", "HTTP proxy cannot relay UDP");
            assertContains(proxyError("socks4://p.example:1080"), "SOCKS4 has no UDP");
            assertContains(proxyError("ftp://p.example:1080"), "not a SOCKS5 scheme");
        }

        @Test
        void credentials_in_the_proxy_value_are_an_error_that_does_not_echo_them() {
            String m = proxyError("user:" + SECRET + "@p.example:1080");
            assertContains(m, "socksudp.username", "socksudp.password");
            assertNoSecret(m);
            assertFalse(m.contains("user:"));
        }

        @Test
        void brackets_around_something_else_than_ipv6_are_an_error() {
            assertContains(proxyError("[p.example]:1080"), "not an IPv6 literal");
        }

        @Test
        void a_missing_closing_bracket_is_an_error() {
            assertContains(proxyError("[::1:1080"), "closing ']'");
        }

        @Test
        void text_after_the_closing_bracket_is_an_error() {
            assertContains(proxyError("[::1]1080"), "after ']'");
        }

        @Test
        void invalid_characters_in_the_host_are_errors() {
            assertContains(proxyError("p example:1080"), "whitespace");
            assertContains(proxyError("p/x:1080"), "'/'");
        }

        @Test
        void names_are_not_resolved_when_loading() throws Exception {
            // .invalid never resolves (RFC 6761); load() must keep it as text and succeed
            Config c = proxy("no-such-host.invalid:1080");
            assertEquals("no-such-host.invalid", c.proxy().host());
            assertThrows(UnknownHostException.class, () -> c.proxy().resolve());
        }

        @Test
        void resolve_returns_a_resolved_address() throws Exception {
            InetSocketAddress a = proxy("127.0.0.1:1081").proxy().resolve();
            assertFalse(a.isUnresolved());
            assertEquals(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), a.getAddress());
            assertEquals(1081, a.getPort());
        }
    }

    @Nested
    @DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
    class JdkProxyFallback {
        @Test
        void socks_proxy_host_and_port_are_used_when_socksudp_proxy_is_absent() throws Exception {
            Config c = ConfigLoader.load(null, props("socksProxyHost", "jdk.example", "socksProxyPort", "1090"), NO_ENV);
            assertEquals("jdk.example:1090", c.proxy().toString());
            assertContains(c.toString(), "socksProxyHost");
        }

        @Test
        void socks_proxy_port_defaults_to_1080() throws Exception {
            Config c = ConfigLoader.load(null, props("socksProxyHost", "jdk.example"), NO_ENV);
            assertEquals("jdk.example:1080", c.proxy().toString());
        }

        @Test
        void socks_proxy_host_may_be_an_ipv6_literal_with_or_without_brackets() throws Exception {
            assertEquals("[::1]:1080", ConfigLoader.load(null, props("socksProxyHost", "::1"), NO_ENV).proxy().toString());
            assertEquals("[::1]:1080", ConfigLoader.load(null, props("socksProxyHost", "[::1]"), NO_ENV).proxy().toString());
        }

        @Test
        void an_empty_socks_proxy_host_counts_as_unset() {
            assertContains(error(null, props("socksProxyHost", " "), NO_ENV), "No SOCKS5 proxy");
        }

        @Test
        void an_invalid_socks_proxy_port_is_an_error_naming_socks_proxy_port() {
            String m = error(null, props("socksProxyHost", "jdk.example", "socksProxyPort", "70000"), NO_ENV);
            assertEquals("System property socksProxyPort '70000' is not a valid port; expected a port from 1 to"
                    + " 65535, e.g. -DsocksProxyPort=1080.", m);
        }

        @Test
        void a_port_in_socks_proxy_host_is_an_error_naming_socks_proxy_host() {
            String m = error(null, props("socksProxyHost", "jdk.example:1080"), NO_ENV);
            assertContains(m, "System property socksProxyHost 'jdk.example:1080'", "socksProxyPort");
        }

        @Test
        void socks_proxy_port_without_socks_proxy_host_is_ignored() {
            assertContains(error(null, props("socksProxyPort", "1080"), NO_ENV), "No SOCKS5 proxy");
        }
    }

    @Nested
    @DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
    class Credentials {
        @Test
        void username_and_password_are_read_and_the_password_is_copied_defensively() throws Exception {
            Config c = withProxy("socksudp.username", "alice", "socksudp.password", SECRET);
            assertTrue(c.hasCredentials());
            assertEquals("alice", c.username());
            byte[] first = c.passwordBytes();
            assertArrayEquals(SECRET.getBytes(StandardCharsets.UTF_8), first);
            first[0] = 0;
            assertArrayEquals(SECRET.getBytes(StandardCharsets.UTF_8), c.passwordBytes());
            assertNotSame(c.passwordBytes(), c.passwordBytes());
        }

        @Test
        void the_password_is_utf8() throws Exception {
            Config c = withProxy("socksudp.username", "ålice", "socksudp.password", "pässwörd");
            assertArrayEquals("pässwörd".getBytes(StandardCharsets.UTF_8), c.passwordBytes());
        }

        @Test
        void the_jdk_socks_username_and_password_are_the_fallback() throws Exception {
            Config c = withProxy("java.net.socks.username", "bob", "java.net.socks.password", SECRET);
            assertEquals("bob", c.username());
            assertArrayEquals(SECRET.getBytes(StandardCharsets.UTF_8), c.passwordBytes());
        }

        @Test
        void socksudp_credentials_beat_the_jdk_ones() throws Exception {
            Config c = withProxy("java.net.socks.username", "bob", "java.net.socks.password", "jdk",
                    "socksudp.username", "alice", "socksudp.password", "mine");
            assertEquals("alice", c.username());
            assertArrayEquals("mine".getBytes(StandardCharsets.UTF_8), c.passwordBytes());
        }

        @Test
        void passwords_from_system_properties_are_taken_exactly_with_commas_and_spaces() throws Exception {
            Config c = withProxy("socksudp.username", "alice", "socksudp.password", " a,b ");
            assertArrayEquals(" a,b ".getBytes(StandardCharsets.UTF_8), c.passwordBytes());
        }

        @Test
        void passwords_from_agent_arguments_are_trimmed() throws Exception {
            Config c = ConfigLoader.load("proxy=" + PROXY + ", username=alice , password= pw ", props(), NO_ENV);
            assertArrayEquals("pw".getBytes(StandardCharsets.UTF_8), c.passwordBytes());
        }

        @Test
        void a_255_byte_password_is_accepted() throws Exception {
            Config c = withProxy("socksudp.username", "alice", "socksudp.password", repeat("x", 255));
            assertEquals(255, c.passwordBytes().length);
        }

        @Test
        void to_string_masks_the_password() throws Exception {
            Config c = withProxy("socksudp.username", "alice", "socksudp.password", SECRET);
            assertContains(c.toString(), "password=***", "username=alice");
            assertNoSecret(c.toString());
        }

        @Test
        void to_string_without_credentials_says_none() throws Exception {
            assertContains(withProxy().toString(), "username=none", "password=none");
        }

        @Test
        void a_password_without_username_is_an_error_from_every_source() {
            assertPasswordError(error(null, props("socksudp.proxy", PROXY, "socksudp.password", SECRET), NO_ENV),
                    "System property socksudp.password", "-Dsocksudp.username=");
            assertPasswordError(error("password=" + SECRET, props("socksudp.proxy", PROXY), NO_ENV),
                    "Agent argument password", "username=");
            assertPasswordError(error(null, props("socksudp.proxy", PROXY), env("SOCKSUDP_PASSWORD", SECRET)),
                    "Environment variable SOCKSUDP_PASSWORD", "SOCKSUDP_USERNAME=");
            assertPasswordError(errorWithProxy("java.net.socks.password", SECRET),
                    "System property java.net.socks.password", "-Djava.net.socks.username=");
        }

        @Test
        void a_username_without_password_is_an_error() {
            assertPasswordError(errorWithProxy("socksudp.username", "alice"), "System property socksudp.username",
                    "-Dsocksudp.password=");
            assertPasswordError(errorWithProxy("java.net.socks.username", "alice"),
                    "System property java.net.socks.username", "java.net.socks.password");
        }

        @Test
        void a_password_over_255_bytes_is_an_error_that_does_not_echo_it() {
            String longSecret = SECRET + repeat("x", 250);
            String m = errorWithProxy("socksudp.username", "alice", "socksudp.password", longSecret);
            assertPasswordError(m, "socksudp.password", "265 bytes", "255");
        }

        @Test
        void password_length_counts_utf8_bytes_not_characters() {
            String m = errorWithProxy("socksudp.username", "alice", "socksudp.password", SECRET + repeat("é", 121));
            assertPasswordError(m, "socksudp.password", "257 bytes");
        }

        @Test
        void an_empty_password_or_username_is_an_error() {
            assertPasswordError(errorWithProxy("socksudp.username", "alice", "socksudp.password", ""),
                    "socksudp.password", "is empty");
            assertContains(errorWithProxy("socksudp.username", "", "socksudp.password", SECRET),
                    "socksudp.username", "is empty");
        }

        @Test
        void a_username_over_255_bytes_is_an_error() {
            assertContains(errorWithProxy("socksudp.username", repeat("u", 256), "socksudp.password", SECRET),
                    "socksudp.username", "256 bytes");
        }

        @Test
        void a_password_with_a_comma_in_the_agent_arguments_is_an_error_that_echoes_no_part_of_it() {
            // the password was meant to be "Zq7#secr,etValue" and "Zq7#secretValue,x=secretValue"
            assertPasswordError(error("proxy=" + PROXY + ",username=u,password=Zq7#secr,etValue", props(), NO_ENV),
                    "after password", "-Dsocksudp.password");
            String m = error("proxy=" + PROXY + ",username=u,password=" + SECRET + ",secretValue=1", props(), NO_ENV);
            assertPasswordError(m, "after password");
            assertFalse(m.contains("etValue"));
        }

        @Test
        void a_password_tail_that_looks_like_another_key_is_never_echoed() {
            // meant: password "S3c,log=Passw0rdXYZ"; "log" is a known key, so the tail parses as log=Passw0rdXYZ
            String m = error("proxy=" + PROXY + ",username=u,password=S3c,log=Passw0rdXYZ", props(), NO_ENV);
            assertContains(m, "Agent argument log", "not shown", "-Dsocksudp.password");
            assertFalse(m.contains("Passw0rd"), () -> "password tail leaked: " + m);
            String t = error("proxy=" + PROXY + ",username=u,password=S3c,connectTimeout=Passw0rd,x", props(), NO_ENV);
            assertFalse(t.contains("Passw0rd"), () -> "password tail leaked: " + t);
            String h = error("proxy=" + PROXY + ",username=u,password=S3c,relayHost=Pass w0rd", props(), NO_ENV);
            assertFalse(h.contains("Pass w0rd") || h.contains("' '"), () -> "password tail leaked: " + h);
        }

        @Test
        void no_error_involving_a_password_ever_contains_it() {
            String[][] cases = {
                {"socksudp.password", SECRET},
                {"java.net.socks.password", SECRET},
                {"socksudp.username", "alice", "socksudp.password", SECRET + repeat("y", 300)},
                {"java.net.socks.username", "alice", "java.net.socks.password", SECRET + repeat("y", 300)},
                {"socksudp.passwd", SECRET},
                {"socksudp.password", SECRET, "socksudp.log", "loud"},
            };
            for (String[] c : cases) {
                Properties p = props(c);
                p.setProperty("socksudp.proxy", PROXY);
                assertNoSecret(error(null, p, NO_ENV));
            }
            assertNoSecret(error("password=" + SECRET, props("socksudp.proxy", PROXY), NO_ENV));
            assertNoSecret(error("passwd=" + SECRET, props("socksudp.proxy", PROXY), NO_ENV));
            assertNoSecret(error("password=" + SECRET + "," + SECRET, props("socksudp.proxy", PROXY), NO_ENV));
            assertNoSecret(error(null, props(), env("SOCKSUDP_PROXY", PROXY, "SOCKSUDP_PASSWORD", SECRET)));
            assertNoSecret(error(null, props("socksudp.proxy", "u:" + SECRET + "@h:1"), NO_ENV));
        }

        private void assertPasswordError(String m, String... parts) {
            assertContains(m, parts);
            assertNoSecret(m);
            assertFalse(m.contains("Zq7#secr"), () -> "password leaked: " + m);
        }
    }

    @Nested
    @DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
    class NonProxyHosts {
        final InetSocketAddress loopback4 = address(new byte[] {127, 0, 0, 1});
        final InetSocketAddress other4 = address(new byte[] {10, 1, 2, 3});

        @Test
        void the_default_bypasses_loopback() throws Exception {
            HostMatcher m = withProxy().nonProxyHosts();
            assertTrue(m.matches(loopback4));
            assertFalse(m.matches(other4));
        }

        @Test
        void an_explicitly_empty_value_proxies_everything_including_loopback() throws Exception {
            HostMatcher m = withProxy("socksudp.nonProxyHosts", "").nonProxyHosts();
            assertSame(HostMatcher.none(), m);
            assertFalse(m.matches(loopback4));
            assertSame(HostMatcher.none(), ConfigLoader.load("nonProxyHosts=", props("socksudp.proxy", PROXY), NO_ENV)
                    .nonProxyHosts());
            assertSame(HostMatcher.none(), ConfigLoader.load(null, props("socksudp.proxy", PROXY),
                    env("SOCKSUDP_NON_PROXY_HOSTS", "")).nonProxyHosts());
        }

        @Test
        void explicit_patterns_replace_the_default() throws Exception {
            HostMatcher m = withProxy("socksudp.nonProxyHosts", "10.*").nonProxyHosts();
            assertTrue(m.matches(other4));
            assertFalse(m.matches(loopback4));
        }

        @Test
        void the_jdk_socks_non_proxy_hosts_is_the_fallback() throws Exception {
            HostMatcher m = withProxy("socksNonProxyHosts", "10.*").nonProxyHosts();
            assertTrue(m.matches(other4));
            assertSame(HostMatcher.none(), withProxy("socksNonProxyHosts", "").nonProxyHosts());
        }

        @Test
        void socksudp_non_proxy_hosts_beats_the_jdk_property() throws Exception {
            HostMatcher m = withProxy("socksNonProxyHosts", "10.*", "socksudp.nonProxyHosts", "").nonProxyHosts();
            assertSame(HostMatcher.none(), m);
        }

        @Test
        void a_wildcard_in_the_middle_is_an_error() {
            assertContains(errorWithProxy("socksudp.nonProxyHosts", "localhost|a*b.example"),
                    "System property socksudp.nonProxyHosts", "'a*b.example'", "'*' in the middle");
        }

        @Test
        void address_ranges_commas_ports_and_stray_brackets_are_errors() {
            assertContains(errorWithProxy("socksudp.nonProxyHosts", "10.0.0.0/8"), "'/'", "10.0.0.0/8");
            assertContains(errorWithProxy("socksudp.nonProxyHosts", "a.example,b.example"), "'|'");
            assertContains(errorWithProxy("socksudp.nonProxyHosts", "a.example b.example"), "whitespace");
            assertContains(errorWithProxy("socksudp.nonProxyHosts", "host.example:80"), "no port");
            assertContains(errorWithProxy("socksudp.nonProxyHosts", "[::1"), "closing ']'");
            assertContains(errorWithProxy("socksudp.nonProxyHosts", "[host.example]"), "only for IPv6");
            assertContains(errorWithProxy("socksudp.nonProxyHosts", "1:2:3"), "not a valid IPv6");
            assertContains(errorWithProxy("socksNonProxyHosts", "a*b"), "System property socksNonProxyHosts");
        }

        private InetSocketAddress address(byte[] bytes) {
            try {
                return new InetSocketAddress(InetAddress.getByAddress(bytes), 53);
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Nested
    @DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
    class SimpleKeys {
        @Test
        void log_levels_are_case_insensitive_and_stored_in_lower_case() throws Exception {
            for (String level : new String[] {"error", "warn", "info", "debug", "trace"}) {
                assertEquals(level, withProxy("socksudp.log", level.toUpperCase()).logLevel());
            }
        }

        @Test
        void an_unknown_log_level_is_an_error_listing_the_levels() {
            assertEquals("System property socksudp.log 'verbose' is not a valid log level; expected error, warn,"
                    + " info, debug or trace, e.g. -Dsocksudp.log=debug.", errorWithProxy("socksudp.log", "verbose"));
        }

        @Test
        void connect_timeout_accepts_milliseconds_and_units() throws Exception {
            assertEquals(5000, withProxy("socksudp.connectTimeout", "5000").connectTimeoutMillis());
            assertEquals(5000, withProxy("socksudp.connectTimeout", "5s").connectTimeoutMillis());
            assertEquals(5000, withProxy("socksudp.connectTimeout", "5 S").connectTimeoutMillis());
            assertEquals(250, withProxy("socksudp.connectTimeout", "250ms").connectTimeoutMillis());
            assertEquals(1, withProxy("socksudp.connectTimeout", "1").connectTimeoutMillis());
            assertEquals(600000, withProxy("socksudp.connectTimeout", "600000").connectTimeoutMillis());
            assertEquals(600000, withProxy("socksudp.connectTimeout", "600s").connectTimeoutMillis());
        }

        @Test
        void connect_timeouts_out_of_range_are_errors() {
            for (String v : new String[] {"0", "0s", "600001", "601s", "9999999999", "999999999s"}) {
                assertContains(errorWithProxy("socksudp.connectTimeout", v), "socksudp.connectTimeout",
                        "out of range", "1 to 600000");
            }
        }

        @Test
        void connect_timeouts_that_are_not_durations_are_errors() {
            for (String v : new String[] {"", "abc", "1.5s", "-1", "5m", "s", "ms", "5 sec"}) {
                assertContains(errorWithProxy("socksudp.connectTimeout", v), "socksudp.connectTimeout",
                        "-Dsocksudp.connectTimeout=5s");
            }
        }

        @Test
        void associate_modes_are_case_insensitive() throws Exception {
            assertEquals(AssociateMode.ZERO, withProxy("socksudp.associate", "Zero").associateMode());
            assertEquals(AssociateMode.PORT, withProxy("socksudp.associate", "port").associateMode());
            assertEquals(AssociateMode.FULL, withProxy("socksudp.associate", "FULL").associateMode());
            assertEquals(AssociateMode.AUTO, withProxy("socksudp.associate", "Auto").associateMode());
        }

        @Test
        void an_unknown_associate_mode_is_an_error() {
            assertContains(errorWithProxy("socksudp.associate", "nat"), "socksudp.associate 'nat'",
                    "zero, port, full or auto");
        }

        @Test
        void on_unavailable_accepts_fail_and_drop() throws Exception {
            assertEquals(OnUnavailable.FAIL, withProxy("socksudp.onUnavailable", "FAIL").onUnavailable());
            assertEquals(OnUnavailable.DROP, withProxy("socksudp.onUnavailable", "drop").onUnavailable());
            assertContains(errorWithProxy("socksudp.onUnavailable", "queue"), "socksudp.onUnavailable 'queue'",
                    "fail or drop");
        }

        @Test
        void cache_defaults_to_the_users_cache_directory_and_can_be_moved_or_turned_off() throws Exception {
            Properties p = props("socksudp.proxy", PROXY, "user.home", "/home/alice");
            assertEquals(new java.io.File("/home/alice/.cache/socksudp").getPath(),
                    ConfigLoader.load(null, p, NO_ENV).cacheDirectory());
            assertEquals(new java.io.File("/xdg/socksudp").getPath(),
                    ConfigLoader.load(null, p, env("XDG_CACHE_HOME", "/xdg")).cacheDirectory());
            assertEquals(new java.io.File("/home/alice/.cache/socksudp").getPath(),
                    ConfigLoader.load(null, p, env("XDG_CACHE_HOME", "relative")).cacheDirectory(),
                    "the XDG spec ignores a relative XDG_CACHE_HOME");
            assertNull(ConfigLoader.load(null, props("socksudp.proxy", PROXY, "user.home", "?"), NO_ENV).cacheDirectory(),
                    "no home directory: no cache");
            assertNull(withProxy("socksudp.cache", "off").cacheDirectory());
            assertNull(withProxy("socksudp.cache", "OFF").cacheDirectory());
            assertEquals("/var/cache/app", withProxy("socksudp.cache", "/var/cache/app").cacheDirectory());
            assertNull(ConfigLoader.load("proxy=" + PROXY + ",cache=off", props(), NO_ENV).cacheDirectory());
            assertNull(ConfigLoader.load(null, props("socksudp.proxy", PROXY), env("SOCKSUDP_CACHE", "off"))
                    .cacheDirectory());
            assertContains(withProxy("socksudp.cache", "off").toString(), "cache=off");
        }

        @Test
        void the_cache_command_finds_the_directory_the_agent_would_use_without_a_proxy() throws Exception {
            Properties home = props("user.home", "/home/alice");
            assertEquals(new java.io.File("/xdg/socksudp").getPath(),
                    ConfigLoader.cacheDirectory(null, home, env("XDG_CACHE_HOME", "/xdg")));
            assertNull(ConfigLoader.cacheSetting(null, home, env("XDG_CACHE_HOME", "/xdg")), "the default");
            Properties set = props("user.home", "/home/alice", "socksudp.cache", "/var/cache/app");
            assertEquals("/var/cache/app", ConfigLoader.cacheDirectory(null, set, NO_ENV));
            assertEquals("System property socksudp.cache", ConfigLoader.cacheSetting(null, set, NO_ENV));
            assertEquals("/opt/c", ConfigLoader.cacheDirectory("/opt/c", set, env("SOCKSUDP_CACHE", "off")),
                    "--cache first");
            assertNull(ConfigLoader.cacheDirectory(null, home, env("SOCKSUDP_CACHE", "off")));
            assertEquals("Environment variable SOCKSUDP_CACHE",
                    ConfigLoader.cacheSetting(null, home, env("SOCKSUDP_CACHE", "off")));
            ConfigException relative = assertThrows(ConfigException.class,
                    () -> ConfigLoader.cacheDirectory("cache", home, NO_ENV));
            assertContains(relative.getMessage(), "Option --cache 'cache'", "absolute directory", "--cache /var/cache");
        }

        @Test
        void a_relative_cache_directory_is_an_error() {
            assertContains(errorWithProxy("socksudp.cache", "cache/dir"), "socksudp.cache 'cache/dir'",
                    "absolute directory", "or off");
            assertContains(errorWithProxy("socksudp.cache", ""), "socksudp.cache", "absolute directory");
        }

        @Test
        void relay_host_accepts_names_and_literals() throws Exception {
            assertEquals("relay.example", withProxy("socksudp.relayHost", "relay.example").relayHost());
            assertEquals("203.0.113.7", withProxy("socksudp.relayHost", "203.0.113.7").relayHost());
            assertEquals("2001:db8::7", withProxy("socksudp.relayHost", "[2001:db8::7]").relayHost());
            assertEquals("2001:db8::7", withProxy("socksudp.relayHost", "2001:db8::7").relayHost());
        }

        @Test
        void an_empty_relay_host_means_none() throws Exception {
            assertNull(withProxy("socksudp.relayHost", " ").relayHost());
        }

        @Test
        void a_relay_host_with_a_port_is_an_error() {
            assertContains(errorWithProxy("socksudp.relayHost", "relay.example:1080"), "socksudp.relayHost",
                    "has a port", "BND.PORT");
            assertContains(errorWithProxy("socksudp.relayHost", "[2001:db8::7]:1080"), "socksudp.relayHost");
            assertContains(errorWithProxy("socksudp.relayHost", "[relay.example]"), "not an IPv6 literal");
            assertContains(errorWithProxy("socksudp.relayHost", "relay example"), "whitespace");
        }

        @Test
        void to_string_summarises_every_setting() throws Exception {
            String s = withProxy("socksudp.log", "debug", "socksudp.relayHost", "relay.example").toString();
            assertContains(s, "proxy=proxy.example:1080", "from system property socksudp.proxy",
                    "nonProxyHosts=localhost|127.*|[::1]", "log=debug", "connectTimeout=10000ms", "associate=zero",
                    "relayHost=relay.example", "onUnavailable=fail");
            assertFalse(s.contains("\n"));
        }

        @Test
        void the_keys_list_names_every_key() {
            assertEquals("[proxy, username, password, passwordFile, nonProxyHosts, log, connectTimeout, associate, relayHost,"
                    + " onUnavailable, cache, dns, logFile]", Config.KEYS.toString());
            assertEquals("SOCKSUDP_NON_PROXY_HOSTS", ConfigLoader.environmentName("nonProxyHosts"));
        }
    }

    @Nested
    @DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
    class Dns {
        @Test
        void unset_or_empty_leaves_look_ups_to_the_system_resolver() throws Exception {
            assertNull(withProxy().dns());
            assertNull(withProxy("socksudp.dns", " ").dns());
            assertContains(withProxy().toString(), "dns=none (the system resolver, directly)");
        }

        @Test
        void takes_ip_literals_with_port_53_by_default() throws Exception {
            assertEquals(new InetSocketAddress(InetAddress.getByName("9.9.9.9"), 53),
                    withProxy("socksudp.dns", "9.9.9.9").dns());
            assertEquals(new InetSocketAddress(InetAddress.getByName("9.9.9.9"), 5353),
                    withProxy("socksudp.dns", "9.9.9.9:5353").dns());
            assertEquals(new InetSocketAddress(InetAddress.getByName("2620:fe::fe"), 53),
                    withProxy("socksudp.dns", "[2620:fe::fe]:53").dns());
            assertEquals(new InetSocketAddress(InetAddress.getByName("2620:fe::fe"), 53),
                    withProxy("socksudp.dns", "2620:fe::fe").dns());
            assertEquals(new InetSocketAddress(InetAddress.getByName("2620:fe::fe"), 53),
                    withProxy("socksudp.dns", "[2620:fe::fe]").dns());
            assertContains(withProxy("socksudp.dns", "[2620:fe::fe]:53").toString(), "dns=[2620:fe:0:0:0:0:0:fe]:53");
        }

        @Test
        void comes_from_the_agent_argument_and_the_environment_too() throws Exception {
            Config c = ConfigLoader.load("proxy=" + PROXY + ",dns=192.0.2.53:5300", props(), NO_ENV);
            assertEquals(new InetSocketAddress(InetAddress.getByName("192.0.2.53"), 5300), c.dns());
            c = ConfigLoader.load(null, props("socksudp.proxy", PROXY), env("SOCKSUDP_DNS", "192.0.2.54"));
            assertEquals(new InetSocketAddress(InetAddress.getByName("192.0.2.54"), 53), c.dns());
            c = ConfigLoader.load("dns=192.0.2.53", props("socksudp.proxy", PROXY, "socksudp.dns", "192.0.2.55"),
                    env("SOCKSUDP_DNS", "192.0.2.54"));
            assertEquals(new InetSocketAddress(InetAddress.getByName("192.0.2.55"), 53), c.dns());
        }

        @Test
        void a_host_name_is_refused_since_finding_it_would_need_dns() {
            String m = errorWithProxy("socksudp.dns", "dns.example:53");
            assertContains(m, "System property socksudp.dns 'dns.example:53' names a host, not an IP address",
                    "must be an IP literal", "-Dsocksudp.dns=9.9.9.9:53");
            assertContains(errorWithProxy("socksudp.dns", "dns.example"), "names a host");
            m = error(null, props("socksudp.proxy", PROXY), env("SOCKSUDP_DNS", "resolver.example"));
            assertContains(m, "Environment variable SOCKSUDP_DNS", "SOCKSUDP_DNS=9.9.9.9:53");
        }

        @Test
        void malformed_values_are_refused_with_one_sentence() {
            assertContains(errorWithProxy("socksudp.dns", "9.9.9.9:0"), "invalid port '0'");
            assertContains(errorWithProxy("socksudp.dns", "9.9.9.9:dns"), "invalid port 'dns'");
            assertContains(errorWithProxy("socksudp.dns", "[2620:fe::fe"), "no closing ']'");
            assertContains(errorWithProxy("socksudp.dns", "[2620:fe::fe]x"), "unexpected text after ']'");
            assertContains(errorWithProxy("socksudp.dns", "[fe80::1%eth0]:53"), "scope id");
            assertContains(errorWithProxy("socksudp.dns", "300.1.1.1"), "names a host");
            assertContains(errorWithProxy("socksudp.dns", "192.0.2.53:"), "invalid port");
        }

        @Test
        void a_server_that_nonProxyHosts_would_send_directly_is_refused() {
            String m = errorWithProxy("socksudp.dns", "127.0.0.53");
            assertContains(m, "'127.0.0.53' matches the default nonProxyHosts (loopback), so its queries would not"
                    + " go through the proxy");
            m = errorWithProxy("socksudp.dns", "192.0.2.53", "socksudp.nonProxyHosts", "192.0.2.*");
            assertContains(m, "matches system property socksudp.nonProxyHosts");
        }

        @Test
        void a_loopback_server_is_fine_once_loopback_is_proxied() throws Exception {
            assertEquals(53, withProxy("socksudp.dns", "127.0.0.53", "socksudp.nonProxyHosts", "").dns().getPort());
        }
    }

    static String repeat(String s, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(s);
        }
        return sb.toString();
    }
}
