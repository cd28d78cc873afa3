package io.socksudp.it;

import static io.socksudp.it.support.Checks.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.socksudp.it.app.NameLookups;
import io.socksudp.it.probe.TamperingAgent;
import io.socksudp.it.support.TamperingAgentJar;
import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Dante;
import io.socksudp.it.support.Diagnosable;
import io.socksudp.it.support.Dnsmasq;
import io.socksudp.it.support.Jdks;
import io.socksudp.it.support.Jdks.Jdk;
import io.socksudp.it.support.NatLab;
import io.socksudp.it.support.NatLab.Host;
import io.socksudp.it.support.TestEnv;

/**
 * {@code socksudp.dns}: the JVM's own name look-ups ({@code InetAddress}) go to a DNS server through the proxy, on
 * every JDK of {@code socksudp.it.dnsJdks} (default 17, 25, 21, 11, 8), in a NAT lab:
 *
 * <pre>
 *   client 10.1.0.2 (the JVM; its own /etc/resolv.conf and /etc/hosts) --- NAT 198.51.100.2 ---
 *       public 198.51.100.10: danted :1080, dnsmasq :53 (answers only its hosts file under socksudp.test)
 * </pre>
 *
 * The client's resolv.conf names the same dnsmasq as its nameserver, so any look-up that leaves the JVM directly
 * reaches it too, from the client's NAT address 198.51.100.2, while look-ups through the proxy come from danted's
 * 198.51.100.10; and iptables in the client's namespace counts every packet it sends to port 53. Nothing leaves the
 * lab, and dnsmasq never forwards ({@code --no-resolv}, no server, {@code --local=/socksudp.test/}).
 */
@Timeout(300)
class DnsIT {

    private static final String PUBLIC = NatLab.PUBLIC_IP;
    private static final String CLIENT_NAT = NatLab.CLIENT_NAT_IP;
    private static final String PROXY = PUBLIC + ":1080";
    private static final String DNS = PUBLIC + ":53";
    private static final String NON_PROXY = "*.direct.socksudp.test";
    private static final List<String> SERVER_HOSTS = new ArrayList<>(List.of(
            "192.0.2.7 myhost.socksudp.test",
            "2001:db8::7 myhost.socksudp.test",
            "2001:db8::8 v6only.socksudp.test",
            "192.0.2.99 both.socksudp.test",
            "192.0.2.60 short.socksudp.test",
            "192.0.2.70 sys.direct.socksudp.test",
            "192.0.2.80 cached.socksudp.test"));
    /** More A records than a 512-byte UDP answer holds: dnsmasq answers truncated, the agent asks again over TCP. */
    private static final int BIG = 40;

    static {
        for (int i = 1; i <= BIG; i++) {
            SERVER_HOSTS.add("192.0.2." + (100 + i) + " big.socksudp.test");
        }
    }

    private static NatLab lab;
    private static Dante dante;
    private static Dnsmasq dns;

    static Stream<Jdk> jdks() {
        return Jdks.all(System.getProperty("socksudp.it.dnsJdks", "test,25,21,11,8")).stream()
                .filter(j -> j.jvmArgs().isEmpty());
    }

    /**
     * The JDKs with resolver providers (18+; one that is not installed stays, to skip loudly). Before 18 the case
     * cannot exist: no test case there, a NOT APPLICABLE line says so (a skip would read as a test left unproven).
     */
    static Stream<Jdk> providerJdks() {
        return jdks().filter(j -> {
            boolean applicable = !j.present() || j.feature() >= 18;
            if (!applicable) {
                System.out.println("DNS " + j + " another resolver provider found first: NOT APPLICABLE: resolver"
                        + " providers exist from JDK 18; this is JDK " + j.feature());
            }
            return applicable;
        });
    }

    @BeforeAll
    static void startLab() {
        NatLab.assumeAvailable();
        Dante.assumeAvailable();
        Dnsmasq.assumeAvailable();
        lab = NatLab.create();
        boolean ok = false;
        try {
            lab.etcFile(Host.CLIENT, "resolv.conf", "# the system resolver of the client: the lab's dnsmasq\n"
                    + "nameserver " + PUBLIC + "\nsearch socksudp.test\noptions ndots:1 timeout:1 attempts:2\n");
            lab.etcFile(Host.CLIENT, "hosts", "127.0.0.1 localhost\n::1 localhost\n"
                    + "192.0.2.50 filed.socksudp.test\n192.0.2.51 both.socksudp.test\n");
            for (String proto : List.of("udp", "tcp")) {
                NatLab.Result r = lab.run(Host.CLIENT, "iptables", "-A", "OUTPUT", "-p", proto, "--dport", "53");
                check(r.code() == 0, "iptables: " + r.output(), lab);
            }
            dante = Dante.startIn(lab, Host.PUBLIC);
            dns = Dnsmasq.startIn(lab, Host.PUBLIC, SERVER_HOSTS, "socksudp.test");
            ok = true;
        } finally {
            if (!ok) {
                stopLab();
            }
        }
    }

