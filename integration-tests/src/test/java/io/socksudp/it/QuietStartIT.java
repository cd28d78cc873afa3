package io.socksudp.it;

import static io.socksudp.it.support.Checks.assertEchoClientOk;
import static io.socksudp.it.support.Checks.check;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Demos.ReferenceRelay;

/**
 * The agent is silent on a normal start (no CDS warning from the bootstrap class path, no sun.misc.Unsafe
 * warning from Byte Buddy on JDK 24+, no SLF4J chatter), and {@code socksudp.log=debug} shows each association
 * with its relay, never a password.
 */
@Timeout(120)
class QuietStartIT {

    /** Temurin 25 ships beside the default JDK 17 on this project's machines; JDK 24+ is where Unsafe warns. */
    private static final Path TEMURIN_25 = Paths.get("/usr/lib/jvm/temurin-25-jdk-amd64");

    static Stream<String> jdks() {
        return Stream.of("test JDK", "Temurin 25");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aNormalRunPrintsNothingOfItsOwn(String jdk) {
        Path home = "Temurin 25".equals(jdk) ? TEMURIN_25 : null;
        if (home != null && !Files.isExecutable(home.resolve("bin/java"))) {
            System.err.println("SKIPPED LOUDLY: no Temurin 25 at " + TEMURIN_25);
            Assumptions.abort("SKIPPED LOUDLY: no Temurin 25 at " + TEMURIN_25);
        }
        try (EchoServer server = Demos.startEchoServer(false);
             ReferenceRelay relay = Demos.startReferenceRelay()) {
            ChildJvm.Builder builder = Demos.socksified(Demos.echoClient(server.address(), 2, false), relay.address());
            if (home != null) {
                builder.javaHome(home);
            }
            try (ChildJvm client = builder.start()) {
                assertEchoClientOk(client, 2, server, relay);
                check(client.stderrLines().isEmpty(), "the agent printed something on a normal start", client);
            }
        }
    }

    @Test
    void debugShowsEachAssociationAndItsRelayButNeverThePassword() {
        String password = "pw-that-must-not-appear";
        try (EchoServer server = Demos.startEchoServer(false);
             ReferenceRelay relay = Demos.startReferenceRelay("alice", password);
             ChildJvm client = Demos.socksified(Demos.echoClient(server.address(), 1, false), relay.address())
                     .sysProp("socksudp.username", "alice").sysProp("socksudp.password", password)
                     .sysProp("socksudp.log", "debug").start()) {
            assertEchoClientOk(client, 1, server, relay);
            int relayPort = relay.relayAddresses().get(0).getPort();
            Pattern association = Pattern.compile(".*association via " + Pattern.quote(relay.address())
                    + " relaying at .*:" + relayPort + "\\b.*");
            check(client.stderrLines().stream().anyMatch(l -> association.matcher(l).matches()),
                    "no debug line naming the association's relay port " + relayPort, client, relay);
            check(client.mergedLines().stream().noneMatch(l -> l.contains(password)),
                    "the password appeared in the output", client);
        }
    }
}
