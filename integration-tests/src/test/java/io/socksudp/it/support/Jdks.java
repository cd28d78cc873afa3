package io.socksudp.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;

/**
 * The JDKs a suite runs its child JVMs on: the test JDK ({@link TestEnv#javaHome()}) and Temurin 25
 * ({@code socksudp.it.jdk25Home}, default {@code /usr/lib/jvm/temurin-25-jdk-amd64}).
 */
public final class Jdks {
    private Jdks() {}

    public static final String DEFAULT_JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64";

    /** A JDK by label; {@code home} may not exist (then {@link #assumePresent()} skips loudly). */
    public record Jdk(String label, Path home) {
        public boolean present() {
            return Files.isExecutable(home.resolve("bin").resolve("java"));
        }

        /** The feature version (8 for 1.8.0_x), see {@link Jdks#feature(Path)}; 0 when unknown. */
        public int feature() {
            return Jdks.feature(home);
        }

        public void assumePresent() {
            if (!present()) {
                String message = "SKIPPED LOUDLY: JDK " + label + " is not installed at " + home
                        + " (set -Dsocksudp.it.jdk25Home=... or install it)";
                System.err.println("WARNING ***** " + message + " *****");
                Assumptions.assumeTrue(false, message);
            }
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private static final Map<Path, Integer> FEATURES = new ConcurrentHashMap<>();
    private static final Pattern VERSION = Pattern.compile("^(?:JAVA_VERSION=|.* version )\"(?:1\\.)?(\\d+)");

    /**
     * The feature version of a JDK home (8 for {@code 1.8.0_x}, 17 for {@code 17.0.x}): from {@code <home>/release},
     * else (Debian's JDK 8 has no release file) from {@code <home>/bin/java -version}; 0 when unknown.
     */
    public static int feature(Path home) {
        return FEATURES.computeIfAbsent(home.toAbsolutePath().normalize(), Jdks::readFeature);
    }

    private static int readFeature(Path home) {
        try {
            Path release = home.resolve("release");
            List<String> lines;
            if (Files.isRegularFile(release)) {
                lines = Files.readAllLines(release);
            } else if (Files.isExecutable(home.resolve("bin").resolve("java"))) {
                Process p = new ProcessBuilder(home.resolve("bin").resolve("java").toString(), "-version")
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
                lines = out.lines().toList();
            } else {
                return 0;
            }
            for (String line : lines) {
                Matcher m = VERSION.matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** The test JDK, labelled by its feature version (e.g. "jdk17"), then Temurin 25 ("jdk25"). */
    public static List<Jdk> all() {
        List<Jdk> result = new ArrayList<>();
        Jdk test = new Jdk("test", TestEnv.javaHome());
        test = new Jdk("jdk" + (test.feature() == 0 ? "?" : test.feature()), test.home());
        result.add(test);
        Path home25 = Paths.get(System.getProperty("socksudp.it.jdk25Home", DEFAULT_JDK25));
        if (!home25.toAbsolutePath().normalize().equals(test.home().toAbsolutePath().normalize())) {
            result.add(new Jdk("jdk25", home25));
        }
        return result;
    }
}