    @AfterAll
    static void stopLab() {
        if (dns != null) {
            dns.close();
        }
        if (dante != null) {
            dante.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    // ================================================================================================ tests

    @ParameterizedTest(name = "{0}: look-ups through the proxy")
    @MethodSource("jdks")
    void lookUpsGoThroughTheProxy(Jdk jdk) {
        jdk.assumePresent();
        int before = dns.queries().size();
        zeroCounters();
        try (ChildJvm app = lookups(jdk, "through the proxy", PROXY, true,
                "all:myhost.socksudp.test", "all:v6only.socksudp.test", "all:big.socksudp.test",
                "all:nx.socksudp.test", "reverse:192.0.2.7", "canonical:192.0.2.7", "all:filed.socksudp.test",
                "all:both.socksudp.test",
                "all:short", "all:sys.direct.socksudp.test", "all:localhost").start()) {
            Diagnosable[] all = {app, dns, dante, lab};
            awaitDone(app, all);
            expect(app, "all:myhost.socksudp.test", "[192.0.2.7, 2001:db8:0:0:0:0:0:7]", all);
            expect(app, "all:v6only.socksudp.test", "[2001:db8:0:0:0:0:0:8]", all);
            String big = result(app, "all:big.socksudp.test");
            check(big.startsWith("[192.0.2.") && big.split(", ").length == BIG, "big.socksudp.test: expected all "
                    + BIG + " addresses (a truncated UDP answer holds fewer: asked again over TCP), got " + big, all);
            String nx = result(app, "all:nx.socksudp.test");
            check(nx.startsWith("UnknownHostException: ") && nx.contains("NXDOMAIN") && nx.contains(DNS)
                    && nx.contains(PROXY), "nx.socksudp.test: expected an UnknownHostException naming NXDOMAIN, the"
                    + " DNS server and the proxy, got " + nx, all);
            expect(app, "reverse:192.0.2.7", "myhost.socksudp.test", all);
            expect(app, "canonical:192.0.2.7", "myhost.socksudp.test", all);
            expect(app, "all:filed.socksudp.test", "[192.0.2.50]", all); // the hosts file only
            expect(app, "all:both.socksudp.test", "[192.0.2.51]", all); // the hosts file first, not DNS's 192.0.2.99
            expect(app, "all:short", "[192.0.2.60]", all); // the search list of resolv.conf
            expect(app, "all:sys.direct.socksudp.test", "[192.0.2.70]", all); // nonProxyHosts: the system resolver
            check(result(app, "all:localhost").startsWith("[127.0.0.1"), "localhost", all);
            check(app.stderrLines().isEmpty(), "a normal run with socksudp.dns must be quiet, stderr: "
                    + app.stderrLines(), all);

            List<Dnsmasq.Query> queries = dns.queries().subList(before, dns.queries().size());
            Set<String> viaProxy = names(queries, PUBLIC);
            Set<String> direct = names(queries, CLIENT_NAT);
            check(viaProxy.containsAll(Set.of("myhost.socksudp.test", "v6only.socksudp.test", "big.socksudp.test",
                    "nx.socksudp.test", "7.2.0.192.in-addr.arpa", "short.socksudp.test")),
                    "dnsmasq should have seen these names from danted (" + PUBLIC + "), saw " + viaProxy, all);
            check(direct.equals(Set.of("sys.direct.socksudp.test")), "only the nonProxyHosts name may be asked"
                    + " directly (from the client's NAT " + CLIENT_NAT + "), but dnsmasq saw " + direct, all);
            check(queries.stream().noneMatch(q -> q.name().startsWith("filed.") || q.name().startsWith("both.")),
                    "names in the client's hosts file must not be asked of DNS: " + queries, all);
            check(queries.stream().allMatch(q -> q.sourceIp().equals(PUBLIC) || q.sourceIp().equals(CLIENT_NAT)),
                    "queries from elsewhere: " + queries, all);
            // the positive control of the counters: the system resolver's direct query for the nonProxyHosts name
            check(directPackets() > 0, "iptables counted no packet to port 53 from the client, yet the nonProxyHosts"
                    + " name was resolved directly: the counters do not work", all);
            check(Pattern.compile("(?m)tcp/connect.*" + Pattern.quote(PUBLIC) + "\\.53\\b").matcher(dante.logText())
                    .find(), "danted's log shows no TCP connection to the DNS server (the truncated answer)", all);
        }
    }

    @ParameterizedTest(name = "{0}: proxy down, fail closed")
    @MethodSource("jdks")
    void failsClosedWhenTheProxyIsDown(Jdk jdk) {
        jdk.assumePresent();
        int before = dns.queries().size();
        zeroCounters();
        String closed = PUBLIC + ":1081";
        try (ChildJvm app = lookups(jdk, "proxy down", closed, true, "all:myhost.socksudp.test",
                "all:short", "reverse:192.0.2.7").start()) {
            Diagnosable[] all = {app, dns, dante, lab};
            awaitDone(app, all);
            for (String step : List.of("all:myhost.socksudp.test", "all:short")) {
                String r = result(app, step);
                check(r.startsWith("UnknownHostException: ") && r.contains(closed) && r.contains(DNS),
                        step + ": expected an UnknownHostException naming the proxy and the DNS server, got " + r, all);
            }
            expect(app, "reverse:192.0.2.7", "192.0.2.7", all); // the JDK's answer when no name can be had
            List<Dnsmasq.Query> queries = dns.queries().subList(before, dns.queries().size());
            check(queries.isEmpty(), "with the proxy down no query may reach any DNS server, dnsmasq saw " + queries,
                    all);
            check(directPackets() == 0, "iptables counted " + directPackets() + " packet(s) from the client to port 53",
                    all);
        }
    }

    /** One JDK per way the agent hooks look-ups: 8 (sun.net.spi), the test JDK 17 (NameService), 25 (provider). */
    static Stream<Jdk> cacheJdks() {
        return Jdks.all("test,25,8").stream().filter(j -> j.jvmArgs().isEmpty());
    }

    /**
     * TTLs are not the agent's business: the JDK's own cache policy stays in charge. Three look-ups of one name with
     * the default policy (30 s) ask the DNS server once (at most twice: one retransmission on a loaded machine); with
     * {@code networkaddress.cache.ttl=0} (a security property, from a java.security.properties file of the test's
     * own) every look-up asks again, so at least three A queries arrive.
     */
    @ParameterizedTest(name = "{0}: the JDK's cache policy in charge")
    @MethodSource("cacheJdks")
    void theJdksCachePolicyDecidesWhenToAskAgain(Jdk jdk, @TempDir Path dir) throws IOException {
        jdk.assumePresent();
        Path noCache = dir.resolve("no-cache.security");
        Files.writeString(noCache, "networkaddress.cache.ttl=0\nnetworkaddress.cache.negative.ttl=0\n");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        String name = "all:cached.socksudp.test";
        for (boolean cached : new boolean[] {true, false}) {
            int before = dns.queries().size();
            ChildJvm.Builder b = lookups(jdk, cached ? "default cache" : "no cache", PROXY, true, name, name, name);
            if (!cached) {
                b.sysProp("java.security.properties", noCache.toString());
            }
            try (ChildJvm app = b.start()) {
                Diagnosable[] all = {app, dns, dante, lab};
                awaitDone(app, all);
                long answers = app.stdoutLines().stream().filter(l -> l.equals("LOOKUP " + name + " -> [192.0.2.80]"))
                        .count();
                check(answers == 3, "expected three answers [192.0.2.80], got " + app.stdoutLines(), all);
                long asked = dns.queries().subList(before, dns.queries().size()).stream()
                        .filter(q -> q.sourceIp().equals(PUBLIC) && q.name().equals("cached.socksudp.test")
                                && q.type().equals("A")).count();
                check(cached ? asked >= 1 && asked <= 2 : asked >= 3, (cached ? "default cache policy: expected"
                        + " one A query (two with a retransmission)" : "networkaddress.cache.ttl=0: expected an A"
                        + " query per look-up (three or more)") + " for three look-ups, dnsmasq saw " + asked, all);
            }
        }
    }

    /** The JDKs with a SecurityManager (8, 11 and the test JDK, 17): from 24 it cannot be installed any more. */
    static Stream<Jdk> securityManagerJdks() {
        return Jdks.all(System.getProperty("socksudp.it.dnsSecurityManagerJdks", "test,11,8")).stream()
                .filter(j -> j.jvmArgs().isEmpty());
    }

    /**
     * Under a SecurityManager whose policy trusts the agent jar (AllPermission) and lets the application resolve names
     * but connect nowhere: the agent's own DNS client (its association, the query's datagram, the TCP CONNECT of a
     * truncated answer) runs in doPrivileged, so the look-ups still go through the proxy and nothing leaves directly.
     */
    @ParameterizedTest(name = "{0}: under a SecurityManager, the application restricted")
    @MethodSource("securityManagerJdks")
    void lookUpsUnderASecurityManager(Jdk jdk, @TempDir Path dir) throws IOException {
        jdk.assumePresent();
        Path policy = dir.resolve("test.policy");
        Files.writeString(policy, "grant codeBase \"file:" + TestEnv.agentJar().toAbsolutePath()
                + "\" { permission java.security.AllPermission; };\n"
                + "grant codeBase \"file:" + TestEnv.testClasses().toAbsolutePath() + "/\" {\n"
                + "  permission java.net.SocketPermission \"*\", \"resolve\";\n"
                + "  permission java.util.PropertyPermission \"*\", \"read\";\n"
                + "  permission java.lang.RuntimePermission \"writeFileDescriptor\";\n"
                + "};\n");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        int before = dns.queries().size();
        zeroCounters();
        try (ChildJvm app = lookups(jdk, "security manager", PROXY, true, "all:myhost.socksudp.test",
                "all:big.socksudp.test", "all:nx.socksudp.test", "reverse:192.0.2.7")
                .jvmArg("-Djava.security.manager").sysProp("java.security.policy", "=" + policy).start()) {
            Diagnosable[] all = {app, dns, dante, lab};
            awaitDone(app, all);
            expect(app, "all:myhost.socksudp.test", "[192.0.2.7, 2001:db8:0:0:0:0:0:7]", all);
            String big = result(app, "all:big.socksudp.test");
            check(big.startsWith("[192.0.2.") && big.split(", ").length == BIG, "big.socksudp.test: expected all "
                    + BIG + " addresses (asked again over TCP through the proxy), got " + big, all);
            String nx = result(app, "all:nx.socksudp.test");
            check(nx.startsWith("UnknownHostException: ") && nx.contains("NXDOMAIN"), "nx.socksudp.test: expected"
                    + " an UnknownHostException naming NXDOMAIN, got " + nx, all);
            expect(app, "reverse:192.0.2.7", "myhost.socksudp.test", all);
            check(app.mergedLines().stream().noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception in")
                    || l.contains("AccessControlException")), "a stack trace or AccessControlException", all);
            List<Dnsmasq.Query> queries = dns.queries().subList(before, dns.queries().size());
            check(names(queries, PUBLIC).containsAll(Set.of("myhost.socksudp.test", "big.socksudp.test",
                    "nx.socksudp.test", "7.2.0.192.in-addr.arpa")), "dnsmasq should have seen these names from"
                    + " danted (" + PUBLIC + "), saw " + queries, all);
            check(names(queries, CLIENT_NAT).isEmpty(), "names asked directly: " + queries, all);
            check(directPackets() == 0, "the client's namespace sent packets to port 53 directly", all);
        }
    }

    @ParameterizedTest(name = "{0}: java.net.preferIPv6Addresses=true")
    @MethodSource("jdks")
    void ordersAddressesAsTheJdkWould(Jdk jdk) {
        jdk.assumePresent();
        int before = dns.queries().size();
        ChildJvm.Builder b = lookups(jdk, "IPv6 first", PROXY, true, "all:myhost.socksudp.test")
                .sysProp("java.net.preferIPv6Addresses", "true");
        try (ChildJvm app = b.start()) {
            Diagnosable[] all = {app, dns, dante, lab};
            awaitDone(app, all);
            expect(app, "all:myhost.socksudp.test", "[2001:db8:0:0:0:0:0:7, 192.0.2.7]", all);
            List<Dnsmasq.Query> queries = dns.queries().subList(before, dns.queries().size());
            check(names(queries, PUBLIC).equals(Set.of("myhost.socksudp.test")) && names(queries, CLIENT_NAT).isEmpty(),
                    "the look-up should have come through danted only: " + queries, all);
        }
    }

    @ParameterizedTest(name = "{0}: java.net.preferIPv4Stack=true")
    @MethodSource("jdks")
    void asksOnlyForIpv4WithThePreferIpv4Stack(Jdk jdk) {
        jdk.assumePresent();
        int before = dns.queries().size();
        ChildJvm.Builder b = lookups(jdk, "IPv4 stack", PROXY, true, "all:myhost.socksudp.test", "all:v6only.socksudp.test")
                .sysProp("java.net.preferIPv4Stack", "true");
        try (ChildJvm app = b.start()) {
            Diagnosable[] all = {app, dns, dante, lab};
            awaitDone(app, all);
            expect(app, "all:myhost.socksudp.test", "[192.0.2.7]", all);
            String v6only = result(app, "all:v6only.socksudp.test");
            check(v6only.startsWith("UnknownHostException: v6only.socksudp.test: no A record for v6only.socksudp.test (from DNS"
                    + " server " + DNS), "an IPv6-only name"
                    + " with preferIPv4Stack: expected no A record, got " + v6only, all);
            List<Dnsmasq.Query> queries = dns.queries().subList(before, dns.queries().size());
            check(!queries.isEmpty() && queries.stream().allMatch(q -> q.type().equals("A") && q.sourceIp().equals(PUBLIC)),
                    "only A queries, through danted: " + queries, all);
        }
    }

    @ParameterizedTest(name = "{0}: socksudp.dns unset")
    @MethodSource("jdks")
    void withoutTheSettingLookUpsLeaveDirectlyAndNoDnsCodeLoads(Jdk jdk) {
        jdk.assumePresent();
        int before = dns.queries().size();
        try (ChildJvm app = lookups(jdk, "dns unset", PROXY, false, "all:myhost.socksudp.test")
                .jvmArg("-verbose:class").start()) {
            Diagnosable[] all = {app, dns, dante, lab};
            awaitDone(app, all);
            expect(app, "all:myhost.socksudp.test", "[192.0.2.7, 2001:db8:0:0:0:0:0:7]", all);
            List<Dnsmasq.Query> queries = dns.queries().subList(before, dns.queries().size());
            check(names(queries, CLIENT_NAT).contains("myhost.socksudp.test") && names(queries, PUBLIC).isEmpty(),
                    "without socksudp.dns the system resolver asks directly (the documented leak): " + queries, all);
            Set<String> loaded = new TreeSet<>();
            Matcher m = Pattern.compile("(io\\.socksudp\\.agent\\.dns\\.[\\w.$]+)").matcher(app.stdoutText());
            while (m.find()) {
                loaded.add(m.group(1));
            }
            // JDK 18+ finds the provider in the agent jar (ServiceLoader) and gets its built-in resolver back
            Set<String> allowed = jdk.feature() >= 18 ? Set.of("io.socksudp.agent.dns.jdk.ResolverProvider") : Set.of();
            check(allowed.containsAll(loaded), "without socksudp.dns no DNS code may load, but " + loaded + " did", all);
        }
    }

    /** The JDKs with {@code jdk.net.hosts.file} (9+; JDK 8 ignores the property: NOT APPLICABLE there). */
    static Stream<Jdk> hostsFileJdks() {
        return jdks().filter(j -> {
            boolean applicable = !j.present() || j.feature() >= 9;
            if (!applicable) {
                System.out.println("DNS " + j + " jdk.net.hosts.file: NOT APPLICABLE: JDK " + j.feature()
                        + " ignores the property and resolves as without it");
            }
            return applicable;
        });
    }

    /**
     * With {@code jdk.net.hosts.file} the JDK (9+) answers every name from that file and never asks DNS; the agent
     * then stays out, says so once at info, and nothing at all is asked: a name missing from the file is an
     * UnknownHostException, as without the agent, and no query reaches any DNS server, through the proxy or not.
     */
    @ParameterizedTest(name = "{0}: jdk.net.hosts.file")
    @MethodSource("hostsFileJdks")
    void aJdkHostsFileAnswersAloneAndNothingIsAsked(Jdk jdk, @TempDir Path dir) throws Exception {
        jdk.assumePresent();
        Path hostsFile = Files.writeString(dir.resolve("hosts"), "192.0.2.77 custom.socksudp.test\n");
        int before = dns.queries().size();
        zeroCounters();
        try (ChildJvm app = lookups(jdk, "jdk.net.hosts.file", PROXY, true, "all:custom.socksudp.test",
                "all:myhost.socksudp.test").sysProp("jdk.net.hosts.file", hostsFile.toString()).start()) {
            Diagnosable[] all = {app, dns, dante, lab};
            awaitDone(app, all);
            expect(app, "all:custom.socksudp.test", "[192.0.2.77]", all);
            check(result(app, "all:myhost.socksudp.test").startsWith("UnknownHostException"),
                    "a name missing from jdk.net.hosts.file must not be resolved (the JDK asks nobody else), got "
                            + result(app, "all:myhost.socksudp.test"), all);
            check(app.stderrText().contains("socksudp.dns is not used: jdk.net.hosts.file=" + hostsFile),
                    "the agent should say once why socksudp.dns is not used", all);
            check(dns.queries().size() == before, "a query reached dnsmasq: "
                    + dns.queries().subList(before, dns.queries().size()), all);
            check(directPackets() == 0, "the client sent packets to port 53 directly", all);
        }
    }

    /**
     * JDK 18+ uses the first resolver provider on the class path, and the application's class path comes before the
     * agent jar: an application that brings its own provider would keep its look-ups away from the proxy. The agent
     * makes the JDK choose at start, sees it did not choose the agent's, and stops the JVM before any look-up.
     */
    @ParameterizedTest(name = "{0}: another resolver provider found first")
    @MethodSource("providerJdks")
    void anotherResolverProviderFoundFirstStopsTheStart(Jdk jdk, @TempDir Path dir) throws Exception {
        jdk.assumePresent();
        Path src = Files.createDirectories(dir.resolve("src/their"));
        Files.writeString(src.resolve("TheirProvider.java"), String.join("\n",
                "package their;",
                "public class TheirProvider extends java.net.spi.InetAddressResolverProvider {",
                "    public java.net.spi.InetAddressResolver get(Configuration c) { return c.builtinResolver(); }",
                "    public String name() { return \"theirs\"; }",
                "}"));
        Path out = Files.createDirectories(dir.resolve("out"));
        Process javac = new ProcessBuilder(jdk.home().resolve("bin/javac").toString(), "-d", out.toString(),
                src.resolve("TheirProvider.java").toString()).redirectErrorStream(true).start();
        String javacOutput = new String(javac.getInputStream().readAllBytes());
        check(javac.waitFor() == 0, "javac: " + javacOutput);
        Path services = Files.createDirectories(out.resolve("META-INF/services"));
        Files.writeString(services.resolve("java.net.spi.InetAddressResolverProvider"), "their.TheirProvider\n");
        int before = dns.queries().size();
        try (ChildJvm app = lookups(jdk, "their provider", PROXY, true, "all:myhost.socksudp.test")
                .classpath(out).start()) {
            Diagnosable[] all = {app, dns, dante, lab};
            int code = app.awaitExit(Duration.ofSeconds(60));
            check(code != 0 && app.stdoutLines().stream().noneMatch(l -> l.startsWith("LOOKUP")),
                    "the JVM ran its look-ups with another resolver provider in charge (exit " + code + ")", all);
            check(app.stderrLines().stream().anyMatch(l -> l.startsWith("socksudp: socksudp.dns is set, but this JVM"
                    + " resolves names with") && l.contains("another InetAddressResolverProvider,"
                    + " their.TheirProvider, was found first")),
                    "no sentence saying why the JVM stopped", all);
            check(dns.queries().size() == before, "a query reached dnsmasq", all);
        }
    }

    /**
     * A name looked up before socksudp's premain (by another agent listed first; only {@code localhost}, which the
     * hosts file answers). JDK 18+ chooses its resolver at that first look-up, before the agent could offer its own,
     * and keeps it: the agent finds the built-in resolver chosen and stops the start (exit 2, one sentence), before
     * the application looks anything up. Before 18 the JDK asks its name service at every look-up, and the agent
     * replaces it in premain: the look-ups that follow go through the proxy as in any JVM. Either way nothing reaches
     * a DNS server directly (dnsmasq and iptables).
     */
    @ParameterizedTest(name = "{0}: a name looked up before the agent started")
    @MethodSource("jdks")
    void aLookUpBeforeTheAgentStarted(Jdk jdk, @TempDir Path dir) throws Exception {
        jdk.assumePresent();
        int before = dns.queries().size();
        zeroCounters();
        try (ChildJvm app = tampered(jdk, "lookup", dir, "all:myhost.socksudp.test").start()) {
            Diagnosable[] all = {app, dns, dante, lab};
            if (jdk.feature() >= 18) {
                assertRefused(app, "socksudp: socksudp.dns is set, but this JVM resolves names with",
                        "(a name was looked up before the agent started, and the JDK keeps the resolver it chose"
                        + " then)", all);
                check(dns.queries().size() == before, "a query reached dnsmasq", all);
            } else {
                awaitDone(app, all);
                expect(app, "all:myhost.socksudp.test", "[192.0.2.7, 2001:db8:0:0:0:0:0:7]", all);
                List<Dnsmasq.Query> queries = dns.queries().subList(before, dns.queries().size());
                check(names(queries, CLIENT_NAT).isEmpty() && names(queries, PUBLIC).equals(Set.of(
                        "myhost.socksudp.test")), "only myhost.socksudp.test may be asked, through danted ("
                        + PUBLIC + "); dnsmasq saw " + queries, all);
            }
            check(app.stderrLines().stream().anyMatch(l -> l.startsWith("tampering-agent: looked up localhost")),
                    "the tampering agent did not look localhost up", all);
            check(directPackets() == 0, "iptables counted " + directPackets() + " packet(s) from the client to port"
                    + " 53", all);
        }
    }

    /**
     * Before JDK 18 the agent wraps the JDK's own name service (JDK 9-17's {@code InetAddress.nameService}, JDK 8's
     * {@code InetAddress.nameServices}); another agent listed first clears it: the JVM must stop at start naming the
     * field, before any look-up, and nothing may reach a DNS server. JDK 18+ has neither field: not applicable there.
     */
    @ParameterizedTest(name = "{0}: the JDK's name service cleared before the agent started")
    @MethodSource("nameServiceJdks")
    void aClearedNameServiceStopsTheStart(Jdk jdk, @TempDir Path dir) throws Exception {
        jdk.assumePresent();
        int before = dns.queries().size();
        zeroCounters();
        try (ChildJvm app = tampered(jdk, "clear-name-service", dir, "all:myhost.socksudp.test").start()) {
            Diagnosable[] all = {app, dns, dante, lab};
            String field = jdk.feature() == 8 ? "InetAddress.nameServices, the JDK's list of name services, is empty"
                    : "InetAddress.nameService, the JDK's own name service, is null";
            assertRefused(app, "socksudp: socksudp.dns is set, but this JDK (", field, all);
            check(dns.queries().size() == before, "a query reached dnsmasq", all);
            check(directPackets() == 0, "iptables counted " + directPackets() + " packet(s) from the client to port"
                    + " 53", all);
        }
    }

    /** The JDKs before 18, where the agent wraps the JDK's name service (see providerJdks for the opposite). */
    static Stream<Jdk> nameServiceJdks() {
        return jdks().filter(j -> {
            boolean applicable = !j.present() || j.feature() < 18;
            if (!applicable) {
                System.out.println("DNS " + j + " the JDK's name service cleared: NOT APPLICABLE: JDK 18+ has no"
                        + " InetAddress.nameService (resolver providers instead); this is JDK " + j.feature());
            }
            return applicable;
        });
    }

    /** Netty's own resolver's stacks: version and transport (native epoll and io_uring, and NIO over the JDK). */
    static Stream<org.junit.jupiter.params.provider.Arguments> nettyResolverCases() {
        return Stream.of(org.junit.jupiter.params.provider.Arguments.of("4.1", "epoll"),
                org.junit.jupiter.params.provider.Arguments.of("4.1", "incubator_io_uring"),
                org.junit.jupiter.params.provider.Arguments.of("4.2", "epoll"),
                org.junit.jupiter.params.provider.Arguments.of("4.2", "io_uring"),
                org.junit.jupiter.params.provider.Arguments.of("4.2", "nio"));
    }

    /**
     * Netty's asynchronous DNS resolver ({@code DnsNameResolver}, netty-resolver-dns) asks its name server from a Netty
     * datagram channel of its own, not through {@code InetAddress}: with the agent (and no {@code socksudp.dns}: it
     * is UDP like any other) its queries reach dnsmasq from danted, and its answers, which it only believes from the
     * name server's own address, come back with that address as sender. The same program without the agent is the
     * control: its query arrives from the client's NAT address and the client's counters see it.
     */
    @ParameterizedTest(name = "Netty {0} {1}: Netty's own DNS resolver through the proxy")
    @MethodSource("nettyResolverCases")
    void nettysOwnResolverGoesThroughTheProxy(String netty, String transport) {
        for (boolean agent : new boolean[] {true, false}) {
            int before = dns.queries().size();
            zeroCounters();
            ChildJvm.Builder b = lab.jvm(Host.CLIENT, "netty " + netty + " " + transport + " dns"
                    + (agent ? "" : " without the agent")).classpath(TestEnv.testClasses())
                    .classpathJarsIn(netty.equals("4.1") ? TestEnv.netty41NativeLibs() : TestEnv.netty42NativeLibs())
                    .classpathJarsIn(netty.equals("4.1") ? TestEnv.netty41DnsLibs() : TestEnv.netty42DnsLibs())
                    .mainClass(io.socksudp.it.app.NettyDnsLookup.class.getName())
                    .args("--transport", transport, "--server", DNS, "myhost.socksudp.test");
            if (agent) {
                b.withAgent().sysProp("socksudp.proxy", PROXY).sysProp("socksudp.nonProxyHosts", NON_PROXY);
            }
            try (ChildJvm app = b.start()) {
                Diagnosable[] all = {app, dns, dante, lab};
                int code = app.awaitExit(Duration.ofSeconds(60));
                check(code == 0 && app.stdoutLines().contains("NETTYDNS done"), "the resolver did not finish (exit "
                        + code + ")", all);
                check(app.stdoutLines().contains("NETTYDNS myhost.socksudp.test -> [192.0.2.7]"),
                        "expected myhost.socksudp.test -> [192.0.2.7]", all);
                List<Dnsmasq.Query> queries = dns.queries().subList(before, dns.queries().size());
                String from = agent ? PUBLIC : CLIENT_NAT;
                check(!queries.isEmpty() && queries.stream().allMatch(q -> q.sourceIp().equals(from)),
                        (agent ? "through the proxy every query must come from danted (" : "without the agent every"
                        + " query comes from the client's NAT (") + from + "), dnsmasq saw " + queries, all);
                long direct = directPackets();
                check(agent ? direct == 0 : direct > 0, agent ? "iptables counted " + direct + " packet(s) from the"
                        + " client to port 53" : "the control sent its query directly, yet iptables counted none: the"
                        + " counters do not work", all);
            }
        }
    }

    // ================================================================================================ helpers

    /**
     * The look-ups with {@code socksudp.dns}, and {@link TamperingAgent} in {@code mode} listed before socksudp (both
     * as JVM options: its premain runs first).
     */
    private static ChildJvm.Builder tampered(Jdk jdk, String mode, Path dir, String... steps) throws IOException {
        Path jar = TamperingAgentJar.write(dir);
        ChildJvm.Builder b = lab.jvm(Host.CLIENT, "lookups tampered " + mode + " " + jdk).javaHome(jdk.home())
                .classpath(TestEnv.testClasses()).mainClass(NameLookups.class.getName()).args(steps);
        if (jdk.feature() >= 9) {
            b.jvmArg("--add-opens", "java.base/java.net=ALL-UNNAMED"); // for the tampering agent's reflection
        }
        return b.jvmArg("-javaagent:" + jar + "=" + mode, "-javaagent:" + TestEnv.agentJar())
                .sysProp("socksudp.proxy", PROXY).sysProp("socksudp.nonProxyHosts", NON_PROXY)
                .sysProp("socksudp.dns", DNS);
    }

    /** The JVM stopped at start (exit 2) with one socksudp sentence holding both parts, before any look-up. */
    private static void assertRefused(ChildJvm app, String start, String part, Diagnosable... all) {
        int code = app.awaitExit(Duration.ofSeconds(60));
        check(code == 2 && app.stdoutLines().stream().noneMatch(l -> l.startsWith("LOOKUP")),
                "the JVM did not stop at start (exit " + code + ")", all);
        List<String> sentences = app.stderrLines().stream().filter(l -> l.startsWith("socksudp: ")).toList();
        check(sentences.size() == 1 && sentences.get(0).startsWith(start) && sentences.get(0).contains(part)
                && sentences.get(0).endsWith("refusing to let look-ups leave directly"),
                "expected one sentence starting '" + start + "' naming '" + part + "', got " + sentences, all);
    }


    private static ChildJvm.Builder lookups(Jdk jdk, String label, String proxy, boolean withDns, String... steps) {
        ChildJvm.Builder b = lab.jvm(Host.CLIENT, "lookups " + label + " " + jdk).javaHome(jdk.home())
                .classpath(TestEnv.testClasses()).mainClass(NameLookups.class.getName()).args(steps)
                .withAgent().sysProp("socksudp.proxy", proxy).sysProp("socksudp.nonProxyHosts", NON_PROXY);
        if (withDns) {
            b.sysProp("socksudp.dns", DNS);
        }
        return b;
    }

    private static void awaitDone(ChildJvm app, Diagnosable... all) {
        int code = app.awaitExit(Duration.ofSeconds(90));
        check(code == 0 && app.stdoutLines().contains("LOOKUP done"), "the look-ups did not finish (exit " + code + ")",
                all);
    }

    private static String result(ChildJvm app, String step) {
        String prefix = "LOOKUP " + step + " -> ";
        return app.stdoutLines().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .findFirst().orElse("(no result)");
    }

    private static void expect(ChildJvm app, String step, String expected, Diagnosable... all) {
        String got = result(app, step);
        check(got.equals(expected), step + ": expected " + expected + ", got " + got, all);
    }

    private static Set<String> names(List<Dnsmasq.Query> queries, String sourceIp) {
        return queries.stream().filter(q -> q.sourceIp().equals(sourceIp)).map(Dnsmasq.Query::name)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static void zeroCounters() {
        NatLab.Result r = lab.run(Host.CLIENT, "iptables", "-Z", "OUTPUT");
        check(r.code() == 0, "iptables -Z: " + r.output(), lab);
    }

    /** Packets the client's namespace sent to port 53 (UDP and TCP) since the counters were zeroed. */
    private static long directPackets() {
        NatLab.Result r = lab.run(Host.CLIENT, "iptables", "-L", "OUTPUT", "-v", "-x", "-n");
        check(r.code() == 0, "iptables -L: " + r.output(), lab);
        long total = 0;
        for (String line : r.output().split("\n")) {
            if (line.contains("dpt:53")) {
                total += Long.parseLong(line.trim().split("\\s+")[0]);
            }
        }
        return total;
    }
}
