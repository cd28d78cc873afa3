package io.socksudp.it;

import static io.socksudp.it.support.Checks.assertEchoClientOk;
import static io.socksudp.it.support.Checks.assertServerSawOnlyRelay;
import static io.socksudp.it.support.Checks.check;
import static io.socksudp.it.support.Checks.ports;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Jdks;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.TamperingAgentJar;
import io.socksudp.it.support.TestEnv;

/**
 * The agent does its work when the first datagram class loads, not in premain: a program that never uses UDP loads
 * none of its machinery; the class cache spares a second start Byte Buddy, and is used only when it is sound; and
 * the fail-closed rule holds at the moment the class loads (a class that is not what the agent expects stops the JVM
 * before any datagram, one loaded before premain is instrumented all the same). Real child JVMs, real sockets,
 * the reference relay; what the JVM loaded is read from its own -Xlog:class+load.
 */
@Timeout(180)
class LazyStartIT {

    private static final String BYTE_BUDDY = "io.socksudp.agent.shaded.net.bytebuddy.";

    @TempDir
    Path tmp;

    @Test
    void aProgramThatNeverUsesUdpLoadsNoneOfTheAgentsMachinery() throws IOException {
        Path log = tmp.resolve("classes.log");
        try (ChildJvm jvm = ChildJvm.builder("no-udp").classpath(TestEnv.testClasses())
                .mainClass("io.socksudp.it.app.TestMain").args("no", "udp").withAgent()
                .sysProp("socksudp.proxy", "127.0.0.1:1080").sysProp("socksudp.cache", tmp.resolve("cache").toString())
                .jvmArg("-Xlog:class+load:file=" + log).start()) {
            jvm.assertExitCode(0, Duration.ofSeconds(60));
            List<String> loaded = agentClasses(log);
            check(!loaded.isEmpty() && loaded.contains("io.socksudp.agent.Agent"), "no agent class in the log", jvm);
            List<String> heavy = loaded.stream().filter(c -> c.startsWith(BYTE_BUDDY)
                    || c.startsWith("io.socksudp.agent.shaded.org.slf4j.") || c.contains(".association.")
                    || c.contains(".bootstrap.") || c.endsWith(".Activation") || c.endsWith(".TunnelHooks")
                    || c.endsWith("ChannelInstrumentation") || c.endsWith("SocketInstrumentation")
                    || c.contains(".intercept.netty.")).collect(Collectors.toList());
            check(heavy.isEmpty(), "a JVM without UDP loaded agent machinery: " + heavy, jvm);
            // 24 with socksudp.proxy alone; socksudp.cache adds its parser (issue 11: every class costs every start)
            check(loaded.size() <= 28, "premain loaded " + loaded.size() + " agent classes (at most 28 expected): "
                    + loaded, jvm);
            check(!Files.exists(tmp.resolve("cache")), "the class cache was created without any datagram class", jvm);
        }
    }

    /**
     * The JMX hook is defined only when the JDK loads MBeanServerFactory (not in premain, where it cost a
     * bootstrap definition on every start): a program that creates the platform MBean server in main still finds
     * the agent's MBean in it, on every JDK of the per-JDK suites.
     */
    @Test
    void aProgramThatCreatesThePlatformMBeanServerFindsTheAgentsMBean() throws IOException {
        for (Jdks.Jdk jdk : Jdks.installs()) {
            jdk.assumePresent();
            try (ChildJvm jvm = ChildJvm.builder("jmx-" + jdk.label()).javaHome(jdk.home())
                    .classpath(TestEnv.testClasses()).mainClass("io.socksudp.it.app.TestMain").args("jmx").withAgent()
                    .sysProp("socksudp.proxy", "127.0.0.1:1080")
                    .sysProp("socksudp.cache", tmp.resolve("cache").toString()).start()) {
                jvm.assertExitCode(0, Duration.ofSeconds(60));
                check(jvm.stdoutLines().contains("jmx socksudp-mbean=true"),
                        "the platform MBean server created in main should hold io.socksudp:type=Agent on " + jdk.label(),
                        jvm);
            }
        }
    }

    @Test
    void theSecondStartTakesTheClassFromTheCacheWithoutByteBuddyAndADamagedEntryIsWovenAgain() throws IOException {
        Path cache = tmp.resolve("home/.cache/socksudp");
        try (EchoServer server = Demos.startEchoServer(false);
             ReferenceRelay relay = Demos.startReferenceRelay()) {
            List<String> first = echoThroughRelay(server, relay, cache, "first");
            check(first.stream().anyMatch(c -> c.startsWith(BYTE_BUDDY)), "the first start did not weave", relay);
            check("rwx------".equals(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))),
                    "the cache directory is not owner-only: " + Files.getPosixFilePermissions(cache), relay);
            List<Path> entries = entries(cache);
            check(entries.size() == 1, "expected one cache entry, found " + entries, relay);

