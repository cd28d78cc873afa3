package io.socksudp.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Assumptions;

/**
 * A small internet in network namespaces with real iptables NAT (DESIGN.md section 5):
 *
 * <pre>
 *   client 10.1.0.2 --- clientnat [10.1.0.1 | 198.51.100.2] ---+
 *                                                              |  wan: bridge br0 (198.51.100.0/24)
 *   peer   10.2.0.2 --- peernat   [10.2.0.1 | 198.51.100.3] ---+--- public 198.51.100.10
 * </pre>
 *
 * The NATs do {@code iptables -t nat -A POSTROUTING -o wan0 -j MASQUERADE} with {@code ip_forward=1}, inside their
 * own namespace only; each can instead rewrite UDP ports ({@code --to-ports A-B}) or randomise them
 * ({@code --random-fully}, a NAT whose mapping depends on the destination). The public host's default route
 * points at {@value #GATEWAY_IP}, which nobody answers for: it cannot reach 10.0.0.0/8, only answer through the
 * NATs. Every name starts with a prefix unique to this lab (pid and
 * counter); {@link #close()} (also run by a shutdown hook) kills whatever still runs inside the lab's namespaces
 * and deletes them, and with them every veth and the bridge. Nothing outside these namespaces is touched.
 */
public final class NatLab implements AutoCloseable, Diagnosable {

    public enum Host {
        CLIENT("client"), CLIENT_NAT("clientnat"), PEER("peer"), PEER_NAT("peernat"), WAN("wan"), PUBLIC("public");

        final String suffix;

        Host(String suffix) {
            this.suffix = suffix;
        }
    }

    /** How a NAT maps ports. */
    public record NatType(String iptablesUdpOptions, String label) {
        /** Plain MASQUERADE: keeps the source port when it is free (Linux conntrack's default). */
        public static final NatType PORT_PRESERVING = new NatType(null, "port-preserving");
        /** MASQUERADE --random-fully: a new random port per destination (a "symmetric" NAT). */
        public static final NatType RANDOM = new NatType("--random-fully", "random ports (--random-fully)");

