package io.socksudp.agent.intercept;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The class cache on a real file system: what it trusts, and that anything else is a miss. */
class WovenClassCacheTest {

    private static final String CLASS = "sun.nio.ch.DatagramChannelImpl";
    private static final byte[] ORIGINAL = "the JDK's class bytes".getBytes();
    private static final byte[] WOVEN = "the instrumented class bytes".getBytes();

    @TempDir
    Path tmp;

    @Test
    void anEntryIsFoundAgainOnlyForTheSameBuildVariantAndOriginalBytes() throws Exception {
        String dir = tmp.resolve("a/b/socksudp").toString();
        WovenClassCache cache = new WovenClassCache(dir, "1.0-build1");
        assertNull(cache.get(CLASS, "v", ORIGINAL));
        cache.put(CLASS, "v", ORIGINAL, WOVEN);
        assertNull(cache.problem());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("a/b/socksudp"))),
                "created owner-only");
        File[] entries = new File(dir).listFiles();
        assertEquals(1, entries.length, "no temporary file left behind");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(entries[0].toPath())));

        assertArrayEquals(WOVEN, new WovenClassCache(dir, "1.0-build1").get(CLASS, "v", ORIGINAL), "a second JVM");
        assertNull(new WovenClassCache(dir, "1.0-build2").get(CLASS, "v", ORIGINAL), "another agent build");
        assertNull(cache.get(CLASS, "w", ORIGINAL), "another variant of the strategy");
        assertNull(cache.get("java.net.DatagramSocket", "v", ORIGINAL), "another class");
        byte[] otherJdk = ORIGINAL.clone();
        otherJdk[3] ^= 1;
        assertNull(cache.get(CLASS, "v", otherJdk), "other original bytes (another JDK)");
    }

    @Test
    void aDamagedOrTruncatedEntryIsAMiss() throws Exception {
        String dir = tmp.resolve("c").toString();
        WovenClassCache cache = new WovenClassCache(dir, "b");
        cache.put(CLASS, "v", ORIGINAL, WOVEN);
        File entry = new File(dir).listFiles()[0];
        long length = entry.length();
        try (RandomAccessFile f = new RandomAccessFile(entry, "rw")) {
            f.seek(length - 2);
            int b = f.read();
            f.seek(length - 2);
            f.write(b ^ 0x40);
        }
        assertNull(cache.get(CLASS, "v", ORIGINAL), "a flipped bit in the woven bytes");
        cache.put(CLASS, "v", ORIGINAL, WOVEN); // rewritten by the next miss
        assertArrayEquals(WOVEN, cache.get(CLASS, "v", ORIGINAL));
        try (RandomAccessFile f = new RandomAccessFile(entry, "rw")) {
            f.setLength(length - 5);
        }
        assertNull(cache.get(CLASS, "v", ORIGINAL), "truncated");
        try (RandomAccessFile f = new RandomAccessFile(entry, "rw")) {
            f.setLength(length + 1);
        }
        assertNull(cache.get(CLASS, "v", ORIGINAL), "trailing bytes");
        Files.write(entry.toPath(), new byte[0]);
        assertNull(cache.get(CLASS, "v", ORIGINAL), "empty");
    }

    @Test
    void aDirectoryOpenToOthersIsNeverUsed() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("shared"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        new WovenClassCache(dir.toString(), "b").put(CLASS, "v", ORIGINAL, WOVEN);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        WovenClassCache cache = new WovenClassCache(dir.toString(), "b");
        assertNull(cache.get(CLASS, "v", ORIGINAL), "a planted entry in a world-writable directory");
        assertNotNull(cache.problem());
        assertTrue(cache.problem().contains("open to other users"), cache.problem());
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        assertNull(new WovenClassCache(dir.toString(), "b").get(CLASS, "v", ORIGINAL), "group-readable");
    }

    @Test
    void aSymbolicLinkIsNotTheUsersDirectory() throws Exception {
        Path real = Files.createDirectory(tmp.resolve("real"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        WovenClassCache cache = new WovenClassCache(link.toString(), "b");
        cache.put(CLASS, "v", ORIGINAL, WOVEN);
        assertEquals(0, real.toFile().list().length, "nothing written through the link");
        assertTrue(cache.problem().contains("not a directory"), cache.problem());
    }

    @Test
    void offMeansNoFiles() {
        WovenClassCache cache = new WovenClassCache(null, "b");
        cache.put(CLASS, "v", ORIGINAL, WOVEN);
        assertNull(cache.get(CLASS, "v", ORIGINAL));
        assertEquals("off", cache.problem());
    }
}
