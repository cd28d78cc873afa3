package io.socksudp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.socksudp.it.app.TestMain;
import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.TestEnv;

/** Self-tests of the child-process harness: the other tests are only as trustworthy as it is. */
@Timeout(60)
class HarnessIT {

    private static ChildJvm.Builder testMain(String... args) {
        return ChildJvm.builder("test-main").classpath(TestEnv.testClasses()).mainClass(TestMain.class.getName())
                .args(args);
    }

    @Test
    void capturesStdoutStderrAndExitCode() {
        try (ChildJvm jvm = testMain("stderr", "oops", "exit", "3").start()) {
            assertEquals(3, jvm.awaitExit(Duration.ofSeconds(30)));
            assertEquals(List.of("hello stderr oops exit 3"), jvm.stdoutLines(), jvm.describe());
            assertTrue(jvm.stderrLines().contains("oops"), jvm.describe());
            assertTrue(jvm.describe().contains("err| oops"), jvm.describe());
        }
    }

    @Test
    void awaitLineFailsFastWithOutputWhenTheChildExits() {
        try (ChildJvm jvm = testMain("exit", "0").start()) {
            AssertionError e = assertThrows(AssertionError.class,
                    () -> jvm.awaitStdout("^never printed", Duration.ofSeconds(30)));
            assertTrue(e.getMessage().contains("hello exit 0"), e.getMessage());
        }
    }

    @Test
    void awaitExitTimesOutAndCloseKillsTheWholeTree() {
        ChildJvm jvm = testMain("fork", "sleep").start();
        List<ProcessHandle> tree;
        try {
            jvm.awaitStdout("^READY", Duration.ofSeconds(30));
            // the grandchild prints READY too
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (jvm.stdoutLines().stream().filter("READY"::equals).count() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            tree = jvm.process().descendants().collect(Collectors.toList());
            assertFalse(tree.isEmpty(), "the forked grandchild is a descendant" + jvm.describe());
            AssertionError e = assertThrows(AssertionError.class, () -> jvm.awaitExit(Duration.ofMillis(300)));
            assertTrue(e.getMessage().contains("did not exit"), e.getMessage());
        } finally {
            jvm.close();
        }
        assertFalse(jvm.isAlive());
        for (ProcessHandle h : tree) {
            assertFalse(h.isAlive(), "descendant " + h.pid() + " survived close()");
        }
    }

    @Test
    void runsTheConfiguredJdk() throws Exception {
        try (ChildJvm jvm = testMain("javahome").start()) {
            assertEquals(0, jvm.awaitExit(Duration.ofSeconds(30)), jvm.describe());
            String home = jvm.stdoutLines().stream().filter(l -> l.startsWith("java.home ")).findFirst()
                    .orElseThrow(() -> new AssertionError(jvm.describe())).substring("java.home ".length());
            assertEquals(TestEnv.javaHome().toRealPath(), java.nio.file.Paths.get(home).toRealPath(), jvm.describe());
        }
    }

    @Test
    void parsesSocketAddresses() {
        assertEquals(List.of(new java.net.InetSocketAddress("127.0.0.1", 5000),
                        new java.net.InetSocketAddress("127.0.0.1", 6000)),
                Demos.addressesIn("relay: client /127.0.0.1:5000 -> localhost/127.0.0.1:6000 (5 bytes)"));
        assertEquals(new java.net.InetSocketAddress("::1", 7),
                Demos.lastAddressIn("echo-server: 3 bytes from [::1]:7"));
    }
}
