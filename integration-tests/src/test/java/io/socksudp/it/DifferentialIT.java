package io.socksudp.it;

import static io.socksudp.it.support.Checks.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.socksudp.it.probe.Peer;
import io.socksudp.it.probe.Probe;
import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Dante;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.Diagnosable;
import io.socksudp.it.support.Jdks;
import io.socksudp.it.support.Jdks.Jdk;
import io.socksudp.it.support.SlowFront;
import io.socksudp.it.support.TestEnv;

/**
 * The transparency contract (DESIGN.md section 1), differentially: every scenario of {@link Probe} runs in a child
 * JVM once directly and once with the agent through a relay (the reference relay; a subset through real danted), on
 * the test JDK and on Temurin 25, and the two normalized transcripts must be equal. Each run is also checked from the
 * far side: the direct run's datagrams reached the {@link Peer} from the probe's own port, the socksified run's from
 * the relay's external port and never from the probe's own port, so an agent that silently sent directly fails.
 *
 * <p>Narrow the cases with {@code -Dsocksudp.it.scenarios=REGEX} (matched against "jdk scenario").
 * What can legitimately differ has explicit agent-only tests at the end.
 */
class DifferentialIT {

    private static final Duration PROBE_EXIT = Duration.ofSeconds(75);
    /** Only the direct half of the differential cases, and no agent-only test (a JDK the agent cannot run on yet). */
    private static final boolean DIRECT_ONLY = Boolean.getBoolean("socksudp.it.directOnly");
    private static final Pattern PEER_RX = Pattern.compile("^PEER rx sock=(\\d) from=(\\S+) len=(\\d+)");
    private static final Pattern ASSOCIATION = Pattern.compile("^relay: association (\\d+) for ");

    private static ChildJvm peer;
    private static int peerPort;
    private static int peer2Port;
    private static ReferenceRelay relay;
    /** The reference relay behind a front that delays each handshake's answer: a slow proxy. */
    private static SlowFront slowRelay;
    static final long SLOW_HANDSHAKE_MILLIS = 1000;
    private static Path relayHosts;
    private static Dante dante;
    private static boolean danteTried;
    /** Direct transcripts, reused by the Dante cases. */
    private static final Map<String, Run> DIRECT = new LinkedHashMap<>();

    @BeforeAll
    static void startFixtures() throws IOException {
        peer = ChildJvm.builder("peer").javaHome(TestEnv.fixtureJavaHome()).classpath(TestEnv.testClasses())
                .mainClass(Peer.class.getName()).start();
        Matcher m = peer.awaitStdout("^READY (\\d+) (\\d+)", Demos.STARTUP);
        peerPort = Integer.parseInt(m.group(1));
        peer2Port = Integer.parseInt(m.group(2));
        // External side on the IPv6 wildcard, so that the relay reaches both 127.0.0.1 and ::1 destinations. Its own
        // hosts file knows Probe.PEER_NAME (and nothing else): only the relay can resolve that name.
        relayHosts = Files.createTempFile("socksudp-relay-hosts-", ".txt");
        Files.writeString(relayHosts, "127.0.0.1 " + Probe.PEER_NAME + "\n");
        relay = Demos.startReferenceRelayJvm(b -> b.sysProp("jdk.net.hosts.file", relayHosts.toString()), "--external", "::");
        slowRelay = SlowFront.start(relay.address(), SLOW_HANDSHAKE_MILLIS);
    }

