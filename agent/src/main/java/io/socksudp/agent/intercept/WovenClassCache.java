package io.socksudp.agent.intercept;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UTFDataFormatException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.DirectoryStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * A per-user cache of instrumented JDK classes, so that from the second start on a machine the agent never loads
 * Byte Buddy: the JDK's datagram classes are the same on every start, and so is what the advice makes of them.
 *
 * <h2>What is trusted, and why it is safe</h2>
 * The woven bytes are defined in {@code java.base} (no verifier runs there), so an entry is only ever used when:
 * <ul>
 *   <li>the directory is the user's own: a real directory (not a symbolic link), owned by the user the JVM runs
 *   as, with no permission for group or others (the agent creates it 0700; a directory with any other owner or
 *   mode is not used at all, and nothing is written there);</li>
 *   <li>the entry was written by this very agent build (its build id is part of the entry's name and content) for
 *   this strategy variant;</li>
 *   <li>the entry holds a full copy of the original class bytes, equal byte for byte to those the JVM is loading
 *   now (no hash collision can match a different JDK's class), and the woven bytes' length and CRC-32 match
 *   (a truncated or damaged file is caught).</li>
 * </ul>
 * Anything else (missing, unreadable, corrupt, another build, another JDK) is a miss: the caller weaves the class
 * with Byte Buddy and writes a fresh entry, atomically (a temporary file renamed), so concurrent JVMs never read a
 * half-written entry. Entries are small (original plus woven bytes, about 100 KB per JDK and agent build); entries
 * of other builds and JDKs are left alone and may be deleted at any time.
 *
 * <p>The CLI's {@code cache} command goes through this class too: {@code prepare} writes with {@link #put},
 * {@code list} reads every entry as an {@link Entry} (what {@link #get} reads as well), {@code clean} deletes only
 * regular files of this user named as entries or temporary files (never through a link), in a directory
 * that passes the same checks as for the agent.
 */
public final class WovenClassCache {

    private static final Charset UTF_8 = Charset.forName("UTF-8");
    private static final byte[] MAGIC = "socksudp woven class 1\n".getBytes(UTF_8);
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
    private static final Set<PosixFilePermission> OWNER_READ_WRITE = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
    /** Larger than any JDK class file; a bigger length field means a corrupt entry. */
    private static final int MAX_CLASS_BYTES = 16 * 1024 * 1024;
    /** Every file the cache writes ends so; its temporary files (renamed into entries when complete) start so. */
    static final String SUFFIX = ".woven";
    static final String TEMPORARY_PREFIX = ".tmp-";
    private static final String TEMPORARY = "a temporary file (a write in progress, or one that died)";

    private final File directory;
    private final String buildId;
    private volatile Boolean usable; // decided on first use
    private volatile String problem;

    /**
     * @param directory the cache directory (created on first use), or null for no cache
     * @param buildId   identifies the agent build; entries of other builds are never used
     */
    public WovenClassCache(String directory, String buildId) {
        this.directory = directory == null ? null : new File(directory);
        this.buildId = buildId;
    }

    /** The woven bytes of {@code className} for {@code variant} from {@code original}, or null (a miss). */
    public byte[] get(String className, String variant, byte[] original) {
        if (!usable()) {
            return null;
        }
        File entry = entry(className, variant, original);
        if (!entry.isFile()) {
            return null;
        }
        try {
            InputStream in = new FileInputStream(entry);
            try {
                Entry e = Entry.read(entry.getName(), entry.length(), new DataInputStream(in));
                return e.corrupt() == null && buildId.equals(e.buildId()) && className.equals(e.className())
                        && variant.equals(e.variant()) && e.hasOriginal(original) ? e.woven() : null;
            } finally {
                in.close();
            }
        } catch (IOException | RuntimeException e) {
            return null; // unreadable: weave again, and the fresh entry replaces this one
        }
    }

    /** Stores {@code woven}; failures are ignored (the next start weaves again). */
    public void put(String className, String variant, byte[] original, byte[] woven) {
        if (!usable()) {
            return;
        }
        Path target = entry(className, variant, original).toPath();
        Path tmp = null;
        try {
            // Not Files.createTempFile: its random name comes from SecureRandom, whose providers cost a cold JVM
            // some 20 ms. A name unique to this thread and instant, created exclusively (CREATE_NEW), is as safe
            // in a directory only this user may write to; a clash with another JVM fails this write only.
            tmp = directory.toPath().resolve(TEMPORARY_PREFIX + Long.toHexString(System.nanoTime()) + "-"
                    + Thread.currentThread().getId() + SUFFIX);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(MAGIC.length + original.length + woven.length + 64);
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeUTF(buildId);
            out.writeUTF(className);
            out.writeUTF(variant);
            out.writeInt(original.length);
            out.write(original);
            out.writeInt(woven.length);
            out.writeLong(crc(woven));
            out.write(woven);
            out.flush();
            SeekableByteChannel file = Files.newByteChannel(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE));
            try {
                ByteBuffer content = ByteBuffer.wrap(bytes.toByteArray());
                while (content.hasRemaining()) {
                    file.write(content);
                }
            } finally {
                file.close();
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } catch (IOException | RuntimeException e) {
            problem = "cannot write " + target + " (" + e + ")";
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray temporary file is harmless (never read as an entry)
                }
            }
        }
    }

    /**
     * Why the agent would not use the directory, found without creating it: null when it would (or will, once an
     * agent creates it: see {@link #exists()}), {@code off} when the cache is off.
     */
    public String inspect() {
        if (directory == null) {
            return "off";
        }
        return exists() ? checkDirectory(directory.toPath()) : null;
    }

    /** Whether the directory (or anything, a link included) is there. */
    public boolean exists() {
        return directory != null && Files.exists(directory.toPath(), LinkOption.NOFOLLOW_LINKS);
    }

    /** Whether the agent uses the directory: checked, and created owner-only if missing, as the agent does. */
    public boolean isUsable() {
        return usable();
    }

    /** The build whose entries this cache reads and writes. */
    public String buildId() {
        return buildId;
    }

    /**
     * The entries of the directory (files the cache wrote: {@code *.woven}, not temporary ones), by name, each read
     * in full without following a link; a corrupt one is returned as such ({@link Entry#corrupt()}), never thrown.
     * Files that only look like the cache's (links, directories, other owners' files, temporary files) are in
     * {@link #strays()}. Empty when the directory does not exist or is a symbolic link (not followed).
     *
     * @throws IOException when the directory cannot be listed
     */
    public List<Entry> list() throws IOException {
        List<Entry> entries = new ArrayList<Entry>();
        for (Path file : files()) {
            if (kind(file) == null) {
                entries.add(Entry.read(file));
            }
        }
        return entries;
    }

    /** The files named like the cache's that are not entries, each with why ("a symbolic link, never followed"). */
    public List<String> strays() throws IOException {
        List<String> strays = new ArrayList<String>();
        for (Path file : files()) {
            String kind = kind(file);
            if (kind != null) {
                strays.add(file.getFileName() + ": " + kind);
            }
        }
        return strays;
    }

    /**
     * Deletes the entries of other agent builds and the corrupt ones ({@code all}: every entry), and the temporary
     * files older than a minute (a write that died; a younger one may be in progress). Nothing else: no link is
     * followed or removed, and no file another user owns or not named as the cache names its files is touched.
     *
     * @return the names of the files deleted
     * @throws IOException when the directory is not one the agent would use (the message says why), or a file
     *                     cannot be deleted
     */
    public List<String> clean(boolean all, long nowMillis) throws IOException {
        List<String> deleted = new ArrayList<String>();
        String why = inspect();
        if (why != null) {
            throw new IOException(why);
        }
        for (Path file : files()) {
            String kind = kind(file);
            boolean delete;
            if (kind == null) {
                Entry entry = Entry.read(file);
                delete = all || entry.corrupt() != null || !buildId.equals(entry.buildId());
            } else {
                delete = TEMPORARY.equals(kind) && Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS)
                        .toMillis() <= nowMillis - 60000;
            }
            if (delete) {
                Files.delete(file); // a regular file (checked without following links), in the user's own directory
                deleted.add(file.getFileName().toString());
            }
        }
        return deleted;
    }

    /**
     * The directory's files named like the cache's ({@code *.woven}), by name; none when it does not exist or is
     * not a directory (a symbolic link to one is not followed).
     */
    private List<Path> files() throws IOException {
        List<Path> files = new ArrayList<Path>();
        if (directory == null || !Files.isDirectory(directory.toPath(), LinkOption.NOFOLLOW_LINKS)) {
            return files;
        }
        DirectoryStream<Path> stream = Files.newDirectoryStream(directory.toPath());
        try {
            for (Path file : stream) {
                if (file.getFileName().toString().endsWith(SUFFIX)) {
                    files.add(file);
                }
            }
        } finally {
            stream.close();
        }
        Collections.sort(files);
        return files;
    }

    /**
     * Null when {@code file} is an entry: a regular file of this user, named as the cache names entries. Else what
     * it is: {@link #TEMPORARY} for such a file named as the cache names its temporary files, or why it is not the
     * cache's. Read without following a link.
     */
    private static String kind(Path file) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        String name = file.getFileName().toString();
        if (attributes.isSymbolicLink()) {
            return "a symbolic link, never followed";
        }
        if (!attributes.isRegularFile()) {
            return "not a regular file";
        }
        if (!attributes.owner().getName().equals(System.getProperty("user.name"))) {
            return "owned by " + attributes.owner().getName();
        }
        if (name.startsWith(TEMPORARY_PREFIX)) {
            return TEMPORARY;
        }
        return name.startsWith(".") ? "not named as the cache names its files" : null;
    }

    /** Why the cache is not used, or the last write failed; null if neither. For a debug log. */
    public String problem() {
        return problem;
    }

    /** Where the cache lives, or null when it is off. */
    public File directory() {
        return directory;
    }

    /** The entry's file: class, build, and a checksum and length of the variant and original bytes, in the name. */
    private File entry(String className, String variant, byte[] original) {
        return new File(directory, fileName(className, variant, original, buildId));
    }

    static String fileName(String className, String variant, byte[] original, String buildId) {
        CRC32 crc = new CRC32();
        crc.update(variant.getBytes(UTF_8));
        crc.update(original);
        return className + "-" + Long.toHexString(crc.getValue()) + "-" + original.length + "-" + safe(buildId)
                + SUFFIX;
    }

    private static String safe(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(Character.isLetterOrDigit(c) || c == '.' || c == '-' ? c : '_');
        }
        return sb.toString();
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    private boolean usable() {
        Boolean u = usable;
        if (u == null) {
            problem = directory == null ? "off" : checkDirectory(directory.toPath());
            u = problem == null;
            usable = u;
        }
        return u;
    }

    /**
     * Creates the directory 0700 if it is missing, and checks that it is the user's own: null when it is, else
     * why not (the cache is then not used at all).
     */
    static String checkDirectory(Path dir) {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Path parent = dir.getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                } catch (FileAlreadyExistsException raced) {
                    // another JVM created it meanwhile: checked below like any existing directory
                }
            }
            PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
                return dir + " is a symbolic link, not a directory; set socksudp.cache to the real directory";
            }
            if (!attributes.isDirectory()) {
                return dir + " is not a directory";
            }
            String user = System.getProperty("user.name");
            if (user == null || !user.equals(attributes.owner().getName())) {
                return dir + " is owned by " + attributes.owner().getName() + ", not by " + user;
            }
            if (!OWNER_ONLY.containsAll(attributes.permissions())) {
                return dir + " is open to other users (" + PosixFilePermissions.toString(attributes.permissions())
                        + "); make it owner-only with chmod 700";
            }
            return null;
        } catch (UnsupportedOperationException e) {
            return "the file system of " + dir + " has no POSIX owners and permissions";
        } catch (AccessDeniedException e) {
            return "cannot create " + dir + " (access denied)";
        } catch (IOException | RuntimeException e) {
            return "cannot use " + dir + " (" + e + ")";
        }
    }
    /**
     * One entry file, read in full without trusting it: every length is bounded, and a short, damaged, overlong or
     * misnamed file is an entry whose {@link #corrupt()} says so, never an exception. What {@link #get} reads, and
     * what the cache command lists.
     */
    public static final class Entry {
        private final String fileName;
        private final long size;
        private String buildId;
        private String className;
        private String variant;
        private byte[] original;
        private byte[] woven;
        private String corrupt;

        private Entry(String fileName, long size) {
            this.fileName = fileName;
            this.size = size;
        }

        /** Reads {@code file} without following a link. */
        static Entry read(Path file) throws IOException {
            InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
            try {
                return read(file.getFileName().toString(), Files.size(file), new DataInputStream(in));
            } finally {
                in.close();
            }
        }

        /** @throws IOException only when reading fails; what is read is judged, never thrown about */
        static Entry read(String fileName, long size, DataInputStream in) throws IOException {
            Entry e = new Entry(fileName, size);
            try {
                e.corrupt = e.parse(in);
            } catch (EOFException truncated) {
                e.corrupt = "truncated";
            } catch (UTFDataFormatException malformed) {
                e.corrupt = "a malformed header";
            }
            return e;
        }

        private String parse(DataInputStream in) throws IOException {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                return "not a socksudp class cache entry (or one of another format)";
            }
            buildId = in.readUTF();
            className = in.readUTF();
            variant = in.readUTF();
            original = bounded(in);
            if (original == null) {
                return "an impossible length of the original bytes";
            }
            int wovenLength = in.readInt();
            long crc = in.readLong();
            if (wovenLength <= 0 || wovenLength > MAX_CLASS_BYTES) {
                return "an impossible length of the instrumented bytes";
            }
            woven = new byte[wovenLength];
            in.readFully(woven);
            if (in.read() != -1) {
                return "trailing bytes";
            }
            if (crc(woven) != crc) {
                return "damaged (the instrumented bytes do not match their checksum)";
            }
            if (!fileName.equals(WovenClassCache.fileName(className, variant, original, buildId))) {
                return "its name does not match its content";
            }
            return null;
        }

        /** A length-prefixed byte array, or null when its length is impossible. */
        private static byte[] bounded(DataInputStream in) throws IOException {
            int length = in.readInt();
            if (length <= 0 || length > MAX_CLASS_BYTES) {
                return null;
            }
            byte[] bytes = new byte[length];
            in.readFully(bytes);
            return bytes;
        }

        /** The file's name in the directory. */
        public String fileName() {
            return fileName;
        }

        /** The file's size in bytes. */
        public long size() {
            return size;
        }

        /** Why this file cannot be used (truncated, damaged, ...), or null when it is sound. */
        public String corrupt() {
            return corrupt;
        }

        /** The agent build that wrote it; null when corrupt before that. */
        public String buildId() {
            return buildId;
        }

        /** The JDK class it instruments (binary name); null when corrupt before that. */
        public String className() {
            return className;
        }

        /** The strategy variant whose advice it holds; null when corrupt before that. */
        public String variant() {
            return variant;
        }

        /** Whether the original bytes it was woven from are exactly {@code classfile}. */
        public boolean hasOriginal(byte[] classfile) {
            return original != null && Arrays.equals(original, classfile);
        }

        byte[] woven() {
            return woven;
        }
    }
}
