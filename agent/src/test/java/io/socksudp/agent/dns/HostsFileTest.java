package io.socksudp.agent.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HostsFileTest {

    static final List<String> LINES = Arrays.asList(
            "# comment",
            "127.0.0.1\tlocalhost",
            "192.0.2.7 One.example.test one # trailing comment",
            "2001:db8::7 one.example.test",
            "192.0.2.8 one.example.test other.example.test",
            "fe80::1%eth0 scoped.example.test",
            "not-an-address broken.example.test",
            "192.0.2.9");

    @Test
    void every_address_of_a_name_in_file_order_any_case() {
        HostsFile h = HostsFile.of(LINES);
        List<byte[]> one = h.addresses("ONE.example.test.");
        assertEquals(3, one.size());
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 7}, one.get(0));
        assertEquals(16, one.get(1).length);
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 8}, one.get(2));
        assertEquals(1, h.addresses("one").size()); // an alias
        assertTrue(h.addresses("scoped.example.test").isEmpty());
        assertTrue(h.addresses("broken.example.test").isEmpty());
        assertTrue(h.addresses("missing.example.test").isEmpty());
    }

    @Test
    void reverse_is_the_canonical_name_of_the_first_line() {
        HostsFile h = HostsFile.of(LINES);
        assertEquals("One.example.test", h.name(new byte[] {(byte) 192, 0, 2, 7}));
        assertEquals("one.example.test", h.name(new byte[] {(byte) 192, 0, 2, 8}));
        assertEquals("localhost", h.name(new byte[] {127, 0, 0, 1}));
        assertNull(h.name(new byte[] {(byte) 192, 0, 2, 9}));
    }

    @Test
    void re_read_when_the_file_changes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("hosts");
        HostsFile h = new HostsFile(f);
        assertTrue(h.addresses("a.test").isEmpty()); // no file: empty
        Files.writeString(f, "192.0.2.1 a.test\n");
        assertEquals(1, h.addresses("a.test").size());
        Files.writeString(f, "192.0.2.2 b.test\n192.0.2.3 b.test\n");
        Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 2000));
        assertTrue(h.addresses("a.test").isEmpty());
        assertEquals(2, h.addresses("b.test").size());
    }
}
