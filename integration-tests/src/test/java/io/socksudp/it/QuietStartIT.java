package io.socksudp.it;

import static io.socksudp.it.support.Checks.assertEchoClientOk;
import static io.socksudp.it.support.Checks.check;

import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.Jdks;
import io.socksudp.it.support.Jdks.Jdk;

/**
 * The agent is silent on a normal start (no CDS warning from the bootstrap class path, no sun.misc.Unsafe
 * warning from Byte Buddy on JDK 24+, no SLF4J chatter), and {@code socksudp.log=debug} shows each association
 * with its relay, never a password.
 */
@Timeout(120)
class QuietStartIT {

    /** Every JDK of the per-JDK suites (socksudp.it.jdks): Temurin 25 is where Unsafe would warn, 17+ where CDS would. */
    static Stream<Jdk> jdks() {
        return Jdks.installs().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aNormalRunPrintsNothingOfItsOwn(Jdk jdk) {
        jdk.assumePresent();
        try (EchoServer server = Demos.startEchoServer(false);
             ReferenceRelay relay = Demos.startReferenceRelay()) {
            ChildJvm.Builder builder = Demos.socksified(Demos.echoClient(server.address(), 2, false), relay.address())
                    .javaHome(jdk.home());
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