        /** MASQUERADE --to-ports A-B for UDP: every UDP source port is rewritten into that range. */
        public static NatType portRange(int from, int to) {
            return new NatType("--to-ports " + from + "-" + to, "UDP ports rewritten to " + from + "-" + to);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    public static final String PUBLIC_IP = "198.51.100.10";
    public static final String CLIENT_IP = "10.1.0.2";
    public static final String CLIENT_NAT_IP = "198.51.100.2";
    public static final String PEER_IP = "10.2.0.2";
    public static final String PEER_NAT_IP = "198.51.100.3";
    /** The public host's default gateway: an address on the bridge that nobody has. */
    public static final String GATEWAY_IP = "198.51.100.1";

    private static final Path IP = Paths.get("/usr/sbin/ip");
    private static final Path IPTABLES = Paths.get("/usr/sbin/iptables");
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

    private final String prefix;
    private final Map<Host, String> namespaces = new EnumMap<>(Host.class);
    private final NatType clientNat;
    private final NatType peerNat;
    private final List<String> log = new ArrayList<>();
    private final Thread shutdownHook;
    private Duration setupTime;
    private boolean closed;

    private NatLab(NatType clientNat, NatType peerNat) {
        this.prefix = "sudp" + ProcessHandle.current().pid() + "n" + COUNTER.incrementAndGet() + "-";
        for (Host h : Host.values()) {
            namespaces.put(h, prefix + h.suffix);
        }
        this.clientNat = clientNat;
        this.peerNat = peerNat;
        this.shutdownHook = new Thread(this::closeQuietly, "natlab-cleanup-" + prefix);
    }

    /** Both NATs port-preserving. */
    public static NatLab create() {
        return create(NatType.PORT_PRESERVING, NatType.PORT_PRESERVING);
    }

    /** Skips, loudly, unless root with ip and iptables; otherwise builds the lab (or fails, cleaning up). */
    public static NatLab create(NatType clientNat, NatType peerNat) {
        assumeAvailable();
        NatLab lab = new NatLab(clientNat, peerNat);
        Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
        boolean ok = false;
        try {
            long start = System.nanoTime();
            lab.build();
            lab.setupTime = Duration.ofNanos(System.nanoTime() - start);
            ok = true;
            return lab;
        } finally {
            if (!ok) {
                lab.close();
            }
        }
    }

    /** Skips the calling test, loudly, when namespaces and NAT cannot be set up here. */
    public static void assumeAvailable() {
        unavailable().ifPresent(reason -> {
            String message = "SKIPPED LOUDLY: " + reason;
            System.err.println("WARNING ***** " + message + " *****");
            Assumptions.assumeTrue(false, message);
        });
    }

    /**
     * Why namespaces and NAT cannot be set up here (not root, no ip, no iptables), or empty when they can. The tests
     * skip on it ({@link #assumeAvailable()}); the demo (io.socksudp.it.demo.Story1Demo) refuses with it.
     */
    public static Optional<String> unavailable() {
        String user = System.getProperty("user.name");
        if (!"root".equals(user)) {
            return Optional.of("network namespaces and iptables need root; this runs as " + user);
        }
        if (!Files.isExecutable(IP)) {
            return Optional.of(IP + " is missing: install iproute2 (.ci/run does)");
        }
        if (!Files.isExecutable(IPTABLES)) {
            return Optional.of(IPTABLES + " is missing: install iptables (.ci/run does)");
        }
        return Optional.empty();
    }

    private void build() {
        List<String> s = new ArrayList<>();
        for (Host h : Host.values()) {
            s.add("ip netns add " + ns(h));
            s.add("ip -n " + ns(h) + " link set lo up");
        }
        String wan = ns(Host.WAN);
        s.add("ip -n " + wan + " link add br0 type bridge");
        s.add("ip -n " + wan + " link set br0 up");
        // public host on the bridge
        s.add("ip link add pub netns " + wan + " type veth peer name eth0 netns " + ns(Host.PUBLIC));
        s.add("ip -n " + wan + " link set pub master br0 up");
        s.add("ip -n " + ns(Host.PUBLIC) + " addr add " + PUBLIC_IP + "/24 dev eth0");
        s.add("ip -n " + ns(Host.PUBLIC) + " link set eth0 up");
        // Like any internet host, a default route (to a gateway nobody answers for: nothing leaves the lab). With
        // no route at all, danted would refuse a UDP ASSOCIATE naming a private address with REP 4 instead of
        // accepting it and then dropping everything, which is what a real server on the internet does.
        s.add("ip -n " + ns(Host.PUBLIC) + " route add default via " + GATEWAY_IP);
        nat(s, Host.CLIENT_NAT, Host.CLIENT, "cnat", CLIENT_NAT_IP, "10.1.0.1", CLIENT_IP, clientNat);
        nat(s, Host.PEER_NAT, Host.PEER, "pnat", PEER_NAT_IP, "10.2.0.1", PEER_IP, peerNat);
        Result r = shell(String.join("\n", s), COMMAND_TIMEOUT);
        if (r.code() != 0) {
            throw new AssertionError("could not build the NAT lab (exit " + r.code() + "):\n" + r.output() + describe());
        }
    }

    /** A NAT box between a private host and the bridge. */
    private void nat(List<String> s, Host nat, Host inside, String port, String outsideIp, String insideIp,
                     String hostIp, NatType type) {
        String wan = ns(Host.WAN);
        s.add("ip link add " + port + " netns " + wan + " type veth peer name wan0 netns " + ns(nat));
        s.add("ip -n " + wan + " link set " + port + " master br0 up");
        s.add("ip -n " + ns(nat) + " addr add " + outsideIp + "/24 dev wan0");
        s.add("ip -n " + ns(nat) + " link set wan0 up");
        s.add("ip link add lan0 netns " + ns(nat) + " type veth peer name eth0 netns " + ns(inside));
        s.add("ip -n " + ns(nat) + " addr add " + insideIp + "/24 dev lan0");
        s.add("ip -n " + ns(nat) + " link set lan0 up");
        s.add("ip -n " + ns(inside) + " addr add " + hostIp + "/24 dev eth0");
        s.add("ip -n " + ns(inside) + " link set eth0 up");
        s.add("ip -n " + ns(inside) + " route add default via " + insideIp);
        String exec = "ip netns exec " + ns(nat) + " ";
        s.add(exec + "sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'");
        // Answer every datagram without a mapping with port-unreachable, however many (story 1 counts on them).
        s.add(exec + "sh -c 'echo 0 > /proc/sys/net/ipv4/icmp_ratelimit'");
        if (type.iptablesUdpOptions() != null) {
            s.add(exec + IPTABLES + " -t nat -A POSTROUTING -o wan0 -p udp -j MASQUERADE " + type.iptablesUdpOptions());
        }
        s.add(exec + IPTABLES + " -t nat -A POSTROUTING -o wan0 -j MASQUERADE");
    }

    private String ns(Host h) {
        return namespaces.get(h);
    }

    // ------------------------------------------------------------------------------------------------ API

    /** The namespace name of a host (unique to this lab). */
    public String namespace(Host host) {
        return ns(host);
    }

    /** The prefix every namespace of this lab starts with. */
    public String prefix() {
        return prefix;
    }

    /**
     * A host's address: the private one for client and peer, the outside (public) one for the NATs, the public
     * host's; the wan namespace (a bridge) has none.
     */
    public String ip(Host host) {
        return switch (host) {
            case CLIENT -> CLIENT_IP;
            case CLIENT_NAT -> CLIENT_NAT_IP;
            case PEER -> PEER_IP;
            case PEER_NAT -> PEER_NAT_IP;
            case PUBLIC -> PUBLIC_IP;
            case WAN -> throw new IllegalArgumentException("the wan namespace only holds the bridge");
        };
    }

    public NatType natType(Host nat) {
        return switch (nat) {
            case CLIENT_NAT -> clientNat;
            case PEER_NAT -> peerNat;
            default -> throw new IllegalArgumentException(nat + " is not a NAT");
        };
    }

    /** How long building the lab took. */
    public Duration setupTime() {
        return setupTime;
    }

    /** Starts a process inside a host's namespace ({@code ip netns exec}); close it before the lab. */
    public ChildProcess exec(Host host, String name, String... command) {
        List<String> cmd = new ArrayList<>(List.of(IP.toString(), "netns", "exec", ns(host)));
        cmd.addAll(List.of(command));
        return ChildProcess.start(name + "@" + host.suffix, cmd);
    }

    /**
     * Gives a host its own {@code /etc/NAME} (e.g. {@code resolv.conf}, {@code hosts}): {@code ip netns exec}
     * bind-mounts {@code /etc/netns/NAMESPACE/NAME} over it for every process it starts there (ip-netns(8)). Write it
     * before starting processes there; {@link #close()} deletes the lab's {@code /etc/netns} entries.
     */
    public void etcFile(Host host, String name, String content) {
        try {
            Path dir = Paths.get("/etc/netns", ns(host));
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name), content);
            log.add("wrote " + dir.resolve(name) + ":\n" + content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command inside a host's namespace to completion (bounded), returning its exit code and output. */
    public Result run(Host host, String... command) {
        List<String> cmd = new ArrayList<>(List.of(IP.toString(), "netns", "exec", ns(host)));
        cmd.addAll(List.of(command));
        return run(cmd, COMMAND_TIMEOUT);
    }

    /** A child JVM builder whose JVM runs inside the host's namespace. */
    public ChildJvm.Builder jvm(Host host, String name) {
        return ChildJvm.builder(name + "@" + host.suffix).namespace(ns(host));
    }

    /** A demo-app program (from socksudp-demo.jar) in a child JVM inside the host's namespace. */
    public ChildJvm.Builder demo(Host host, String name, String mainClass) {
        return jvm(host, name).classpath(TestEnv.demoJar()).mainClass(mainClass);
    }

    /** Whether a TCP port is listening inside a host's namespace (per {@code ss}). */
    public boolean tcpListening(Host host, int port) {
        Result r = run(host, "ss", "-Hltn", "sport = :" + port);
        return r.code() == 0 && !r.output().isBlank();
    }

    /** Namespaces of this lab that exist now (after close: none, or something went wrong). */
    public List<String> existingNamespaces() {
        Result r = run(List.of(IP.toString(), "netns", "list"), COMMAND_TIMEOUT);
        List<String> mine = new ArrayList<>();
        for (String line : r.output().split("\n")) {
            String name = line.trim().split(" ")[0];
            if (name.startsWith(prefix)) {
                mine.add(name);
            }
        }
        return mine;
    }

    public record Result(int code, String output) {
    }

    private Result shell(String script, Duration timeout) {
        log.add("$ sh -e <<EOF\n" + script + "\nEOF");
        return run(List.of("/bin/sh", "-ec", script), timeout);
    }

    private Result run(List<String> command, Duration timeout) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[][] holder = new byte[1][];
            Thread reader = new Thread(() -> {
                try {
                    holder[0] = p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    holder[0] = new byte[0];
                }
            }, "natlab-cmd");
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms: " + String.join(" ", command));
            }
            reader.join(5000);
            String output = holder[0] == null ? "" : new String(holder[0], StandardCharsets.UTF_8);
            if (!command.get(0).equals("/bin/sh")) {
                log.add("$ " + String.join(" ", command) + " -> " + p.exitValue());
            }
            return new Result(p.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder("=== NAT lab " + prefix + " (client NAT " + clientNat + ", peer NAT "
                + peerNat + ")\n");
        synchronized (log) {
            for (String line : log) {
                sb.append("    ").append(line.replace("\n", "\n    ")).append('\n');
            }
        }
        return sb.append("=== end of NAT lab ").append(prefix).toString();
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException | Error e) {
            System.err.println("NAT lab " + prefix + ": cleanup failed: " + e);
        }
    }

