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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** socksudp.proxy as an ordered list of proxies (failover): syntax in every source, credentials per proxy, errors. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ProxyListTest {

    @TempDir
    Path dir;

    static Config load(String... keyValues) throws ConfigException {
        return ConfigLoader.load(null, props(keyValues), NO_ENV);
    }

    static String fails(String... keyValues) {
        String m = error(null, props(keyValues), NO_ENV);
        assertNoSecret(m);
        assertTrue(m.endsWith("."), m);
        return m;
    }

    static List<String> names(Config c) {
        List<String> result = new ArrayList<>();
        for (ProxyEndpoint p : c.proxies()) {
            result.add(p.toString());
        }
        return result;
    }

    static String password(ProxyEndpoint p) {
        return p.passwordBytes() == null ? null : new String(p.passwordBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void a_comma_or_bar_separated_list_keeps_its_order() throws Exception {
        Config c = load("socksudp.proxy", "a.example:1080, b.example:1081 ,[2001:db8::1]:1082,c.example");
        assertEquals(List.of("a.example:1080", "b.example:1081", "[2001:db8::1]:1082", "c.example:1080"), names(c));
        assertEquals("a.example:1080", c.proxy().toString(), "proxy() is the first");
        assertEquals("a.example:1080, b.example:1081, [2001:db8::1]:1082, c.example:1080", c.proxyNames());
        assertEquals(names(c), names(load("socksudp.proxy", "a.example:1080|b.example:1081|[2001:db8::1]:1082|c.example")));
        assertEquals(List.of("a.example:1", "b.example:2"), names(load("socksudp.proxy",
                "socks5://a.example:1,socks5://b.example:2")));
    }

    @Test
    void one_proxy_is_a_list_of_one() throws Exception {
        Config c = load("socksudp.proxy", "proxy.example:1080");
        assertEquals(List.of("proxy.example:1080"), names(c));
        assertEquals("proxy.example:1080", c.proxyNames());
    }

    @Test
    void agent_arguments_separate_proxies_with_a_bar() throws Exception {
        Config c = ConfigLoader.load("proxy=a.example:1080|b.example:1080,log=debug", props(), NO_ENV);
        assertEquals(List.of("a.example:1080", "b.example:1080"), names(c));
        assertEquals("debug", c.logLevel());
    }

    @Test
    void a_comma_list_in_agent_arguments_says_to_use_a_bar() {
        String m = error("proxy=a.example:1080,b.example:1080", props(), NO_ENV);
        assertContains(m, "Agent argument 'b.example:1080' has no '='", "separate the proxies", "with '|'",
                "proxy=proxy-a.example:1080|proxy-b.example:1080");
    }

    @Test
    void the_environment_variable_takes_a_list_as_the_property_does() throws Exception {
        Config c = ConfigLoader.load(null, props(), env("SOCKSUDP_PROXY", "a.example:1080,b.example:1080"));
        assertEquals(List.of("a.example:1080", "b.example:1080"), names(c));
    }

    @Test
    void an_empty_entry_is_an_error() {
        assertContains(fails("socksudp.proxy", "a.example:1080,,b.example:1080"), "System property socksudp.proxy",
                "has an empty entry (number 2)", "no empty entries");
        assertContains(fails("socksudp.proxy", "a.example:1080,"), "empty entry (number 2)");
        assertContains(fails("socksudp.proxy", "|a.example:1080"), "empty entry (number 1)");
    }

    @Test
    void a_bad_entry_is_named_by_its_own_text() {
        assertContains(fails("socksudp.proxy", "a.example:1080,b.example:bar"),
                "System property socksudp.proxy 'b.example:bar' has an invalid port 'bar'");
        assertContains(fails("socksudp.proxy", "a.example:1080,socks4://b.example:1080"), "SOCKS4 has no UDP");
        assertContains(fails("socksudp.proxy", "a.example:1080,2001:db8::1:1080"), "IPv6 address without brackets");
    }

    @Test
    void a_proxy_listed_twice_is_an_error() {
        assertContains(fails("socksudp.proxy", "a.example:1080,b.example:1080,a.example:1080"),
                "'a.example:1080' names the proxy a.example:1080 a second time", "list each proxy once");
        assertContains(fails("socksudp.proxy", "a.example,socks5://a.example:1080"), "a second time");
        String m = fails("socksudp.proxy", "socks5://alice:" + SECRET + "@a.example,socks5://alice:" + SECRET
                + "@a.example");
        assertContains(m, "'socks5://***@a.example' names the proxy a.example:1080 a second time");
        assertFalse(m.contains("alice"), m);
        String empty = fails("socksudp.proxy", "socks5://alice:" + SECRET + "@a.example,,b.example");
        assertContains(empty, "empty entry (number 2)");
        assertFalse(empty.contains("alice"), empty);
    }

    @Test
    void each_url_brings_its_own_credentials_and_the_settings_serve_the_others() throws Exception {
        Config c = load("socksudp.proxy", "socks5://alice:" + SECRET.replace("#", "%23") + "@a.example:1080,"
                + "b.example:1080,socks5://carol@c.example:1080",
                "socksudp.username", "bob", "socksudp.password", "bobs-pw");
        List<ProxyEndpoint> p = c.proxies();
        assertEquals("alice", p.get(0).username());
        assertEquals(SECRET, password(p.get(0)));
        assertEquals("bob", p.get(1).username());
        assertEquals("bobs-pw", password(p.get(1)));
        assertEquals("carol", p.get(2).username(), "a URL with a user alone takes the password setting");
        assertEquals("bobs-pw", password(p.get(2)));
        assertFalse(c.toString().contains(SECRET), c.toString());
        assertFalse(c.toString().contains("bobs-pw"), c.toString());
    }

    @Test
    void a_proxy_without_credentials_beside_one_with_them() throws Exception {
        Config c = load("socksudp.proxy", "socks5://alice:pw@a.example:1080,b.example:1080");
        assertTrue(c.proxies().get(0).hasCredentials());
        assertFalse(c.proxies().get(1).hasCredentials());
        assertNull(c.proxies().get(1).passwordBytes());
    }

    @Test
    void the_password_file_serves_every_proxy_that_names_a_user_alone() throws Exception {
        Path f = dir.resolve("pw");
        Files.write(f, (SECRET + "\n").getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        Config c = load("socksudp.proxy", "socks5://alice@a.example,socks5://bob@b.example",
                "socksudp.passwordFile", f.toString());
        assertEquals(SECRET, password(c.proxies().get(0)));
        assertEquals(SECRET, password(c.proxies().get(1)));
    }

    @Test
    void a_setting_no_proxy_of_the_list_can_use_is_a_conflict() {
        assertContains(fails("socksudp.proxy", "socks5://alice@a.example,socks5://bob@b.example",
                "socksudp.username", "carol", "socksudp.password", "x"),
                "gives every proxy a user name and System property socksudp.username is set too");
        assertContains(fails("socksudp.proxy", "socks5://alice:p1@a.example,socks5://bob:p2@b.example",
                "socksudp.password", "x"),
                "gives every proxy a password and System property socksudp.password is set too");
    }

    @Test
    void the_password_setting_serves_the_proxies_with_a_user_and_the_others_get_none() throws Exception {
        Config c = load("socksudp.proxy", "a.example,socks5://bob@b.example", "socksudp.password", "bobs-pw");
        assertFalse(c.proxies().get(0).hasCredentials());
        assertNull(c.proxies().get(0).passwordBytes());
        assertEquals("bobs-pw", password(c.proxies().get(1)));
    }

    @Test
    void a_proxy_left_with_half_of_the_credentials_is_named() {
        assertContains(fails("socksudp.proxy", "socks5://alice:p1@a.example,b.example", "socksudp.password", "x"),
                "System property socksudp.password is set but no user name is for any proxy of the list");
        assertContains(fails("socksudp.proxy", "a.example,socks5://bob@b.example"),
                "names a user but no password is set for proxy b.example:1080", "socksudp.passwordFile");
    }

    @Test
    void a_comma_inside_a_password_must_be_percent_encoded_in_a_list() throws Exception {
        // a single URL keeps a literal comma in its user information, as before lists existed
        Config one = load("socksudp.proxy", "socks5://alice:pa,ss@a.example:1080");
        assertEquals("pa,ss", password(one.proxies().get(0)));
        String m = fails("socksudp.proxy", "socks5://alice:pa,ss@a.example:1080,b.example:1080");
        assertContains(m, "%2C");
        assertFalse(m.contains("pa,ss") || m.contains("ss@"), m);
        Config list = load("socksudp.proxy", "socks5://alice:pa%2Css%7C@a.example:1080,b.example:1080");
        assertEquals("pa,ss|", password(list.proxies().get(0)));
    }

    @Test
    void passwords_in_a_list_are_taken_out_of_the_system_property() throws Exception {
        Config c = load("socksudp.proxy", "socks5://alice:" + SECRET + "@a.example:1080,socks5://bob@b.example:1080,"
                + "c.example:1080", "socksudp.password", "x", "socksudp.username", "u");
        assertEquals("socks5://alice@a.example:1080,socks5://bob@b.example:1080,c.example:1080",
                c.secretProperties().get("socksudp.proxy"));
        assertTrue(c.secretProperties().containsKey("socksudp.password"));
    }

    @Test
    void socks5h_anywhere_in_the_list_needs_socksudp_dns() throws Exception {
        assertContains(fails("socksudp.proxy", "a.example,socks5h://b.example"), "socks5h", "socksudp.dns");
        assertEquals(2, load("socksudp.proxy", "a.example,socks5h://b.example", "socksudp.dns", "192.0.2.53")
                .proxies().size());
    }

    @Test
    void the_first_proxys_credentials_are_what_the_single_proxy_getters_say() throws Exception {
        Config c = load("socksudp.proxy", "socks5://alice:pw@a.example,b.example");
        assertEquals("alice", c.username());
        assertArrayEquals("pw".getBytes(StandardCharsets.UTF_8), c.passwordBytes());
        assertTrue(c.hasCredentials());
        assertEquals(Collections.emptyList(), c.warnings());
    }
}
