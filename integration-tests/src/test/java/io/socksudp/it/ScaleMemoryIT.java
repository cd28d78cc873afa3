package io.socksudp.it;

import static io.socksudp.it.support.Checks.check;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.TestEnv;

/**
 * What the agent holds per socket does not include a datagram-sized buffer (issue 11): the buffers a datagram is
 * framed and received into are one set per thread, so 120 sockets used by one thread (60 DatagramSockets and 60
 * DatagramChannels, each with its association through the reference relay, all kept open) cost the JVM about one
 * 64 KiB receive buffer and one frame buffer of direct memory, where a buffer per socket cost 66 KiB each (some
 * 8 MB here). Real child JVM, real sockets, the reference relay and the echo server.
 */
@Timeout(120)
class ScaleMemoryIT {

    private static final int PER_KIND = 60;

    @Test
    void manySocketsOnOneThreadShareOneSetOfBuffers() {
        try (EchoServer server = Demos.startEchoServer(false);
             ReferenceRelay relay = Demos.startReferenceRelay();
             ChildJvm app = Demos.socksified(ChildJvm.builder("many-associations"), relay.address())
                     .classpath(TestEnv.testClasses()).mainClass("io.socksudp.it.app.ManyAssociations")
                     .args(server.address(), Integer.toString(PER_KIND)).start()) {
            Matcher echoes = app.awaitStdout("ECHOES (\\d+)", Duration.ofSeconds(90));
            check(Integer.parseInt(echoes.group(1)) == 2 * PER_KIND, "not every socket got its echo", app, relay);
            Matcher direct = app.awaitStdout("DIRECT (-?\\d+)", Duration.ofSeconds(5));
            long bytes = Long.parseLong(direct.group(1));
            check(bytes >= 0 && bytes < 512 * 1024, 2 * PER_KIND + " sockets hold " + bytes
                    + " bytes of direct buffer memory (at most 512 KiB expected: one set of buffers per thread)", app);
            check(relay.relayAddresses().size() == 2 * PER_KIND, "expected one association per socket, the relay"
                    + " granted " + relay.relayAddresses().size(), app, relay);
            Set<Integer> external = relay.externalAddresses().stream().map(InetSocketAddress::getPort)
                    .collect(Collectors.toSet());
            for (InetSocketAddress source : server.awaitDatagrams(2 * PER_KIND, Duration.ofSeconds(10))) {
                check(external.contains(source.getPort()), "the echo server saw a datagram from " + source
                        + ", not from the relay", app, relay, server);
            }
            app.assertExitCode(0, Duration.ofSeconds(30));
        }
    }
}
