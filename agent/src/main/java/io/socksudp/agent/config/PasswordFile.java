package io.socksudp.agent.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Set;

/**
 * {@code socksudp.passwordFile}: the password is the file's first line (its line end is the file's, not the
 * password's). A file others may read is refused, as ssh refuses an unprotected key: the point of the file is that
 * the password is not visible to other users, as a command line is. The check is the POSIX "others" read bit
 * (group read is allowed, for secrets shared with a service's group, as Kubernetes and systemd credentials may be);
 * on a file system without POSIX permissions nothing can be checked, which {@link #check} says in a warning.
 */
public final class PasswordFile {

    private PasswordFile() {
    }

    /**
     * The password in {@code file} for a command's {@code option} (the CLI's {@code --password-file}): read and
     * checked exactly as {@code socksudp.passwordFile} is, with errors naming the option.
     */
    public static byte[] readForOption(String option, String file, java.util.List<String> warnings)
            throws ConfigException {
        return read(new Source(Source.Kind.COMMAND_OPTION, option, file), warnings);
    }

    /** The first line's bytes (UTF-8 as stored, never decoded); the caller clears them after use. */
    static byte[] read(Source s, java.util.List<String> warnings) throws ConfigException {
        Path path;
        try {
            path = Paths.get(s.value);
        } catch (RuntimeException e) {
            throw s.invalid("is not a valid path", "expected the path of a file holding the password on its first"
                    + " line", "/run/secrets/socks-password");
        }
        check(s, path, warnings);
        byte[] all;
        try {
            all = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw s.invalid("names a file that does not exist", "create it (readable by the JVM's user only,"
                    + " chmod 600) with the password on its first line", "/run/secrets/socks-password");
        } catch (AccessDeniedException e) {
            throw s.invalid("names a file this JVM's user may not read", "let the JVM's user read it (and nobody"
                    + " else: chmod 600)", "/run/secrets/socks-password");
        } catch (IOException e) {
            throw s.invalid("cannot be read (" + e.getClass().getSimpleName() + ")", "expected a readable file"
                    + " with the password on its first line", "/run/secrets/socks-password");
        }
        int end = 0;
        while (end < all.length && all[end] != '\n') {
            end++;
        }
        int length = end > 0 && end < all.length && all[end - 1] == '\r' ? end - 1 : end;
        byte[] line = Arrays.copyOf(all, length);
        Arrays.fill(all, (byte) 0);
        return line;
    }

    private static void check(Source s, Path path, java.util.List<String> warnings) throws ConfigException {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(path);
        } catch (UnsupportedOperationException e) {
            warnings.add("socksudp: " + Character.toLowerCase(s.where().charAt(0)) + s.where().substring(1) + " "
                    + Source.quote(s.value) + " is on a file system without POSIX permissions, so who else may read"
                    + " it cannot be checked; make sure only this JVM's user can");
            return;
        } catch (IOException e) {
            return; // missing or unreadable: read() says so in its own words
        }
        if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
            throw s.invalid("names a file that every user of this machine may read", "make it readable by the JVM's"
                    + " user only, e.g. chmod 600 " + s.value + " (the point of a password file is that others cannot"
                    + " see the password)", "/run/secrets/socks-password");
        }
    }
}
