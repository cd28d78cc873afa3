package io.socksudp.it;

import static io.socksudp.it.support.Checks.check;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.socksudp.it.app.DnsjavaLookup;
import io.socksudp.it.app.NettyEchoClient;
import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Dante;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.Diagnosable;
import io.socksudp.it.support.Dnsmasq;
import io.socksudp.it.support.Jdks;
import io.socksudp.it.support.Jdks.Jdk;
import io.socksudp.it.support.TestEnv;

/**
 * Real programs that no one here wrote, unmodified, through the agent and a real SOCKS5 server, asserted from the far
 * side: dnsjava's SimpleResolver (non-blocking NIO, selector-driven) against a dnsmasq that answers only from its own
 * hosts file, and a Netty NIO UDP echo client against the project's echo server. Direct runs (no agent) check the
 * fixtures and that the far-side check tells direct from relayed.
 */
@Timeout(180)
class RealLibrariesIT {

    private static final Map<String, String> HOSTS = new LinkedHashMap<>();

    static {
        HOSTS.put("myhost.socksudp.test", "192.0.2.7");
        HOSTS.put("second.socksudp.test", "192.0.2.8");
    }

    enum Via { DIRECT, DANTE, REFERENCE_RELAY }

    static Stream<Arguments> cases() {
        return Jdks.installs().stream().flatMap(j -> Stream.of(Via.values()).map(v -> Arguments.of(j, v)));
    }

    static Stream<Arguments> nettyCases() {
        return Jdks.installs().stream().flatMap(j -> Stream.of(Via.values())
                .flatMap(v -> Stream.of(Arguments.of(j, v, false), Arguments.of(j, v, true))));
    }

    // ================================================================= dnsjava

    @ParameterizedTest(name = "{0} dnsjava SimpleResolver via {1}")
    @MethodSource("cases")
    void dnsjavaResolvesThroughTheProxy(Jdk jdk, Via via) {
        jdk.assumePresent();
        try (Dnsmasq dns = Dnsmasq.start(HOSTS); Proxy proxy = Proxy.start(via);
             ChildJvm app = proxy.socksify(ChildJvm.builder("dnsjava " + via).javaHome(jdk.home())
                     .classpath(TestEnv.testClasses()).classpathJarsIn(TestEnv.dnsjavaLibs())
                     .mainClass(DnsjavaLookup.class.getName())
                     .args("--server", "127.0.0.1", "--port", String.valueOf(dns.port()))
                     .args(List.copyOf(HOSTS.keySet()))).start()) {
            Diagnosable[] all = {app, dns, proxy};
            int code = app.awaitExit(Duration.ofSeconds(60));
            check(code == 0 && app.stdoutLines().contains("dnsjava: OK"), "dnsjava did not resolve (exit " + code + ")",
                    all);
            HOSTS.forEach((name, ip) -> check(app.stdoutLines().contains("dnsjava: " + name + " rcode NOERROR")
                    && app.stdoutLines().contains("dnsjava: " + name + " A " + ip), "no answer " + name + " A " + ip,
                    all));
            List<Dnsmasq.Query> queries = dns.queries();
            check(queries.size() >= HOSTS.size(), "dnsmasq logged " + queries.size() + " queries", all);
            check(queries.stream().allMatch(q -> HOSTS.containsKey(q.name())), "dnsmasq was asked for other names: "
                    + queries, all);
            proxy.assertSourcesAreRelay(queries.stream().map(Dnsmasq.Query::sourcePort).collect(Collectors.toSet()),
                    dns.port(), all);
        }
    }

    // ================================================================= Netty

