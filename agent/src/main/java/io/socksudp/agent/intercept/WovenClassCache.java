package io.socksudp.agent.intercept;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.Arrays;
import java.util.EnumSet;
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
                return read(new DataInputStream(in), className, variant, original);
            } finally {
                in.close();
            }
        } catch (IOException | RuntimeException e) {
            return null; // unreadable or corrupt: weave again, and the fresh entry replaces this one
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
            tmp = directory.toPath().resolve(".tmp-" + Long.toHexString(System.nanoTime()) + "-"
                    + Thread.currentThread().getId() + ".woven");
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

    /** Why the cache is not used, or the last write failed; null if neither. For a debug log. */
    public String problem() {
        return problem;
    }

    /** Where the cache lives, or null when it is off. */
    public File directory() {
        return directory;
    }

    private byte[] read(DataInputStream in, String className, String variant, byte[] original) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!Arrays.equals(magic, MAGIC) || !buildId.equals(in.readUTF()) || !className.equals(in.readUTF())
                || !variant.equals(in.readUTF())) {
            return null;
        }
        int originalLength = in.readInt();
        if (originalLength != original.length) {
            return null;
        }
        byte[] cachedOriginal = new byte[originalLength];
        in.readFully(cachedOriginal);
        if (!Arrays.equals(cachedOriginal, original)) {
            return null;
        }
        int wovenLength = in.readInt();
        long crc = in.readLong();
        if (wovenLength <= 0 || wovenLength > MAX_CLASS_BYTES) {
            return null;
        }
        byte[] woven = new byte[wovenLength];
        in.readFully(woven);
        if (in.read() != -1 || crc(woven) != crc) {
            return null; // trailing garbage or damaged bytes
        }
        return woven;
    }

    /** The entry's file: class, build, and a checksum and length of the variant and original bytes, in the name. */
    private File entry(String className, String variant, byte[] original) {
        CRC32 crc = new CRC32();
        crc.update(variant.getBytes(UTF_8));
        crc.update(original);
        return new File(directory, className + "-" + Long.toHexString(crc.getValue()) + "-" + original.length + "-"
                + safe(buildId) + ".woven");
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
}
