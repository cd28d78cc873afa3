package io.socksudp.it;

import static io.socksudp.it.support.Checks.assertEchoClientOk;
import static io.socksudp.it.support.Checks.check;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Cli;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.Jdks;
import io.socksudp.it.support.Jdks.Jdk;

/**
 * {@code cache prepare} pays the instrumenting ahead: on JDK 17 (the NIO channel and the legacy impl) and JDK 8 (the
 * sender-field channel and the native-send legacy socket, five classes) it fills a fresh directory, and the very
 * first start of a one-datagram program then takes every class it instruments from that cache (the agent's own
 * debug line says so, and -verbose:class shows no Byte Buddy class loaded) and its datagram goes through the
 * reference relay: the bytes the command read from the JDK are those the JVM hands the agent's transformer. Then
 * {@code list} shows the entries as this build's and valid here, and {@code clean} deletes an entry of another
 * build and nothing else. Real child JVMs on each JDK, real sockets.
 */
@Timeout(180)
class CacheCommandIT {

    private static final String BYTE_BUDDY = "io.socksudp.agent.shaded.net.bytebuddy.";

    @TempDir
    Path tmp;

    static Stream<Jdk> jdks() {
        return Jdks.all("test,8").stream().filter(j -> j.jvmArgs().isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void preparedCacheServesTheFirstStartAndListAndCleanShowAndKeepIt(Jdk jdk) throws IOException {
        jdk.assumePresent();
        Path cache = tmp.resolve("fresh/socksudp");
        ChildJvm prepare = Cli.run(Cli.on(jdk.home(), "cli-cache-prepare", "cache", "prepare", "--cache",
                cache.toString()));
        check(Cli.code(prepare) == 0 && prepare.stdoutText().contains("the same java as the programs"),
                "cache prepare should exit 0 and say it must be run with the programs' java", prepare);
        List<String> written = prepare.stdoutLines().stream().filter(l -> l.endsWith(" ms)")
                && l.contains("instrumented and written")).collect(Collectors.toList());
        int expected = jdk.feature() == 8 ? 5 : 2;
        check(written.size() == expected, "expected " + expected + " classes instrumented on " + jdk + ": " + written,
                prepare);
        ChildJvm again = Cli.run(Cli.on(jdk.home(), "cli-cache-prepare-again", "cache", "prepare", "--cache",
                cache.toString()));
        check(Cli.code(again) == 0 && again.stdoutText().contains("Prepared: 0 written, " + expected
                + " already there"), "a second prepare should find every entry there and valid", again);

        try (EchoServer server = Demos.startEchoServer(false);
             ReferenceRelay relay = Demos.startReferenceRelay();
             ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), 1, false), relay.address())
                     .javaHome(jdk.home()).sysProp("socksudp.cache", cache.toString())
                     .sysProp("socksudp.log", "debug").jvmArg("-verbose:class").start()) {
            assertEchoClientOk(client, 1, server, relay);
            check(!relay.relayAddresses().isEmpty(), "the datagram did not go through the relay", client, relay);
            List<String> instrumented = client.stderrLines().stream().filter(l -> l.contains("DEBUG socksudp -"
                    + " instrumented ")).collect(Collectors.toList());
            check(!instrumented.isEmpty() && instrumented.stream().allMatch(l -> l.contains("from the class cache")),
                    "every class the first start instrumented should come from the class cache: " + instrumented,
                    client);
            check(client.stdoutLines().stream().anyMatch(l -> l.contains("io.socksudp.agent.Agent ")),
                    "-verbose:class lists no agent class", client);
            check(client.stdoutLines().stream().noneMatch(l -> l.contains(BYTE_BUDDY)), "the first start after"
                    + " cache prepare loaded Byte Buddy", client);
        }

        ChildJvm list = Cli.run(Cli.on(jdk.home(), "cli-cache-list", "cache", "list", "--cache", cache.toString()));
        List<String> entries = list.stdoutLines().stream().filter(l -> l.startsWith("  ")).collect(Collectors.toList());
        check(Cli.code(list) == 0 && list.stdoutText().contains("used by the agent: yes") && entries.size() == expected
                && entries.stream().allMatch(l -> l.contains("(this build)") && l.endsWith("valid for this JDK")),
                "cache list should show the " + expected + " entries as this build's and valid here", list);

        Path ours = entryFiles(cache).get(0);
        Path other = otherBuildsCopy(ours);
        ChildJvm clean = Cli.run(Cli.on(jdk.home(), "cli-cache-clean", "cache", "clean", "--cache", cache.toString()));
        check(Cli.code(clean) == 0 && clean.stdoutLines().contains("  deleted " + other.getFileName()),
                "cache clean should delete the other build's entry", clean);
        check(!Files.exists(other) && entryFiles(cache).size() == expected, "clean should delete the other build's"
                + " entry and keep this build's: " + entryFiles(cache), clean);
    }

    private static List<Path> entryFiles(Path cache) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".woven")).sorted()
                    .collect(Collectors.toList());
        }
    }

    /**
     * A copy of an entry as another build of the agent would have written it: its build id (in the file's name and
     * in its header, a length-prefixed UTF-8 string) with its last character changed, so the lengths stay the same.
     */
    private static Path otherBuildsCopy(Path entry) throws IOException {
        byte[] bytes = Files.readAllBytes(entry);
        String name = entry.getFileName().toString();
        String build = name.substring(name.indexOf('-', name.indexOf('-', name.indexOf('-') + 1) + 1) + 1,
                name.length() - ".woven".length());
        String otherBuild = build.substring(0, build.length() - 1) + (build.endsWith("0") ? "1" : "0");
        byte[] from = build.getBytes(StandardCharsets.UTF_8);
        int at = indexOf(bytes, from);
        check(at > 0, "the build id " + build + " is not in the entry " + entry);
        System.arraycopy(otherBuild.getBytes(StandardCharsets.UTF_8), 0, bytes, at, from.length);
        Path other = entry.resolveSibling(name.replace(build, otherBuild));
        Files.write(other, bytes);
        return other;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
