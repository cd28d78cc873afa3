package io.socksudp.it;

import static io.socksudp.it.support.Checks.check;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.socksudp.it.app.NettyProbe;
import io.socksudp.it.probe.Peer;
import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.Diagnosable;
import io.socksudp.it.support.TestEnv;

/**
 * The transparency contract over Netty's own API, differentially (issue 10): {@link NettyProbe}'s scenarios (sizes
 * around Netty's 2048-byte read buffer, sends up to 60,000 bytes, a connected channel with a stranger, an
 * AddressedEnvelope, a batch of eight (epoll's sendmmsg), the transport's receive slots (recvmmsg, io_uring's linked
 * recvmsg), a SegmentedDatagramPacket (UDP GSO), a write after close) run once directly and once with the agent through
 * the reference relay, on Netty 4.1 (epoll, the incubator's io_uring, NIO) and 4.2 (epoll, io_uring, NIO), and to an
 * IPv6 peer on 4.2 epoll (a 22-byte header); the two transcripts must be equal. Each run is checked from the far side
 * too: directly the {@link Peer} hears the probe's own ports, socksified only the relay's external ports.
 */
@Timeout(300)
class NettyDifferentialIT {

    private static final Pattern PEER_RX = Pattern.compile("^PEER rx sock=\\d from=(\\S+):(\\d+) len=\\d+");

    private static ChildJvm peer;
    private static int peerPort;
    private static int secondPort;
    private static ReferenceRelay relay;

    @BeforeAll
    static void startFixtures() {
        peer = ChildJvm.builder("peer").javaHome(TestEnv.fixtureJavaHome()).classpath(TestEnv.testClasses())
                .mainClass(Peer.class.getName()).start();
        Matcher m = peer.awaitStdout("^READY (\\d+) (\\d+)", Demos.STARTUP);
        peerPort = Integer.parseInt(m.group(1));
        secondPort = Integer.parseInt(m.group(2));
        relay = Demos.startReferenceRelayJvm(b -> b, "--external", "::"); // reaches 127.0.0.1 and ::1 alike
    }

    @AfterAll
    static void stopFixtures() {
        for (AutoCloseable c : new AutoCloseable[] {relay, peer}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    static Stream<Arguments> stacks() {
        return Stream.of(Arguments.of("4.1", "epoll", "127.0.0.1"),
                Arguments.of("4.1", "incubator_io_uring", "127.0.0.1"),
                Arguments.of("4.1", "nio", "127.0.0.1"),
                Arguments.of("4.2", "epoll", "127.0.0.1"),
                Arguments.of("4.2", "io_uring", "127.0.0.1"),
                Arguments.of("4.2", "nio", "127.0.0.1"),
                Arguments.of("4.2", "epoll", "::1"));
    }

    @ParameterizedTest(name = "Netty {0} {1} to {2}: direct = agent + reference relay")
    @MethodSource("stacks")
    void sameObservationsDirectAndThroughTheProxy(String netty, String transport, String peerIp) {
        Run direct = run(netty, transport, peerIp, false);
        Run proxied = run(netty, transport, peerIp, true);
        Diagnosable[] all = {direct.app, proxied.app, relay, peer};
        check(!direct.transcript.isEmpty() && direct.done && proxied.done, "a probe did not finish", all);
        StringBuilder differences = new StringBuilder();
        int n = Math.max(direct.transcript.size(), proxied.transcript.size());
        for (int i = 0; i < n; i++) {
            String d = i < direct.transcript.size() ? direct.transcript.get(i) : "(none)";
            String p = i < proxied.transcript.size() ? proxied.transcript.get(i) : "(none)";
            if (!d.equals(p)) {
                differences.append("\n  direct: ").append(d).append("\n  agent:  ").append(p);
            }
        }
        check(differences.length() == 0, "the transcripts differ:" + differences, all);

        // From the far side: direct, the probe's own ports; through the agent, only the relay's external ports.
        check(!direct.sourcePorts.isEmpty() && direct.localPorts.containsAll(direct.sourcePorts),
                "direct, the peer should hear only the probe's own ports " + direct.localPorts + ", heard "
                + direct.sourcePorts, all);
        Set<Integer> external = relay.externalAddresses().stream().map(java.net.InetSocketAddress::getPort)
                .collect(Collectors.toSet());
        check(!proxied.sourcePorts.isEmpty() && proxied.sourcePorts.stream().noneMatch(proxied.localPorts::contains)
                && external.containsAll(proxied.sourcePorts), "through the agent the peer must hear only the relay's"
                + " external ports " + external + ", never the probe's own " + proxied.localPorts + "; heard "
                + proxied.sourcePorts, all);
    }

    private record Run(ChildJvm app, List<String> transcript, boolean done, Set<Integer> localPorts,
                       Set<Integer> sourcePorts) {
    }

    private static Run run(String netty, String transport, String peerIp, boolean agent) {
        Path libs = netty.equals("4.1") ? TestEnv.netty41NativeLibs() : TestEnv.netty42NativeLibs();
        String peerAddress = (peerIp.contains(":") ? "[" + peerIp + "]" : peerIp) + ":" + peerPort;
        int before = peer.stdoutLines().size();
        ChildJvm.Builder b = ChildJvm.builder("netty probe " + netty + " " + transport + " " + peerIp
                + (agent ? " agent" : " direct")).classpath(TestEnv.testClasses()).classpathJarsIn(libs)
                .mainClass(NettyProbe.class.getName())
                .args("--transport", transport, "--peer", peerAddress, "--second", String.valueOf(secondPort));
        if (agent) {
            b.withAgent().sysProp("socksudp.proxy", relay.address()).sysProp("socksudp.nonProxyHosts", "");
        }
        ChildJvm app = b.start();
        int code = app.awaitExit(Duration.ofSeconds(120));
        check(code == 0, "the probe exited " + code, app, relay, peer);
        Demos.sleep(200); // the peer prints what it heard from its own thread
        List<String> out = app.stdoutLines();
        Set<Integer> local = out.stream().filter(l -> l.startsWith("LOCAL ")).map(l -> Integer.parseInt(l.substring(6)))
                .collect(Collectors.toSet());
        List<String> peerLines = peer.stdoutLines();
        Set<Integer> sources = peerLines.subList(before, peerLines.size()).stream().map(PEER_RX::matcher)
                .filter(Matcher::find).map(m -> Integer.parseInt(m.group(2))).collect(Collectors.toSet());
        return new Run(app, out.stream().filter(l -> l.startsWith("OBS ")).toList(),
                out.contains("NETTYPROBE done"), local, sources);
    }
}
