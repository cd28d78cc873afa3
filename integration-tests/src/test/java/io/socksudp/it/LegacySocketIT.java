package io.socksudp.it;

import static io.socksudp.it.support.Checks.assertServerSawOnlyRelay;
import static io.socksudp.it.support.Checks.check;
import static io.socksudp.it.support.Checks.ports;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.Jdks;
import io.socksudp.it.support.Jdks.Jdk;
import io.socksudp.it.support.TestEnv;

/**
 * The legacy DatagramSocket/MulticastSocket path (AbstractPlainDatagramSocketImpl) through the agent and the
 * reference relay, on each JDK that has it: those of {@code socksudp.it.jdks} before JDK 15 (11 by default;
 * scripts/test-jdks runs it on 8 as the test JDK) and the test JDK with
 * {@code -Djdk.net.usePlainDatagramSocketImpl=true}. The probe is Java 8 source compiled by each JDK's own javac.
 * It checks what the application sees; this test checks the far side: every datagram the echo server got came
 * from the relay, and the junk sent at the probe during its SO_TIMEOUT case was dropped.
 */
@Timeout(180)
class LegacySocketIT {

    private static final String PROBE = "io.socksudp.it.legacy.LegacySocketProbe";
    /** unconnected 3 + truncation 3 + multicast 3 + multicast send(p, ttl) 1 + connected 3 + before-timeout 3. */
    private static final int DATAGRAMS = 16;

    static Stream<Arguments> jdks() {
        List<Arguments> result = new ArrayList<>();
        Path test = TestEnv.javaHome();
        result.add(Arguments.of("test JDK, usePlainDatagramSocketImpl", test.toString(), true));
        for (Jdk jdk : Jdks.installs()) {
            boolean legacyByDefault = jdk.feature() > 0 && jdk.feature() < 15; // JEP 373 moved DatagramSocket in 15
            if (legacyByDefault && !jdk.home().toAbsolutePath().normalize().equals(test.toAbsolutePath().normalize())) {
                result.add(Arguments.of(jdk.label(), jdk.home().toString(), false));
            } else if (!jdk.present() && jdk.label().matches("jdk(8|9|1[0-4])")) {
                result.add(Arguments.of(jdk.label(), jdk.home().toString(), false)); // skips loudly below
            }
        }
        return result.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void legacySocketsGoThroughTheRelay(String label, String home, boolean plainImplFlag) throws Exception {
        Path javaHome = Paths.get(home);
        if (!Files.isExecutable(javaHome.resolve("bin/javac"))) {
            String message = "SKIPPED LOUDLY: no JDK at " + home + " (run scripts/fetch-jdks)";
            System.err.println("WARNING ***** " + message + " *****");
            Assumptions.abort(message);
        }
        Path classes = compileProbe(javaHome);
        Path goFile = classes.resolve("go");
        try (EchoServer server = Demos.startEchoServer(false);
             ReferenceRelay relay = Demos.startReferenceRelay()) {
            ChildJvm.Builder b = Demos.socksified(ChildJvm.builder("legacy-probe-" + label.split(",")[0]), relay.address())
                    .javaHome(javaHome).classpath(classes).mainClass(PROBE).args(server.address(), goFile.toString())
                    .sysProp("socksudp.log", "info");
            if (plainImplFlag) {
                b.sysProp("jdk.net.usePlainDatagramSocketImpl", "true");
            }
            try (ChildJvm probe = b.start()) {
                Matcher target = probe.awaitStdout("^junk-target (\\S+):(\\d+)$", Duration.ofSeconds(60));
                InetSocketAddress junkTarget = new InetSocketAddress(target.group(1), Integer.parseInt(target.group(2)));
                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger junkSent = new AtomicInteger();
                Thread junk = junkSender(junkTarget, stop, junkSent);
                try {
                    while (junkSent.get() < 3) {
                        Thread.sleep(10);
                    }
                    Files.createFile(goFile);
                    probe.awaitStdout("^(done|fail .*)$", Duration.ofSeconds(30));
                } finally {
                    stop.set(true);
                    junk.join(2_000);
                }
                check(probe.process().waitFor(30, TimeUnit.SECONDS) && probe.process().exitValue() == 0,
                        "the probe failed", probe, server, relay);
                check(probe.stdoutLines().stream().anyMatch(l -> l.startsWith("ok timeout ")),
                        "SO_TIMEOUT did not fire on time while junk arrived", probe);
                check(probe.mergedLines().stream().anyMatch(l -> l.contains("not from the relay")),
                        "the agent did not report dropping the junk sent at the probe", probe);
                List<InetSocketAddress> sources = server.awaitDatagrams(DATAGRAMS, Duration.ofSeconds(10));
                for (Matcher local : probe.stdoutMatches(java.util.regex.Pattern.compile("^local (.*)$"))) {
                    assertServerSawOnlyRelay(sources, ports(relay.externalAddresses()),
                            Demos.lastAddressIn(local.group(1)), probe, server, relay);
                }
                check(sources.size() == DATAGRAMS, "the echo server saw " + sources.size() + " datagrams, expected "
                        + DATAGRAMS, probe, server, relay);
            }
        }
    }

    /** Junk from a source that is neither the relay nor bypassed, every 20 ms, until stopped. */
    private static Thread junkSender(InetSocketAddress target, AtomicBoolean stop, AtomicInteger sent) {
        Thread t = new Thread(() -> {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                byte[] junk = "junk: not from the relay".getBytes(StandardCharsets.UTF_8);
                while (!stop.get()) {
                    s.send(new DatagramPacket(junk, junk.length, target));
                    sent.incrementAndGet();
                    Thread.sleep(20);
                }
            } catch (IOException | InterruptedException e) {
                // the test's own checks report what matters
            }
        }, "junk-sender");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The Java 8 probe source compiled by {@code javaHome}'s own javac (class files that JDK can run). */
    private static Path compileProbe(Path javaHome) throws IOException, InterruptedException {
        Path source = TestEnv.testClasses().resolve("../../src/test/java8/io/socksudp/it/legacy/LegacySocketProbe.java")
                .normalize();
        Path out = Files.createTempDirectory("legacy-probe");
        Process javac = new ProcessBuilder(javaHome.resolve("bin/javac").toString(), "-d", out.toString(),
                source.toString()).redirectErrorStream(true).start();
        String output = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        check(javac.waitFor(60, TimeUnit.SECONDS) && javac.exitValue() == 0,
                "compiling " + source + " with " + javaHome + " failed:\n" + output);
        return out;
    }
}