    @ParameterizedTest(name = "{0} Netty NIO echo client via {1}, connected={2}")
    @MethodSource("nettyCases")
    void nettyEchoThroughTheProxy(Jdk jdk, Via via, boolean connected) {
        jdk.assumePresent();
        int count = 5;
        try (EchoServer server = Demos.startEchoServer(false); Proxy proxy = Proxy.start(via)) {
            ChildJvm.Builder b = proxy.socksify(ChildJvm.builder("netty " + via).javaHome(jdk.home())
                    .classpath(TestEnv.testClasses()).classpathJarsIn(TestEnv.nettyLibs())
                    .mainClass(NettyEchoClient.class.getName())
                    .args("--server", server.address(), "--count", String.valueOf(count)));
            if (connected) {
                b.args("--connect");
            }
            try (ChildJvm app = b.start()) {
                Diagnosable[] all = {app, server, proxy};
                int code = app.awaitExit(Duration.ofSeconds(60));
                check(code == 0 && app.stdoutLines().contains("netty: OK " + count + "/" + count),
                        "the Netty client did not get all echoes (exit " + code + ")", all);
                List<String> replies = app.stdoutLines().stream().filter(l -> l.startsWith("netty: reply ")).toList();
                check(replies.size() == count, "expected " + count + " replies: " + replies, all);
                for (String r : replies) {
                    check(r.matches("netty: reply netty-\\d+ from /127\\.0\\.0\\.1:" + server.port()),
                            "a reply not reported as coming from the echo server " + server.address() + ": " + r, all);
                }
                InetSocketAddress local = Demos.lastAddressIn(app.awaitStdout("^netty: local (.*)$",
                        Duration.ofSeconds(1)).group(1));
                List<InetSocketAddress> sources = server.awaitDatagrams(count, Duration.ofSeconds(10));
                Set<Integer> ports = sources.stream().map(InetSocketAddress::getPort).collect(Collectors.toSet());
                if (via == Via.DIRECT) {
                    check(ports.equals(Set.of(local.getPort())), "direct: the echo server saw " + ports
                            + ", not the client's own port " + local.getPort(), all);
                } else {
                    check(!ports.contains(local.getPort()), "the echo server saw the client's own port "
                            + local.getPort() + ": sent around the proxy", all);
                    proxy.assertSourcesAreRelay(ports, server.port(), all);
                }
            }
        }
    }

    // ================================================================= the proxy in between (or none)

    /** Dante, the reference relay, or nothing (direct); knows how to tell whether a far-side source was its own. */
    private static final class Proxy implements AutoCloseable, Diagnosable {
        private final Via via;
        private final Dante dante;
        private final ReferenceRelay relay;

        private Proxy(Via via, Dante dante, ReferenceRelay relay) {
            this.via = via;
            this.dante = dante;
            this.relay = relay;
        }

        static Proxy start(Via via) {
            return switch (via) {
                case DIRECT -> new Proxy(via, null, null);
                case DANTE -> new Proxy(via, Dante.start(), null);
                case REFERENCE_RELAY -> new Proxy(via, null, Demos.startReferenceRelay());
            };
        }

        ChildJvm.Builder socksify(ChildJvm.Builder b) {
            return switch (via) {
                case DIRECT -> b;
                case DANTE -> Demos.socksified(b, dante.address());
                case REFERENCE_RELAY -> Demos.socksified(b, relay.address());
            };
        }

        /**
         * Every source port the far side saw belongs to the proxy: for the reference relay one of its external ports;
         * for danted a port its log shows next to the destination port. Direct: nothing to check here beyond the
         * fixture working (the Netty test checks the client's own port).
         */
        void assertSourcesAreRelay(Set<Integer> ports, int destinationPort, Diagnosable... all) {
            check(!ports.isEmpty(), "the far side saw nothing", all);
            switch (via) {
                case DIRECT -> { }
                case REFERENCE_RELAY -> {
                    Set<Integer> external = relay.externalAddresses().stream().map(InetSocketAddress::getPort)
                            .collect(Collectors.toSet());
                    check(external.containsAll(ports), "the far side saw ports " + ports
                            + ", not the relay's external ports " + external, all);
                }
                case DANTE -> {
                    for (int p : ports) {
                        // One udpassociate line naming both danted's external port and the destination port.
                        Pattern both = Pattern.compile("(?m)^(?=.*udpassociate)(?=.*127\\.0\\.0\\.1\\." + p
                                + "(?!\\d))(?=.*127\\.0\\.0\\.1\\." + destinationPort + "(?!\\d)).*$");
                        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                        while (!both.matcher(dante.logText()).find() && System.nanoTime() < deadline) {
                            sleep(50);
                        }
                        check(both.matcher(dante.logText()).find(), "danted's log has no UDP line with port " + p
                                + " (what the far side saw) and the destination port " + destinationPort, all);
                    }
                }
                default -> throw new IllegalStateException();
            }
        }

        @Override
        public String describe() {
            return dante != null ? dante.describe() : relay != null ? relay.describe() : "(direct, no proxy)";
        }

        @Override
        public void close() {
            if (dante != null) {
                dante.close();
            }
            if (relay != null) {
                relay.close();
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
