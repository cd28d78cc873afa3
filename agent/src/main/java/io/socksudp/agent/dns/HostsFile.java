package io.socksudp.agent.dns;

import io.socksudp.agent.config.IpLiteral;
import io.socksudp.agent.dns.message.DnsName;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The hosts file (hosts(5)), consulted before DNS as the system resolver does ({@code hosts: files dns}): each line
 * an address, a canonical name and aliases; every address of a name in file order; for a reverse look-up, the
 * canonical name of the first line with that address. Re-read when its modification time or size changes, as
 * glibc does. Lines with a scope id ({@code fe80::1%eth0}) are skipped.
 */
public final class HostsFile {

    private final Path file;
    private volatile Snapshot snapshot = new Snapshot(-1, -1, Collections.<String, List<byte[]>>emptyMap(),
            Collections.<String, String>emptyMap());

    public HostsFile(Path file) {
        this.file = file;
    }

    private static final class Snapshot {
        final long modified;
        final long size;
        final Map<String, List<byte[]>> byName;
        final Map<String, String> byAddress;

        Snapshot(long modified, long size, Map<String, List<byte[]>> byName, Map<String, String> byAddress) {
            this.modified = modified;
            this.size = size;
            this.byName = byName;
            this.byAddress = byAddress;
        }
    }

    /** Every address the file gives {@code name} (any case, one trailing dot allowed), in file order; maybe empty. */
    public List<byte[]> addresses(String name) {
        List<byte[]> found = current().byName.get(DnsName.key(name));
        return found == null ? Collections.<byte[]>emptyList() : found;
    }

    /** The canonical name of the first line with {@code address}, or null. */
    public String name(byte[] address) {
        return current().byAddress.get(Arrays.toString(address));
    }

    public Path path() {
        return file;
    }

    private Snapshot current() {
        Snapshot s = snapshot;
        if (file == null) {
            return s;
        }
        long modified;
        long size;
        try {
            modified = Files.getLastModifiedTime(file).toMillis();
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            modified = 0;
            size = 0;
        } catch (IOException e) {
            return s; // keep what we knew
        }
        if (modified == s.modified && size == s.size) {
            return s;
        }
        List<String> lines = new ArrayList<String>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                Charset.forName("UTF-8")))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException | RuntimeException e) {
            // a missing file is an empty one
        }
        s = parse(lines, modified, size);
        snapshot = s;
        return s;
    }

    static Snapshot parse(List<String> lines, long modified, long size) {
        Map<String, List<byte[]>> byName = new HashMap<String, List<byte[]>>();
        Map<String, String> byAddress = new HashMap<String, String>();
        for (String raw : lines) {
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] words = line.split("\\s+");
            if (words.length < 2 || words[0].indexOf('%') >= 0) {
                continue;
            }
            byte[] address = IpLiteral.bytes(words[0]);
            if (address == null) {
                continue;
            }
            String key = Arrays.toString(address);
            if (!byAddress.containsKey(key)) {
                byAddress.put(key, words[1]);
            }
            for (int i = 1; i < words.length; i++) {
                String name = DnsName.key(words[i]);
                List<byte[]> list = byName.get(name);
                if (list == null) {
                    list = new ArrayList<byte[]>(2);
                    byName.put(name, list);
                }
                list.add(address);
            }
        }
        return new Snapshot(modified, size, byName, byAddress);
    }

    /** For tests: a hosts file that is these lines. */
    static HostsFile of(final List<String> lines) {
        HostsFile h = new HostsFile(null);
        h.snapshot = parse(lines, Long.MIN_VALUE, Long.MIN_VALUE);
        return h;
    }
}
