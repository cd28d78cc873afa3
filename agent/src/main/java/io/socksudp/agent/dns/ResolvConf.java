package io.socksudp.agent.dns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the stub resolver takes from {@code /etc/resolv.conf} (resolv.conf(5), glibc's reading): the search list
 * ({@code search}, or {@code domain}; the last of them wins), and {@code options ndots:N timeout:N attempts:N}.
 * {@code nameserver} lines are ignored: the server is {@code socksudp.dns}. Missing file or values: glibc's
 * defaults (no search list, ndots 1, timeout 5 s, attempts 2). Read once, at the agent's start.
 */
public final class ResolvConf {

    public static final int DEFAULT_NDOTS = 1;
    public static final int DEFAULT_TIMEOUT_SECONDS = 5;
    public static final int DEFAULT_ATTEMPTS = 2;

    private final List<String> search;
    private final int ndots;
    private final int timeoutSeconds;
    private final int attempts;

    public ResolvConf(List<String> search, int ndots, int timeoutSeconds, int attempts) {
        this.search = Collections.unmodifiableList(new ArrayList<String>(search));
        this.ndots = ndots;
        this.timeoutSeconds = timeoutSeconds;
        this.attempts = attempts;
    }

    public static ResolvConf defaults() {
        return new ResolvConf(Collections.<String>emptyList(), DEFAULT_NDOTS, DEFAULT_TIMEOUT_SECONDS, DEFAULT_ATTEMPTS);
    }

    /** Reads {@code file}; an unreadable or missing file gives the defaults. */
    public static ResolvConf read(Path file) {
        List<String> lines = new ArrayList<String>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                Charset.forName("UTF-8")))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException | RuntimeException e) {
            return defaults();
        }
        return parse(lines);
    }

    static ResolvConf parse(List<String> lines) {
        List<String> search = new ArrayList<String>();
        int ndots = DEFAULT_NDOTS;
        int timeout = DEFAULT_TIMEOUT_SECONDS;
        int attempts = DEFAULT_ATTEMPTS;
        for (String raw : lines) {
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            String[] words = line.split("\\s+");
            if (words[0].equals("search") || words[0].equals("domain")) {
                search.clear();
                for (int i = 1; i < words.length && search.size() < 32; i++) {
                    String d = words[i].endsWith(".") ? words[i].substring(0, words[i].length() - 1) : words[i];
                    if (!d.isEmpty() && !d.equals(".")) {
                        search.add(d);
                    }
                    if (words[0].equals("domain")) {
                        break;
                    }
                }
            } else if (words[0].equals("options")) {
                for (int i = 1; i < words.length; i++) {
                    // glibc's caps: ndots 15, timeout 30 s, attempts 5
                    ndots = option(words[i], "ndots:", ndots, 0, 15);
                    timeout = option(words[i], "timeout:", timeout, 1, 30);
                    attempts = option(words[i], "attempts:", attempts, 1, 5);
                }
            }
        }
        return new ResolvConf(search, ndots, timeout, attempts);
    }

    private static int option(String word, String prefix, int current, int min, int max) {
        if (!word.startsWith(prefix)) {
            return current;
        }
        try {
            int v = Integer.parseInt(word.substring(prefix.length()));
            return Math.max(min, Math.min(max, v));
        } catch (NumberFormatException e) {
            return current;
        }
    }

    /**
     * The names to try for {@code name}, in order (glibc's res_search): a name ending in a dot is tried alone; one
     * with at least ndots dots as it is first, then with each search domain; one with fewer, the other way round.
     */
    public List<String> candidates(String name) {
        if (name.endsWith(".")) {
            return Collections.singletonList(name.substring(0, name.length() - 1));
        }
        int dots = 0;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '.') {
                dots++;
            }
        }
        List<String> result = new ArrayList<String>(search.size() + 1);
        if (dots >= ndots) {
            result.add(name);
        }
        for (String domain : search) {
            result.add(name + "." + domain);
        }
        if (dots < ndots) {
            result.add(name);
        }
        return result;
    }

    public List<String> search() {
        return search;
    }

    public int ndots() {
        return ndots;
    }

    public int timeoutSeconds() {
        return timeoutSeconds;
    }

    public int attempts() {
        return attempts;
    }

    @Override
    public String toString() {
        return "search " + search + ", ndots " + ndots + ", timeout " + timeoutSeconds + " s, attempts " + attempts;
    }
}
