package io.socksudp.it;

import static io.socksudp.it.support.Checks.check;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.socksudp.it.app.TestMain;
import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.TestEnv;

/**
 * A misconfigured agent stops the JVM quickly, before the application runs, with one clear line on stderr that
 * names the culprit, and no stack trace.
 */
@Timeout(60)
class BadConfigIT {

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
                // description, agent args (null: none), system properties (k, v, k, v...), name that must appear
                Arguments.of("unparsable proxy", null, List.of("socksudp.proxy", "not a proxy:99999"), "socksudp.proxy"),
                Arguments.of("unknown property", null,
                        List.of("socksudp.proxy", "127.0.0.1:1080", "socksudp.prxy", "x"), "socksudp.prxy"),
                Arguments.of("unknown agent argument", "bogus=1", List.of("socksudp.proxy", "127.0.0.1:1080"), "bogus"),
                // a DNS server by name would itself need DNS: never resolved, refused before anything runs
                Arguments.of("DNS server named by host", "dns=dns.invalid:53", List.of("socksudp.proxy", "127.0.0.1:1080"),
                        "Agent argument dns 'dns.invalid:53' names a host, not an IP address"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigurations")
    void failsFastWithOneClearLine(String description, String agentArgs, List<String> props, String culprit) {
        ChildJvm.Builder b = ChildJvm.builder("bad-config").agent(TestEnv.agentJar(), agentArgs)
                .classpath(TestEnv.testClasses()).mainClass(TestMain.class.getName()).args("exit", "0");
        for (int i = 0; i < props.size(); i += 2) {
            b.sysProp(props.get(i), props.get(i + 1));
        }
        long started = System.nanoTime();
        try (ChildJvm jvm = b.start()) {
            int code = jvm.awaitExit(Duration.ofSeconds(10)); // fails (with the output) if slower than 10 s
            long millis = (System.nanoTime() - started) / 1_000_000;
            check(code != 0, description + ": the JVM exited 0 (" + millis + " ms)", jvm);
            check(jvm.stdoutLines().stream().noneMatch(l -> l.startsWith("hello")),
                    description + ": the application ran although the agent's configuration is invalid", jvm);
            check(jvm.stderrLines().stream().anyMatch(l -> l.contains(culprit)),
                    description + ": no stderr line names " + culprit, jvm);
            check(jvm.mergedLines().stream().map(l -> l.substring(5)).noneMatch(l -> l.startsWith("\tat ")),
                    description + ": a stack trace was printed", jvm);
        }
    }
}
