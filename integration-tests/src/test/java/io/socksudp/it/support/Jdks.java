package io.socksudp.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
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

        /** The feature version from {@code <home>/release}; 0 when unknown. */
        public int feature() {
            try {
                for (String line : Files.readAllLines(home.resolve("release"))) {
                    Matcher m = Pattern.compile("^JAVA_VERSION=\"(\\d+)").matcher(line);
                    if (m.find()) {
                        return Integer.parseInt(m.group(1));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // unknown
            }
            return 0;
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