    /**
     * Kills every process still inside this lab's namespaces (all started by the test, in namespaces it created),
     * then deletes the namespaces; the veths and the bridge go with them. Idempotent; verifies nothing is left.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // running as the hook itself
        }
        for (Host h : Host.values()) {
            Result pids = run(List.of(IP.toString(), "netns", "pids", ns(h)), COMMAND_TIMEOUT);
            if (pids.code() == 0) {
                for (String pid : pids.output().split("\\s+")) {
                    if (!pid.isBlank()) {
                        ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ph -> ChildProcess.destroyTree(ph,
                                Duration.ofSeconds(1)));
                    }
                }
            }
        }
        for (Host h : Host.values()) {
            run(List.of(IP.toString(), "netns", "del", ns(h)), COMMAND_TIMEOUT);
            Path etc = Paths.get("/etc/netns", ns(h));
            if (Files.isDirectory(etc)) {
                try (var files = Files.list(etc)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                    Files.deleteIfExists(etc);
                } catch (IOException e) {
                    System.err.println("NAT lab " + prefix + ": could not delete " + etc + ": " + e);
                }
            }
        }
        List<String> left = existingNamespaces();
        if (!left.isEmpty()) {
            throw new AssertionError("NAT lab namespaces survived deletion: " + left + describe());
        }
    }
}
