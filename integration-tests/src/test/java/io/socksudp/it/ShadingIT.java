package io.socksudp.it;

import static io.socksudp.it.support.Checks.assertServerSawOnlyRelay;
import static io.socksudp.it.support.Checks.check;
import static io.socksudp.it.support.Checks.ports;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;

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

    private static String line(ChildJvm jvm, String prefix) {
        return jvm.stdoutLines().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .findFirst().orElseThrow(() -> new AssertionError("no line '" + prefix + "...'" + jvm.describe()));
    }
}
