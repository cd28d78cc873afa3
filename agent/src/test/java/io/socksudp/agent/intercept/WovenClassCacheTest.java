package io.socksudp.agent.intercept;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
    @Test
    void listingReadsEveryEntryAndReportsCorruptOnesWithoutFollowingLinks() throws Exception {
        Path dir = tmp.resolve("list");
        WovenClassCache cache = new WovenClassCache(dir.toString(), "build-1");
        assertTrue(cache.list().isEmpty(), "no directory: nothing");
        assertFalse(Files.exists(dir), "listing does not create the directory");
        assertNull(cache.inspect(), "a missing directory is one the agent would create and use");
        cache.put(CLASS, "v", ORIGINAL, WOVEN);
        new WovenClassCache(dir.toString(), "build-0").put("java.net.DatagramSocket", "w", ORIGINAL, WOVEN);
        Path damaged = copyOfTheEntry(dir, "java.net.MulticastSocket-1-2-build-1.woven");
        Path truncated = dir.resolve("sun.nio.ch.Truncated-1-2-build-1.woven");
        Files.write(truncated, Arrays.copyOf(Files.readAllBytes(damaged), 30));
        Files.write(dir.resolve("garbage.woven"), "this file was never an entry of the class cache".getBytes());
        Path elsewhere = Files.write(tmp.resolve("elsewhere.woven"), Files.readAllBytes(entryOf(dir, "build-1")));
        Files.createSymbolicLink(dir.resolve("a-link.woven"), elsewhere);
        Files.createDirectory(dir.resolve("a-directory.woven"));
        Files.write(dir.resolve(".tmp-1-1.woven"), new byte[10]);
        Files.write(dir.resolve("notes.txt"), new byte[10]);

        List<WovenClassCache.Entry> entries = cache.list();
        assertEquals(5, entries.size(), names(entries).toString());
        WovenClassCache.Entry ours = find(entries, CLASS);
        assertNull(ours.corrupt());
        assertEquals("build-1", ours.buildId());
        assertEquals("v", ours.variant());
        assertTrue(ours.hasOriginal(ORIGINAL));
        assertFalse(ours.hasOriginal(WOVEN), "another JDK's class");
        assertEquals(Files.size(entryOf(dir, "build-1")), ours.size());
        assertEquals("build-0", find(entries, "java.net.DatagramSocket").buildId());
        assertEquals("its name does not match its content", byName(entries, damaged).corrupt());
        assertEquals("truncated", byName(entries, truncated).corrupt());
        assertTrue(byName(entries, dir.resolve("garbage.woven")).corrupt().startsWith("not a socksudp class cache"));
        List<String> strays = cache.strays();
        assertEquals(3, strays.size(), strays.toString());
        assertTrue(strays.contains("a-link.woven: a symbolic link, never followed"), strays.toString());
        assertTrue(strays.contains("a-directory.woven: not a regular file"), strays.toString());
        assertTrue(strays.get(0).startsWith(".tmp-1-1.woven: a temporary file"), strays.toString());
    }

    @Test
    void cleaningDeletesOtherBuildsCorruptEntriesAndOldTemporaryFilesOnly() throws Exception {
        Path dir = tmp.resolve("clean");
        WovenClassCache cache = new WovenClassCache(dir.toString(), "build-1");
        cache.put(CLASS, "v", ORIGINAL, WOVEN);
        new WovenClassCache(dir.toString(), "build-0").put(CLASS, "v", ORIGINAL, WOVEN);
        Path ours = entryOf(dir, "build-1");
        Path corrupt = copyOfTheEntry(dir, "java.net.MulticastSocket-1-2-build-1.woven");
        Path elsewhere = Files.write(tmp.resolve("elsewhere-0.woven"), Files.readAllBytes(entryOf(dir, "build-0")));
        Path link = Files.createSymbolicLink(dir.resolve("link-0.woven"), elsewhere);
        Path oldTemporary = Files.write(dir.resolve(".tmp-1-1.woven"), new byte[10]);
        long now = System.currentTimeMillis();
        Files.setLastModifiedTime(oldTemporary, FileTime.fromMillis(now - 61000));
        Path youngTemporary = Files.write(dir.resolve(".tmp-2-1.woven"), new byte[10]);
        Path notes = Files.write(dir.resolve("notes.txt"), new byte[10]);
        Path hidden = Files.write(dir.resolve(".other.woven"), new byte[10]);

        List<String> deleted = cache.clean(false, now);
        assertEquals(3, deleted.size(), deleted.toString());
        assertTrue(deleted.contains(corrupt.getFileName().toString()), deleted.toString());
        assertTrue(deleted.contains(oldTemporary.getFileName().toString()), deleted.toString());
        for (Path kept : new Path[] {ours, youngTemporary, notes, hidden, elsewhere}) {
            assertTrue(Files.exists(kept), kept + " kept");
        }
        assertTrue(Files.isSymbolicLink(link), "a link is neither followed nor removed");
        assertArrayEquals(WOVEN, cache.get(CLASS, "v", ORIGINAL), "this build's entry still works");

        assertEquals(1, cache.clean(true, now).size(), "--all: every entry, nothing else");
        assertFalse(Files.exists(ours));
        for (Path kept : new Path[] {youngTemporary, notes, hidden, elsewhere}) {
            assertTrue(Files.exists(kept), kept + " kept");
        }
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void cleaningRefusesADirectoryTheAgentWouldNotUseAndDeletesNothingThere() throws Exception {
        Path dir = tmp.resolve("open");
        new WovenClassCache(dir.toString(), "build-0").put(CLASS, "v", ORIGINAL, WOVEN);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        WovenClassCache cache = new WovenClassCache(dir.toString(), "build-1");
        assertTrue(cache.inspect().contains("open to other users"), cache.inspect());
        IOException refused = assertThrows(IOException.class, () -> cache.clean(true, System.currentTimeMillis()));
        assertTrue(refused.getMessage().contains("chmod 700"), refused.getMessage());
        assertEquals(1, dir.toFile().list().length, "nothing deleted");
        assertEquals(1, cache.list().size(), "listed all the same");

        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), dir);
        WovenClassCache throughLink = new WovenClassCache(link.toString(), "build-1");
        assertTrue(throughLink.inspect().contains("symbolic link"), throughLink.inspect());
        assertThrows(IOException.class, () -> throughLink.clean(true, System.currentTimeMillis()));
        assertEquals(1, dir.toFile().list().length, "nothing deleted through the link");
        assertTrue(throughLink.list().isEmpty(), "nothing read through the link either");
        assertEquals("off", new WovenClassCache(null, "b").inspect());
    }

    /** The one entry of {@code build} in {@code dir}. */
    private static Path entryOf(Path dir, String build) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith("-" + build + ".woven")
                    && !f.getFileName().toString().startsWith(".")).findFirst().orElseThrow(AssertionError::new);
        }
    }

    /** A sound entry's content under another class's name: its name no longer matches it. */
    private static Path copyOfTheEntry(Path dir, String name) throws IOException {
        return Files.write(dir.resolve(name), Files.readAllBytes(entryOf(dir, "build-1")));
    }

    private static WovenClassCache.Entry find(List<WovenClassCache.Entry> entries, String className) {
        return entries.stream().filter(e -> className.equals(e.className()) && e.corrupt() == null).findFirst()
                .orElseThrow(() -> new AssertionError(className + " not in " + names(entries)));
    }

    private static WovenClassCache.Entry byName(List<WovenClassCache.Entry> entries, Path file) {
        return entries.stream().filter(e -> e.fileName().equals(file.getFileName().toString())).findFirst()
                .orElseThrow(() -> new AssertionError(file + " not in " + names(entries)));
    }

    private static List<String> names(List<WovenClassCache.Entry> entries) {
        return entries.stream().map(WovenClassCache.Entry::fileName).collect(Collectors.toList());
    }
}
