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
            java.nio.file.Path reported = java.nio.file.Paths.get(home).toRealPath();
            // JDK 8 reports its bundled JRE (<home>/jre) as java.home.
            if (reported.getFileName().toString().equals("jre")) {
                reported = reported.getParent();
            }
            assertEquals(TestEnv.javaHome().toRealPath(), reported, jvm.describe());
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

    /**
     * Every program that runs as the program under test (or beside it on the JDK under test) is a Java 8 class file, so
     * that the suites can run it on JDK 8 to 25: the test applications and the probe here, the echo and chat programs
     * in the demo jar. A Java 17 class among them would only fail on an old JDK, as UnsupportedClassVersionError.
     */
    @Test
    void theProgramsUnderTestAreJava8ClassFiles() throws Exception {
        java.util.Map<String, Integer> tooNew = new java.util.TreeMap<>();
        int seen = 0;
        java.nio.file.Path classes = TestEnv.testClasses();
        for (String pkg : List.of("io/socksudp/it/app", "io/socksudp/it/probe")) {
            try (var files = java.nio.file.Files.walk(classes.resolve(pkg))) {
                for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    seen++;
                    int major = classMajor(java.nio.file.Files.readAllBytes(f));
                    if (major > 52) {
                        tooNew.put(classes.relativize(f).toString(), major);
                    }
                }
            }
        }
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(TestEnv.demoJar().toFile())) {
            for (java.util.jar.JarEntry e : java.util.Collections.list(jar.entries())) {
                String n = e.getName();
                if (n.endsWith(".class") && n.matches("io/socksudp/demo/(echo|chat|cli|net)/.*")) {
                    seen++;
                    try (java.io.InputStream in = jar.getInputStream(e)) {
                        int major = classMajor(in.readNBytes(8));
                        if (major > 52) {
                            tooNew.put("socksudp-demo.jar!/" + n, major);
                        }
                    }
                }
            }
        }
        assertTrue(seen > 20, "found only " + seen + " class files of programs under test");
        assertTrue(tooNew.isEmpty(), "class files newer than Java 8 (major 52) among the programs under test: " + tooNew);
    }

    private static int classMajor(byte[] b) {
        assertTrue(b.length >= 8 && (b[0] & 0xff) == 0xCA && (b[1] & 0xff) == 0xFE, "not a class file");
        return ((b[6] & 0xff) << 8) | (b[7] & 0xff);
    }
}