            List<String> second = echoThroughRelay(server, relay, cache, "second");
            check(second.stream().noneMatch(c -> c.startsWith(BYTE_BUDDY)), "the second start loaded Byte Buddy: "
                    + second.stream().filter(c -> c.startsWith(BYTE_BUDDY)).limit(5).collect(Collectors.toList()),
                    relay);

            try (RandomAccessFile f = new RandomAccessFile(entries.get(0).toFile(), "rw")) {
                f.seek(f.length() - 100);
                int b = f.read();
                f.seek(f.length() - 100);
                f.write(b ^ 0xFF); // inside the woven bytes: only the entry's checksum can tell
            }
            List<String> third = echoThroughRelay(server, relay, cache, "damaged");
            check(third.stream().anyMatch(c -> c.startsWith(BYTE_BUDDY)), "a damaged entry was used", relay);
            check(echoThroughRelay(server, relay, cache, "rewritten").stream().noneMatch(c -> c.startsWith(BYTE_BUDDY)),
                    "the damaged entry was not replaced by a sound one", relay);

            Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
            List<String> open = echoThroughRelay(server, relay, cache, "open-dir");
            check(open.stream().anyMatch(c -> c.startsWith(BYTE_BUDDY)),
                    "an entry in a directory open to other users was used", relay);
        }
    }

    @Test
    void aDatagramClassThatIsNotWhatTheAgentExpectsStopsTheJvmBeforeAnyDatagram() throws IOException {
        try (EchoServer server = Demos.startEchoServer(false);
             ReferenceRelay relay = Demos.startReferenceRelay();
             ChildJvm client = withTamperingAgent("rename", Demos.echoClient(server.address(), 1, true), relay)
                     .start()) {
            int code = client.awaitExit(Duration.ofSeconds(60));
            check(code == 2, "the client exited with " + code + ", expected the agent's 2", client);
            List<String> ours = client.stderrLines().stream().filter(l -> l.startsWith("socksudp:"))
                    .collect(Collectors.toList());
            check(ours.size() == 1 && ours.get(0).contains("is not supported")
                    && ours.get(0).contains("sourceSocketAddress") && ours.get(0).endsWith("refusing to run unproxied"),
                    "expected one sentence naming the missing method, got " + ours, client);
            check(client.stdoutLines().stream().noneMatch(l -> l.contains("sent")), "the client sent", client);
            Demos.sleep(500); // a datagram sent directly would have arrived by now
            check(server.sources().isEmpty(), "the echo server received " + server.sources(), client, server);
        }
    }

    @Test
    void aDatagramClassLoadedBeforePremainIsInstrumentedAllTheSame() throws IOException {
        try (EchoServer server = Demos.startEchoServer(false);
             ReferenceRelay relay = Demos.startReferenceRelay();
             ChildJvm client = withTamperingAgent("load", Demos.echoClient(server.address(), 2, true), relay)
                     .start()) {
            assertEchoClientOk(client, 2, server, relay);
            check(!relay.relayAddresses().isEmpty(), "no association at the relay", client, relay);
            assertServerSawOnlyRelay(server.awaitDatagrams(2, Duration.ofSeconds(10)),
                    ports(relay.externalAddresses()), Demos.echoClientLocal(client), client, server, relay);
        }
    }

    /** The echo client through the relay with the agent and class cache at {@code cache}; the agent classes it loaded. */
    private List<String> echoThroughRelay(EchoServer server, ReferenceRelay relay, Path cache, String run)
            throws IOException {
        Path log = tmp.resolve(run + ".log");
        try (ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), 1, false), relay.address())
                .sysProp("socksudp.cache", cache.toString()).jvmArg("-Xlog:class+load:file=" + log).start()) {
            assertEchoClientOk(client, 1, server, relay);
        }
        return agentClasses(log);
    }

    private ChildJvm.Builder withTamperingAgent(String mode, ChildJvm.Builder client, ReferenceRelay relay)
            throws IOException {
        // The tampering agent first: its transformer then runs before socksudp's, and its premain before ours.
        return client.jvmArg("-javaagent:" + tamperingAgentJar() + "=" + mode, "-javaagent:" + TestEnv.agentJar())
                .sysProp("socksudp.proxy", relay.address()).sysProp("socksudp.nonProxyHosts", "")
                .sysProp("socksudp.cache", tmp.resolve("cache").toString());
    }

    private Path tamperingAgentJar() throws IOException {
        return TamperingAgentJar.write(tmp);
    }

    private static List<String> agentClasses(Path log) throws IOException {
        try (Stream<String> lines = Files.lines(log)) {
            return lines.map(l -> l.replaceFirst("^\\[[^]]*\\]\\[[^]]*\\]\\[[^]]*\\] ", ""))
                    .map(l -> l.split(" ")[0]).filter(c -> c.startsWith("io.socksudp.agent."))
                    .collect(Collectors.toList());
        }
    }

    private static List<Path> entries(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
