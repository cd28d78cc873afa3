package io.socksudp.it;

import static io.socksudp.it.support.Checks.assertServerSawOnlyRelay;
import static io.socksudp.it.support.Checks.check;
import static io.socksudp.it.support.Checks.ports;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.socksudp.it.app.ShadingApp;
import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.TestEnv;

/**
 * An application that brings its own, different Byte Buddy and SLF4J versions: with the agent it still gets exactly
 * its own libraries (the agent's copies are relocated), SLF4J binds cleanly, and its UDP goes through the relay.
 */
@Timeout(120)
class ShadingIT {

    @Test
    void applicationKeepsItsOwnByteBuddyAndSlf4j() {
        String bbJar = "byte-buddy-" + TestEnv.required("app.byte-buddy.version") + ".jar";
        String slf4jJar = "slf4j-api-" + TestEnv.required("app.slf4j.version") + ".jar";
        String simpleJar = "slf4j-simple-" + TestEnv.required("app.slf4j.version") + ".jar";
        try (EchoServer server = Demos.startEchoServer(false);
             ReferenceRelay relay = Demos.startReferenceRelay();
             ChildJvm app = Demos.socksified(ChildJvm.builder("shading-app"), relay.address())
                     .classpath(TestEnv.testClasses()).classpathJarsIn(TestEnv.appLibs())
                     .mainClass(ShadingApp.class.getName()).args("--server", server.address()).start()) {
            int code = app.awaitExit(Duration.ofSeconds(60));
            check(code == 0, "the application exited with " + code, app, server, relay);
            check(app.stdoutLines().stream().anyMatch(l -> l.startsWith("shading-app: OK echo from")),
                    "no successful echo", app, server, relay);
            check(app.stdoutLines().contains("shading-app: generated made by the app's Byte Buddy"),
                    "the application's Byte Buddy did not work", app);

            check(line(app, "shading-app: bytebuddy ").endsWith(bbJar), "ByteBuddy not loaded from " + bbJar, app);
            check(line(app, "shading-app: bytebuddy copies ").matches("\\[[^,]*" + bbJar.replace(".", "\\.")
                    + "!/net/bytebuddy/ByteBuddy\\.class\\]"), "net.bytebuddy.ByteBuddy visible more than once,"
                    + " or not from " + bbJar + ": the agent's Byte Buddy leaks unrelocated", app);
            check(line(app, "shading-app: slf4j ").endsWith(slf4jJar), "LoggerFactory not loaded from " + slf4jJar,
                    app);
            check(line(app, "shading-app: slf4j copies ").matches("\\[[^,]*" + slf4jJar.replace(".", "\\.")
                    + "!/org/slf4j/LoggerFactory\\.class\\]"), "org.slf4j.LoggerFactory visible more than once,"
                    + " or not from " + slf4jJar + ": the agent's SLF4J leaks unrelocated", app);
            check(line(app, "shading-app: slf4j factory ").startsWith("org.slf4j.impl.SimpleLoggerFactory ")
                    && line(app, "shading-app: slf4j factory ").endsWith(simpleJar),
                    "SLF4J did not bind to the application's own slf4j-simple", app);
            check(app.stderrLines().stream().anyMatch(l -> l.contains("shading-app logs through its own SLF4J")),
                    "the application's log line is missing", app);
            check(app.stderrLines().stream().noneMatch(l -> l.startsWith("SLF4J:")),
                    "SLF4J complained (several bindings, or none): the agent's logging leaks into the application",
                    app);

            Matcher local = app.awaitStdout("^shading-app: local (.*)$", Duration.ofSeconds(1));
            InetSocketAddress clientLocal = Demos.lastAddressIn(local.group(1));
            List<InetSocketAddress> sources = server.awaitDatagrams(1, Duration.ofSeconds(10));
            assertServerSawOnlyRelay(sources, ports(relay.externalAddresses()), clientLocal, app, server, relay);
        }
    }

    /**
     * Every library shaded into the agent jar ships its licence (and NOTICE, where it has one) inside the jar, as their
     * terms require: Byte Buddy (Apache-2.0, with a NOTICE), the ASM it bundles (BSD-3-Clause), SLF4J (MIT). The
     * shaded libraries are read off the jar itself, so a new one without its licence fails this test.
     */
    @Test
    void agentJarShipsTheLicenceOfEveryShadedLibrary() throws IOException {
        Map<String, String[]> licenceOf = new LinkedHashMap<>();
        licenceOf.put("io/socksudp/agent/shaded/net/bytebuddy/jar/asm/", new String[] {
            "META-INF/licenses/ASM", "INRIA"});
        licenceOf.put("io/socksudp/agent/shaded/net/bytebuddy/", new String[] {
            "META-INF/licenses/byte-buddy/LICENSE", "Apache License", "META-INF/licenses/byte-buddy/NOTICE", "Rafael Winterhalter"});
        licenceOf.put("io/socksudp/agent/shaded/org/slf4j/", new String[] {
            "META-INF/licenses/slf4j/LICENSE.txt", "QOS.ch"});
        try (ZipFile jar = new ZipFile(TestEnv.agentJar().toFile())) {
            TreeSet<String> shadedRoots = new TreeSet<>();
            for (Enumeration<? extends ZipEntry> e = jar.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.startsWith("io/socksudp/agent/shaded/") && name.endsWith(".class")) {
                    String root = licenceOf.keySet().stream().filter(name::startsWith).findFirst()
                            .orElseThrow(() -> new AssertionError(name + " is shaded into the agent jar, but this"
                                    + " test knows no licence for its library: add the library's licence to the jar"
                                    + " (agent/pom.xml, third-party-licences) and here"));
                    shadedRoots.add(root);
                }
            }
            check(shadedRoots.equals(new TreeSet<>(licenceOf.keySet())), "expected Byte Buddy, its ASM and SLF4J"
                    + " shaded into the agent jar, found " + shadedRoots);
            for (String root : shadedRoots) {
                String[] files = licenceOf.get(root);
                for (int i = 0; i < files.length; i += 2) {
                    ZipEntry entry = jar.getEntry(files[i]);
                    check(entry != null, "the agent jar lacks " + files[i] + " for the classes under " + root);
                    try (InputStream in = jar.getInputStream(entry)) {
                        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        check(text.contains(files[i + 1]), files[i] + " in the agent jar does not look like the"
                                + " licence it should be (no '" + files[i + 1] + "')");
                    }
                }
            }
        }
    }

    private static String line(ChildJvm jvm, String prefix) {
        return jvm.stdoutLines().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .findFirst().orElseThrow(() -> new AssertionError("no line '" + prefix + "...'" + jvm.describe()));
    }
}
