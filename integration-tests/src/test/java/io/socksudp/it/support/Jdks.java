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
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;

/**
 * The JDKs a suite runs its child JVMs on, from {@code socksudp.it.jdks} (comma-separated; the pom's default is
 * {@code test,25,11,8,17-plain}):
 * <ul>
 *   <li>{@code test}: the test JDK ({@link TestEnv#javaHome()}, {@code socksudp.testJavaHome});</li>
 *   <li>a version: 17 is the build's JDK, 25 Temurin 25 ({@code socksudp.it.jdk25Home}), any other
 *   {@code .jdks/jdk-N} ({@code socksudp.jdksDir}, filled by {@code scripts/fetch-jdks N});</li>
 *   <li>{@code 17-plain}: JDK 17 with {@code -Djdk.net.usePlainDatagramSocketImpl=true}, whose DatagramSocket then
 *   goes through the legacy implementation (the agent's second strategy), for the DatagramSocket scenarios only;</li>
 *   <li>an absolute path: that JDK home.</li>
 * </ul>
 * An entry that names the same JDK and options as an earlier one is dropped (e.g. {@code 17} when testing on 17).
 * A JDK that is not installed stays in the list and its cases skip loudly, saying how to get it.
 */
public final class Jdks {
    private Jdks() {}

    public static final String DEFAULT_JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64";
    public static final String BUILD_JDK17 = "/usr/lib/jvm/java-17-openjdk-amd64";
    private static final Pattern DATAGRAM_SOCKET_SCENARIOS =
            Pattern.compile("^(socket|multicastSocket|ipv6\\.socket|virtual\\.socket|setup\\.slow\\.socket)(\\.|$)");

    /**
     * A JDK by label; {@code home} may not exist (then {@link #assumePresent()} skips loudly). {@code jvmArgs} go
     * to every program under test on it; {@code scenarios} says which differential scenarios it runs.
     */
    public record Jdk(String label, Path home, List<String> jvmArgs, Predicate<String> scenarios, String howToGet) {
        public Jdk(String label, Path home) {
            this(label, home, List.of(), s -> true, "install it");
        }

        public boolean present() {
            return Files.isExecutable(home.resolve("bin").resolve("java"));
        }

        /** The feature version (8 for 1.8.0_x), see {@link Jdks#feature(Path)}; 0 when unknown. */
        public int feature() {
            return Jdks.feature(home);
        }

        public boolean runs(String scenario) {
            return scenarios.test(scenario);
        }

        public void assumePresent() {
            if (!present()) {
                String message = "SKIPPED LOUDLY: JDK " + label + " is not installed at " + home + " (" + howToGet + ")";
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

    /** The JDKs of {@code socksudp.it.jdks}, in order, without repeats. */
    public static List<Jdk> all() {
        return all(System.getProperty("socksudp.it.jdks", ""));
    }

    /** The JDKs of a list in the syntax of {@code socksudp.it.jdks}, in order, without repeats. */
    public static List<Jdk> all(String list) {
        String spec = list.trim();
        List<Jdk> result = new ArrayList<>();
        for (String entry : (spec.isEmpty() ? "test,25" : spec).split(",")) {
            Jdk jdk = resolve(entry.trim());
            boolean repeat = result.stream().anyMatch(j -> same(j.home(), jdk.home()) && j.jvmArgs().equals(jdk.jvmArgs()));
            if (!repeat) {
                result.add(jdk);
            }
        }
        return result;
    }

    /**
     * As {@link #all()} without the option variants ({@code 17-plain}): for suites of real programs, which use
     * DatagramChannel (unaffected by those options) and would only run twice.
     */
    public static List<Jdk> installs() {
        return all().stream().filter(j -> j.jvmArgs().isEmpty()).toList();
    }

    private static Jdk resolve(String entry) {
        switch (entry) {
            case "test": {
                Path home = TestEnv.javaHome();
                int feature = feature(home);
                return new Jdk("jdk" + (feature == 0 ? "?" : feature), home, List.of(), s -> true,
                        "set -Dsocksudp.testJavaHome to a JDK home");
            }
            case "17":
                return new Jdk("jdk17", Paths.get(BUILD_JDK17), List.of(), s -> true, "Debian 12's openjdk-17-jdk");
            case "25":
                return new Jdk("jdk25", Paths.get(System.getProperty("socksudp.it.jdk25Home", DEFAULT_JDK25)), List.of(),
                        s -> true, "install Temurin 25 there, or set -Dsocksudp.it.jdk25Home");
            case "17-plain":
                return new Jdk("jdk17-plainDatagramSocketImpl", Paths.get(BUILD_JDK17),
                        List.of("-Djdk.net.usePlainDatagramSocketImpl=true"),
                        s -> DATAGRAM_SOCKET_SCENARIOS.matcher(s).find(), "Debian 12's openjdk-17-jdk");
            default:
                if (entry.matches("\\d+")) {
                    Path dir = Paths.get(System.getProperty("socksudp.jdksDir", ".jdks"));
                    return new Jdk("jdk" + entry, dir.resolve("jdk-" + entry).toAbsolutePath().normalize(), List.of(),
                            s -> true, "run scripts/fetch-jdks " + entry);
                }
                Path home = Paths.get(entry);
                int feature = feature(home);
                return new Jdk("jdk" + (feature == 0 ? "?" : feature) + "@" + home, home, List.of(), s -> true,
                        "check socksudp.it.jdks");
        }
    }

    private static boolean same(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}