    @AfterAll
    static void stopFixtures() throws IOException {
        if (dante != null) {
            dante.close();
        }
        if (slowRelay != null) {
            slowRelay.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (peer != null) {
            peer.close();
        }
        if (relayHosts != null) {
            Files.deleteIfExists(relayHosts);
        }
    }

    // ================================================================= case lists

    static Stream<Arguments> differentialCases() {
        return cases(spec -> spec.differential());
    }

    static Stream<Arguments> danteCases() {
        return cases(spec -> spec.differential() && spec.dante());
    }

    static Stream<Arguments> jdks() {
        return Jdks.all().stream().filter(j -> selected(j + " agent-only")).map(Arguments::of);
    }

    private static Stream<Arguments> cases(java.util.function.Predicate<Probe.Spec> which) {
        List<Arguments> result = new ArrayList<>();
        for (Jdk jdk : Jdks.all()) {
            for (Probe.Spec spec : Probe.specs()) {
                if (!which.test(spec) || !jdk.runs(spec.name()) || !selected(jdk + " " + spec.name())) {
                    continue;
                }
                // A scenario that cannot exist on this JDK (virtual threads before 21) is no test case there: a skip
                // would read as a test left unproven. What is not run, and why, is said here instead.
                String why = jdk.present() && jdk.feature() > 0 ? spec.notApplicableOn(jdk.feature()) : null;
                if (why != null) {
                    System.out.println("DIFFERENTIAL " + jdk + " " + spec.name() + ": NOT APPLICABLE: " + why);
                    continue;
                }
                result.add(Arguments.of(jdk, spec.name()));
            }
        }
        return result.stream();
    }

    /**
     * Skips a scenario that cannot apply to the JDK (e.g. virtual threads on JDK 8 to 17), saying why; a safety net
     * behind {@link #cases}, which leaves such scenarios out. The reason comes from the JDK's version, never a guess.
     */
    private static void assumeApplicable(Jdk jdk, String scenario, String via) {
        Probe.Spec spec = Probe.specs().stream().filter(s -> s.name().equals(scenario)).findFirst()
                .orElseThrow(() -> new AssertionError("no scenario " + scenario));
        check(jdk.feature() > 0, "cannot tell the Java version of " + jdk.home() + " (no release file, no version in"
                + " java -version)");
        String why = spec.notApplicableOn(jdk.feature());
        if (why != null) {
            System.out.println("DIFFERENTIAL " + jdk + " " + scenario + " via " + via + ": NOT APPLICABLE: " + why);
            Assumptions.abort("NOT APPLICABLE on " + jdk + ": " + why);
        }
    }

    /** {@code -Dsocksudp.it.directOnly=true}: only the direct half of each differential case (see checkDirectOnly). */
    private static void assumeAgentRuns() {
        if (DIRECT_ONLY) {
            Assumptions.abort("socksudp.it.directOnly=true: this test needs the agent");
        }
    }

    /**
     * The direct half alone, for a JDK the agent does not run on yet: the probe finished the scenario without an
     * uncaught exception or its watchdog, and the peer saw it from the probe's own ports. The transcript is printed
     * (and kept in the report) as the baseline the agent must reproduce on this JDK.
     */
    private static void checkDirectOnly(Run direct) {
        List<String> broken = direct.transcript.stream()
                .filter(l -> l.startsWith("OBS uncaught=") || l.startsWith("OBS virtual.uncaught=")
                        || l.startsWith("OBS watchdog="))
                .toList();
        String verdict = "PASS";
        try {
            check(broken.isEmpty(), "the direct run did not complete: " + broken + direct.describe());
            direct.assertFarSide();
        } catch (AssertionError e) {
            verdict = "FAIL " + e.getMessage().lines().findFirst().orElse("");
            throw e;
        } finally {
            System.out.println("DIFFERENTIAL " + direct.jdk + " " + direct.scenario + " direct only: " + verdict);
            direct.transcript.forEach(l -> System.out.println("    " + direct.jdk + " " + direct.scenario + " " + l));
        }
    }

    private static boolean selected(String label) {
        String filter = System.getProperty("socksudp.it.scenarios", "").trim();
        return filter.isEmpty() || Pattern.compile(filter).matcher(label).find();
    }

    // ================================================================= differential cases

    @ParameterizedTest(name = "{0} {1}: direct = agent + reference relay")
    @MethodSource("differentialCases")
    @Timeout(200)
    void referenceRelay(Jdk jdk, String scenario) {
        jdk.assumePresent();
        assumeApplicable(jdk, scenario, Via.REFERENCE_RELAY.name());
        if (DIRECT_ONLY) {
            checkDirectOnly(direct(jdk, scenario));
            return;
        }
        Run direct = direct(jdk, scenario);
        boolean slow = Probe.specs().stream().anyMatch(s -> s.name().equals(scenario) && s.slowProxy());
        Run proxied = run(jdk, scenario, slow ? Via.SLOW_RELAY : Via.REFERENCE_RELAY);
        assertSame(direct, proxied);
    }

    @ParameterizedTest(name = "{0} {1}: direct = agent + Dante")
    @MethodSource("danteCases")
    @Timeout(200)
    void dante(Jdk jdk, String scenario) {
        jdk.assumePresent();
        assumeApplicable(jdk, scenario, Via.DANTE.name());
        assumeAgentRuns();
        startDante();
        Run direct = direct(jdk, scenario);
        Run proxied = run(jdk, scenario, Via.DANTE);
        assertSame(direct, proxied);
    }

    private static synchronized void startDante() {
        if (!danteTried) {
            danteTried = true;
            dante = Dante.start(); // skips loudly without root or danted
        }
        Dante.assumeAvailable();
        check(dante != null, "danted did not start in an earlier case");
    }

    // ================================================================= agent-only contract tests

    /**
     * 65507 bytes is the largest IPv4 UDP payload: direct it goes; with the 10-byte SOCKS header it no longer fits, and
     * the contract asks for the same kind of exception an oversized (65508-byte) datagram gets directly, never a
     * truncated datagram on the wire.
     */
    @ParameterizedTest(name = "{0}: 65507 bytes through the agent fail like an oversized datagram")
    @MethodSource("jdks")
    @Timeout(200)
    void payloadThatNoLongerFitsWithTheHeader(Jdk jdk) {
        jdk.assumePresent();
        assumeAgentRuns();
        Run direct = run(jdk, "limit.65507", Via.DIRECT);
        Run proxied = run(jdk, "limit.65507", Via.REFERENCE_RELAY);
        String socketOversize = direct.obs("socket65508.sent");
        String channelOversize = direct.obs("channel65508.sent");
        check(direct.obs("socket65507.sent").equals("ok") && direct.obs("channel65507.sent").startsWith("65507 "),
                "direct, 65507 bytes must be sendable" + direct.describe());
        check(socketOversize.startsWith("exception:") && channelOversize.startsWith("exception:"),
                "direct, 65508 bytes must fail" + direct.describe());
        direct.assertFarSide();
        proxied.assertFarSide();
        check(proxied.obs("first.received").contains("len=10"), "the agent run's first echo failed" + proxied.describe());
        check(proxied.obs("socket65507.sent").equals(socketOversize), "DatagramSocket.send of 65507 bytes through the"
                + " agent: expected " + socketOversize + " (what a 65508-byte datagram gets directly), got "
                + proxied.obs("socket65507.sent") + proxied.describe());
        check(proxied.obs("channel65507.sent").equals(channelOversize), "DatagramChannel.send of 65507 bytes through"
                + " the agent: expected " + channelOversize + ", got " + proxied.obs("channel65507.sent")
                + proxied.describe());
        List<Integer> big = proxied.peerRx.stream().map(r -> r.len).filter(l -> l > 1000).toList();
        check(big.isEmpty(), "the peer received large datagrams " + big + " from the agent run: sent truncated or"
                + " around the relay" + proxied.describe());
    }

    /**
     * {@code InetSocketAddress.createUnresolved(Probe.PEER_NAME, port)}: direct the JDK refuses it; through the agent it
     * is sent with ATYP 3 and the relay resolves it. Only the relay knows the name (its {@code jdk.net.hosts.file}; on
     * every JDK the probe has no way to resolve it), so a reply proves the name travelled to the relay.
     */
    @ParameterizedTest(name = "{0}: an unresolved host name is resolved by the relay")
    @MethodSource("jdks")
    @Timeout(200)
    void domainNameDestination(Jdk jdk) {
        jdk.assumePresent();
        assumeAgentRuns();
        Run direct = run(jdk, "unresolved.name", Via.DIRECT);
        check(direct.obs("send.sent").equals("exception:java.nio.channels.UnresolvedAddressException"),
                "direct, the JDK should refuse an unresolved address" + direct.describe());
        int relayMark = relay.jvm().stdoutLines().size();
        Run proxied = run(jdk, "unresolved.name", Via.REFERENCE_RELAY);
        proxied.assertFarSide();
        check(proxied.obs("send.sent").startsWith("7 srcPos=7"), "sending to unresolved " + Probe.PEER_NAME + ":"
                + peerPort + " through the agent failed: " + proxied.obs("send.sent") + proxied.describe());
        check(proxied.obs("send.received").startsWith("from=127.0.0.1:PEER pos=7"), "no reply from the peer: "
                + proxied.obs("send.received") + proxied.describe());
        List<String> relayLines = relay.jvm().stdoutLines().subList(relayMark, relay.jvm().stdoutLines().size());
        check(relayLines.stream().anyMatch(l -> l.matches("relay: client 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:"
                + peerPort + " \\(7 bytes\\)")), "the relay did not forward the 7-byte datagram to 127.0.0.1:"
                + peerPort + ": " + relayLines + proxied.describe());
    }

    @ParameterizedTest(name = "{0}: close() releases the association at once")
    @MethodSource("jdks")
    @Timeout(200)
    void closeReleasesTheAssociation(Jdk jdk) {
        jdk.assumePresent();
        assumeAgentRuns();
        assertAssociationReleased(jdk, "lifecycle.close", "CLOSED", Duration.ofSeconds(2));
    }

    @ParameterizedTest(name = "{0}: an unclosed socket gives its association back once collected")
    @MethodSource("jdks")
    @Timeout(200)
    void garbageCollectionReleasesTheAssociation(Jdk jdk) {
        jdk.assumePresent();
        assumeAgentRuns();
        assertAssociationReleased(jdk, "lifecycle.gc", "DROPPED", Duration.ofSeconds(10));
    }

    private void assertAssociationReleased(Jdk jdk, String scenario, String marker, Duration within) {
        int mark = relay.jvm().stdoutLines().size();
        try (ChildJvm probe = probe(jdk, scenario, Via.REFERENCE_RELAY).start()) {
            probe.awaitStdout("^" + marker + "$", Duration.ofSeconds(40));
            List<String> opened = since(relay.jvm(), mark).stream().map(ASSOCIATION::matcher).filter(Matcher::find)
                    .map(m -> m.group(1)).toList();
            check(opened.size() == 1, "expected exactly one association for the probe, the relay shows " + opened,
                    probe, relay);
            String closed = "relay: association " + opened.get(0) + " closed";
            long deadline = System.nanoTime() + within.toNanos();
            while (!since(relay.jvm(), mark).contains(closed) && System.nanoTime() < deadline) {
                sleep(50);
            }
            check(since(relay.jvm(), mark).contains(closed), "the relay did not see association " + opened.get(0)
                    + " closed within " + within.toMillis() + " ms of '" + marker + "'", probe, relay);
            check(probe.isAlive(), "the probe had exited already: the association ended with the JVM, not with the"
                    + " socket", probe, relay);
        }
    }

    /**
     * The suite can fail: an agent that leaves loopback direct (the default bypass list) yields the same transcript as
     * the direct run, and only the far-side check notices. It must.
     */
    @ParameterizedTest(name = "{0}: the far-side check catches datagrams that bypass the relay")
    @MethodSource("jdks")
    @Timeout(200)
    void farSideCheckCatchesABypass(Jdk jdk) {
        jdk.assumePresent();
        assumeAgentRuns();
        Run direct = direct(jdk, "channel.blocking.echo");
        Run bypassed = run(jdk, "channel.blocking.echo", Via.BYPASSED);
        check(direct.transcript.equals(bypassed.transcript), "a bypassed run should look direct" + bypassed.describe());
        AssertionError caught = null;
        try {
            bypassed.assertFarSide();
        } catch (AssertionError e) {
            caught = e;
        }
        check(caught != null && caught.getMessage().contains("the probe's own port"), "the far-side check did not"
                + " notice datagrams sent around the relay" + bypassed.describe());
    }

    // ================================================================= running the probe

    /**
     * BYPASSED: the agent and the reference relay, but loopback bypassed (the default), judged as REFERENCE_RELAY.
     * SLOW_RELAY: the reference relay behind {@link SlowFront} (each handshake answered {@link #SLOW_HANDSHAKE_MILLIS}
     * late), judged as REFERENCE_RELAY.
     */
    enum Via { DIRECT, REFERENCE_RELAY, DANTE, BYPASSED, SLOW_RELAY }

    private static ChildJvm.Builder probe(Jdk jdk, String scenario, Via via, String... jvmArgs) {
        ChildJvm.Builder b = ChildJvm.builder("probe " + jdk + " " + scenario + " " + via).javaHome(jdk.home())
                .classpath(TestEnv.testClasses()).mainClass(Probe.class.getName())
                .jvmArg(jdk.jvmArgs().toArray(new String[0])).jvmArg(jvmArgs)
                .args(scenario, "--peer", String.valueOf(peerPort), "--peer2", String.valueOf(peer2Port));
        switch (via) {
            case REFERENCE_RELAY -> Demos.socksified(b, relay.address()).args("--junk-self");
            case SLOW_RELAY -> Demos.socksified(b, slowRelay.address()).args("--junk-self");
            case DANTE -> Demos.socksified(b, dante.address()).args("--junk-self");
            case BYPASSED -> b.withAgent().sysProp("socksudp.proxy", relay.address());
            default -> { }
        }
        return b;
    }

    private static Run direct(Jdk jdk, String scenario) {
        String key = jdk + " " + scenario;
        synchronized (DIRECT) {
            Run cached = DIRECT.get(key);
            if (cached != null) {
                return cached;
            }
        }
        Run r = run(jdk, scenario, Via.DIRECT);
        synchronized (DIRECT) {
            DIRECT.put(key, r);
        }
        return r;
    }

    private static Run run(Jdk jdk, String scenario, Via via, String... jvmArgs) {
        int peerMark = peer.stdoutLines().size();
        int relayMark = relay.jvm().stdoutLines().size();
        try (ChildJvm probe = probe(jdk, scenario, via, jvmArgs).start()) {
            int code = probe.awaitExit(PROBE_EXIT);
            sleep(150); // the peer prints each datagram before answering; let its output reader catch up
            Run r = new Run(jdk, scenario, via, probe, peerRxSince(peerMark), since(relay.jvm(), relayMark));
            check(code == 0 && probe.stdoutLines().contains("END"), "the probe did not finish (exit " + code + ")"
                    + r.describe());
            return r;
        }
    }

    private static List<PeerRx> peerRxSince(int mark) {
        List<PeerRx> result = new ArrayList<>();
        for (String line : since(peer, mark)) {
            Matcher m = PEER_RX.matcher(line);
            if (m.find()) {
                result.add(new PeerRx(Integer.parseInt(m.group(1)), Demos.lastAddressIn(m.group(2)).getPort(),
                        Integer.parseInt(m.group(3)), line));
            }
        }
        return result;
    }

    private static List<String> since(ChildJvm jvm, int mark) {
        List<String> all = jvm.stdoutLines();
        return all.subList(Math.min(mark, all.size()), all.size());
    }

    record PeerRx(int socket, int port, int len, String line) {}

    /** One probe run: its transcript (OBS lines), local ports, and what the far side saw meanwhile. */
    static final class Run implements Diagnosable {
        final Jdk jdk;
        final String scenario;
        final Via via;
        final ChildJvm probe;
        final List<String> transcript;
        final Set<Integer> locals;
        /** Ports the peer reported seeing the probe at ("SEENAS"), where the probe's JDK could not tell (JDK 8, 11). */
        final Set<Integer> seenAs;
        final List<PeerRx> peerRx;
        final List<String> relayLines;

        Run(Jdk jdk, String scenario, Via via, ChildJvm probe, List<PeerRx> peerRx, List<String> relayLines) {
            this.jdk = jdk;
            this.scenario = scenario;
            this.via = via;
            this.probe = probe;
            this.transcript = probe.stdoutLines().stream().filter(l -> l.startsWith("OBS ")).toList();
            this.locals = probe.stdoutLines().stream().filter(l -> l.startsWith("LOCAL "))
                    .map(l -> Integer.parseInt(l.substring(6).trim())).collect(Collectors.toCollection(LinkedHashSet::new));
            this.seenAs = probe.stdoutLines().stream().filter(l -> l.startsWith("SEENAS "))
                    .map(l -> Integer.parseInt(l.substring(7).trim())).collect(Collectors.toCollection(LinkedHashSet::new));
            this.peerRx = peerRx;
            this.relayLines = relayLines;
        }

        String obs(String key) {
            String prefix = "OBS " + key + "=";
            return transcript.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                    .findFirst().orElse("(no OBS " + key + ")");
        }

        /**
         * The peer heard from this run, and from the right place: direct, from the probe's own ports only; through a
         * relay, never from the probe's own ports and only from the relay's external ports.
         */
        void assertFarSide() {
            check(!peerRx.isEmpty(), "the peer received nothing during this run" + describe());
            Set<Integer> seen = peerRx.stream().map(PeerRx::port).collect(Collectors.toCollection(LinkedHashSet::new));
            switch (via) {
                case DIRECT -> {
                    Set<Integer> own = new LinkedHashSet<>(locals);
                    own.addAll(seenAs);
                    check(own.containsAll(seen), "direct run: the peer saw ports " + seen
                            + " that are not the probe's own " + own + describe());
                }
                case REFERENCE_RELAY, BYPASSED, SLOW_RELAY -> {
                    Set<Integer> external = relay.externalAddresses().stream().map(a -> a.getPort())
                            .collect(Collectors.toSet());
                    for (int p : seenAs) {
                        check(external.contains(p), "the peer says it saw the probe at port " + p + ", not one of"
                                + " the relay's external ports " + external + describe());
                    }
                    for (int p : seen) {
                        check(!locals.contains(p), "the peer saw the probe's own port " + p + ": a datagram went"
                                + " around the relay" + describe());
                        check(external.contains(p), "the peer saw port " + p + ", not one of the relay's external"
                                + " ports " + external + describe());
                    }
                }
                case DANTE -> {
                    for (int p : seen) {
                        check(!locals.contains(p), "the peer saw the probe's own port " + p + ": a datagram went"
                                + " around danted" + describe());
                        Pattern inLog = Pattern.compile("127\\.0\\.0\\.1\\." + p + "(?!\\d)");
                        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                        while (!inLog.matcher(dante.logText()).find() && System.nanoTime() < deadline) {
                            sleep(50);
                        }
                        check(inLog.matcher(dante.logText()).find(), "danted's log does not show port " + p
                                + " that the peer saw" + describe() + "\n--- danted's log:\n" + dante.logText());
                    }
                }
                default -> throw new IllegalStateException();
            }
        }

        @Override
        public String describe() {
            StringBuilder sb = new StringBuilder("\n--- run " + jdk + " " + scenario + " " + via + "\n");
            sb.append(probe.describe()).append("\n--- the peer saw:\n");
            peerRx.forEach(r -> sb.append("    ").append(r.line).append('\n'));
            if (via == Via.REFERENCE_RELAY || via == Via.SLOW_RELAY) {
                sb.append("--- the reference relay printed:\n");
                relayLines.forEach(l -> sb.append("    ").append(l).append('\n'));
            }
            return sb.toString();
        }
    }

    /**
     * Equal transcripts, and both runs right from the far side. All problems are reported together (the transcript
     * difference is what tells an agent author most), and a one-line verdict goes to stdout for summaries.
     */
    private static void assertSame(Run direct, Run proxied) {
        StringBuilder sb = new StringBuilder();
        if (!direct.transcript.equals(proxied.transcript)) {
            sb.append("transcripts differ for ").append(direct.jdk).append(' ').append(direct.scenario)
                    .append(" (- direct, + ").append(proxied.via).append("):\n");
            for (String line : diff(direct.transcript, proxied.transcript)) {
                sb.append("    ").append(line).append('\n');
            }
        }
        for (Run r : List.of(direct, proxied)) {
            try {
                r.assertFarSide();
            } catch (AssertionError e) {
                String first = e.getMessage().lines().findFirst().orElse("");
                sb.append("far side, ").append(r.via).append(": ").append(first).append('\n');
            }
        }
        String verdict = sb.length() == 0 ? "PASS" : "FAIL " + sb.toString().lines()
                .filter(l -> l.startsWith("    + ") || l.startsWith("    - ") || l.startsWith("far side"))
                .map(String::trim).collect(Collectors.joining(" | "));
        System.out.println("DIFFERENTIAL " + direct.jdk + " " + direct.scenario + " via " + proxied.via + ": " + verdict);
        if (sb.length() > 0) {
            throw new AssertionError(sb + direct.describe() + proxied.describe());
        }
    }

    /** A minimal LCS line diff: "  same", "- only in a", "+ only in b". */
    static List<String> diff(List<String> a, List<String> b) {
        int[][] lcs = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                out.add("  " + a.get(i++));
                j++;
            } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
                out.add("+ " + b.get(j++));
            } else {
                out.add("- " + a.get(i++));
            }
        }
        return out;
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
