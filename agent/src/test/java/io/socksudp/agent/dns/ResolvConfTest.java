package io.socksudp.agent.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ResolvConfTest {

    @Test
    void reads_search_ndots_timeout_and_attempts_as_glibc_does() {
        ResolvConf c = ResolvConf.parse(Arrays.asList("# comment", "nameserver 192.0.2.53", "domain old.example",
                "search corp.example. lab.example", "options ndots:2 timeout:3 attempts:4 rotate", "; other"));
        assertEquals(Arrays.asList("corp.example", "lab.example"), c.search()); // the last of search/domain wins
        assertEquals(2, c.ndots());
        assertEquals(3, c.timeoutSeconds());
        assertEquals(4, c.attempts());
    }

    @Test
    void caps_and_defaults() {
        ResolvConf c = ResolvConf.parse(Arrays.asList("options ndots:99 timeout:0 attempts:x", "domain only.example"));
        assertEquals(15, c.ndots());
        assertEquals(1, c.timeoutSeconds());
        assertEquals(ResolvConf.DEFAULT_ATTEMPTS, c.attempts());
        assertEquals(List.of("only.example"), c.search());
        ResolvConf d = ResolvConf.parse(List.of());
        assertEquals(List.of(), d.search());
        assertEquals(1, d.ndots());
        assertEquals(5, d.timeoutSeconds());
        assertEquals(2, d.attempts());
    }

    @Test
    void candidates_follow_res_search() {
        ResolvConf c = ResolvConf.parse(List.of("search a.test b.test", "options ndots:1"));
        assertEquals(List.of("host.a.test", "host.b.test", "host"), c.candidates("host"));
        assertEquals(List.of("www.x.test", "www.x.test.a.test", "www.x.test.b.test"), c.candidates("www.x.test"));
        assertEquals(List.of("www.x.test"), c.candidates("www.x.test."));
        ResolvConf two = ResolvConf.parse(List.of("search a.test", "options ndots:2"));
        assertEquals(List.of("www.x.a.test", "www.x"), two.candidates("www.x"));
        assertEquals(List.of("host"), ResolvConf.defaults().candidates("host"));
    }

    @Test
    void a_missing_file_gives_the_defaults(@TempDir Path dir) throws Exception {
        assertEquals(ResolvConf.defaults().toString(), ResolvConf.read(dir.resolve("none")).toString());
        Path f = dir.resolve("resolv.conf");
        Files.writeString(f, "search s.test\noptions timeout:2\n");
        assertEquals("search [s.test], ndots 1, timeout 2 s, attempts 2", ResolvConf.read(f).toString());
    }
}
