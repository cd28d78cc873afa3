package io.socksudp.agent.config;

import static io.socksudp.agent.config.ConfigTest.NO_ENV;
import static io.socksudp.agent.config.ConfigTest.SECRET;
import static io.socksudp.agent.config.ConfigTest.assertContains;
import static io.socksudp.agent.config.ConfigTest.assertNoSecret;
import static io.socksudp.agent.config.ConfigTest.env;
import static io.socksudp.agent.config.ConfigTest.error;
import static io.socksudp.agent.config.ConfigTest.props;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proxy URLs, the password file, credential precedence and conflicts, the JDK's socksProxyVersion, socks5h. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CredentialsTest {

    @TempDir
    Path dir;

    static Config load(String... keyValues) throws ConfigException {
        return ConfigLoader.load(null, props(keyValues), NO_ENV);
    }

    static String fails(String... keyValues) {
        String m = error(null, props(keyValues), NO_ENV);
        assertNoSecret(m);
        return m;
    }

    static String password(Config c) {
        return new String(c.passwordBytes(), StandardCharsets.UTF_8);
    }

    Path file(String content, String permissions) throws IOException {
        Path f = dir.resolve("pw");
        Files.write(f, content.getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(permissions));
        return f;
    }

    @Test
    void a_socks5_url_gives_host_port_and_credentials_percent_decoded() throws Exception {
        Config c = load("socksudp.proxy", "socks5://al%69ce:" + SECRET.replace("#", "%23") + "@proxy.example:1081");
        assertEquals("proxy.example:1081", c.proxy().toString());
        assertEquals("alice", c.username());
        assertEquals(SECRET, password(c));
        assertNoSecret(c.toString());
        // the property keeps the user, loses the password
        assertEquals(Collections.singletonMap("socksudp.proxy", "socks5://al%69ce@proxy.example:1081"),
                c.secretProperties());
    }

    @Test
    void a_url_without_credentials_ipv6_default_port_and_trailing_slash() throws Exception {
        Config c = load("socksudp.proxy", "SOCKS5://[2001:db8::1]/");
        assertEquals("[2001:db8::1]:1080", c.proxy().toString());
        assertFalse(c.hasCredentials());
        assertTrue(c.secretProperties().isEmpty());
    }

    @Test
    void utf8_and_reserved_characters_in_the_password() throws Exception {
        Config c = load("socksudp.proxy", "socks5://alice:p%C3%A4ss%40w%3Ard@proxy.example");
        assertEquals("päss@w:rd", password(c));
        Config raw = load("socksudp.proxy", "socks5://alice:p@ss,w/rd@proxy.example");
        assertEquals("p@ss,w/rd", password(raw)); // the last '@' ends the user information
    }

    @Test
    void a_url_with_a_user_alone_takes_the_password_from_the_file_or_the_environment() throws Exception {
        Path f = file(SECRET + "\n", "rw-------");
        Config c = load("socksudp.proxy", "socks5://alice@proxy.example:1080", "socksudp.passwordFile", f.toString());
        assertEquals("alice", c.username());
        assertEquals(SECRET, password(c));
        Config e = ConfigLoader.load(null, props("socksudp.proxy", "socks5://alice@proxy.example:1080"),
                env("SOCKSUDP_PASSWORD", SECRET));
        assertEquals(SECRET, password(e));
        assertTrue(e.secretProperties().isEmpty()); // nothing in the system properties to hide
        assertContains(fails("socksudp.proxy", "socks5://alice@proxy.example:1080"), "names a user but no password",
                "socksudp.passwordFile");
    }

    @Test
    void credentials_in_the_url_and_in_the_settings_are_an_error() {
        assertContains(fails("socksudp.proxy", "socks5://alice:" + SECRET + "@proxy.example",
                "socksudp.username", "bob", "socksudp.password", SECRET), "System property socksudp.proxy has a user"
                + " name and System property socksudp.username is set too");
        assertContains(fails("socksudp.proxy", "socks5://alice:" + SECRET + "@proxy.example",
                "socksudp.password", SECRET), "has a password and System property socksudp.password is set too");
        String m = error("password=" + SECRET, props("socksudp.proxy", "socks5://alice:" + SECRET + "@p.example"),
                NO_ENV);
        assertNoSecret(m);
        assertContains(m, "Agent argument password is set too");
    }

    @Test
    void malformed_urls_never_echo_the_user_information() {
        String[] bad = {"socks5://:" + SECRET + "@p.example", "socks5://zed:" + SECRET + "%zz@p.example",
            "socks5://zed:" + SECRET + "%ff@p.example", "socks5://zed:" + SECRET + "@p.example/path",
            "socks5://zed:" + SECRET + "@p.example:99999", "socks5://zed:" + SECRET + "@",
            "zed:" + SECRET + "@p.example:1080", "socks5://zed:" + SECRET + "@a.example,b.example:bar",
            "socks5://zed:" + SECRET + ",x@a.example,b.example", "socks5://zed:" + SECRET + "@a.example,,b.example"};
        for (String value : bad) {
            String m = fails("socksudp.proxy", value);
            assertContains(m, "socksudp.proxy");
            assertFalse(m.contains("zed"), m); // the user name is not shown either
        }
        assertContains(fails("socksudp.proxy", "socks5://zed:" + SECRET + "%zz@p.example"), "two hex digits");
        assertContains(fails("socksudp.proxy", "socks5://zed:" + SECRET + "%ff@p.example"), "not UTF-8");
        assertContains(fails("socksudp.proxy", "socks5://zed:@p.example"), "a password that is empty");
    }

    @Test
    void socks5h_needs_socksudp_dns() throws Exception {
        assertContains(fails("socksudp.proxy", "socks5h://proxy.example"), "socks5h", "socksudp.dns");
        Config c = load("socksudp.proxy", "socks5h://proxy.example", "socksudp.dns", "192.0.2.53");
        assertEquals("proxy.example:1080", c.proxy().toString());
    }

    @Test
    void the_password_file_gives_its_first_line_without_the_line_end() throws Exception {
        Path f = file(SECRET + "\r\nsecond line\n", "rw-------");
        Config c = load("socksudp.proxy", "proxy.example", "socksudp.username", "alice", "socksudp.passwordFile",
                f.toString());
        assertEquals(SECRET, password(c));
        assertContains(c.toString(), "password=*** (from system property socksudp.passwordFile)");
        assertNoSecret(c.toString());
        assertEquals(SECRET, password(load("socksudp.proxy", "proxy.example", "socksudp.username", "alice",
                "socksudp.passwordFile", file(SECRET, "rw-r-----").toString()))); // no newline; group may read
    }

    @Test
    void a_password_file_others_may_read_is_refused() throws Exception {
        Path f = file(SECRET + "\n", "rw-r--r--");
        String m = fails("socksudp.proxy", "proxy.example", "socksudp.username", "alice", "socksudp.passwordFile",
                f.toString());
        assertContains(m, "every user of this machine may read", "chmod 600 " + f);
    }

    @Test
    void a_missing_or_empty_password_file_is_an_error() throws Exception {
        assertContains(fails("socksudp.proxy", "proxy.example", "socksudp.username", "alice",
                "socksudp.passwordFile", dir.resolve("absent").toString()), "does not exist");
        assertContains(fails("socksudp.proxy", "proxy.example", "socksudp.username", "alice",
                "socksudp.passwordFile", file("\nsecond\n", "rw-------").toString()), "is empty");
    }

    @Test
    void the_password_and_the_password_file_together_are_an_error() throws Exception {
        Path f = file(SECRET, "rw-------");
        assertContains(fails("socksudp.proxy", "proxy.example", "socksudp.username", "alice",
                "socksudp.password", SECRET, "socksudp.passwordFile", f.toString()), "are both set");
    }

    @Test
    void the_password_property_is_marked_for_removal_but_the_jdk_one_is_not() throws Exception {
        Config c = load("socksudp.proxy", "proxy.example", "socksudp.username", "alice", "socksudp.password", SECRET);
        assertEquals(Collections.singletonMap("socksudp.password", null), c.secretProperties());
        Config jdk = load("socksudp.proxy", "proxy.example", "java.net.socks.username", "alice",
                "java.net.socks.password", SECRET);
        assertEquals(SECRET, password(jdk));
        assertTrue(jdk.secretProperties().isEmpty());
    }

    @Test
    void no_credentials_leaves_the_authenticator_to_be_asked() throws Exception {
        Config c = load("socksudp.proxy", "proxy.example");
        assertFalse(c.hasCredentials());
        assertNull(c.passwordBytes());
    }

    @Test
    void socks_proxy_version_4_with_the_jdk_proxy_is_an_error() {
        String m = fails("socksProxyHost", "proxy.example", "socksProxyVersion", "4");
        assertContains(m, "System property socksProxyVersion '4' asks for SOCKS4", "SOCKS5 only");
        assertContains(fails("socksProxyHost", "proxy.example", "socksProxyVersion", "six"), "other than 5");
    }

    @Test
    void socks_proxy_version_4_beside_socksudp_proxy_is_a_warning() throws Exception {
        Config c = load("socksudp.proxy", "proxy.example", "socksProxyHost", "tcp.example", "socksProxyVersion", "4");
        assertEquals(1, c.warnings().size());
        assertContains(c.warnings().get(0), "socksProxyVersion", "TCP only");
        assertTrue(load("socksProxyHost", "proxy.example", "socksProxyVersion", "5").warnings().isEmpty());
    }

    @Test
    void use_system_proxies_is_named_when_no_proxy_is_configured() {
        Properties p = props("java.net.useSystemProxies", "true");
        Map<String, String> none = Collections.emptyMap();
        assertContains(error(null, p, none), "java.net.useSystemProxies is not read by socksudp");
    }

    @Test
    void the_password_file_from_the_environment_and_agent_arguments() throws Exception {
        Path f = file(SECRET + "\n", "rw-------");
        Config e = ConfigLoader.load(null, props("socksudp.proxy", "proxy.example"),
                env("SOCKSUDP_USERNAME", "alice", "SOCKSUDP_PASSWORD_FILE", f.toString()));
        assertArrayEquals(SECRET.getBytes(StandardCharsets.UTF_8), e.passwordBytes());
        Config a = ConfigLoader.load("proxy=proxy.example,username=alice,passwordFile=" + f, new Properties(), NO_ENV);
        assertEquals(SECRET, password(a));
    }
}
