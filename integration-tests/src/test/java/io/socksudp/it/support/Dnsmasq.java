package io.socksudp.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * A real DNS server, Debian's dnsmasq ({@code /usr/sbin/dnsmasq}, package dnsmasq-base), in the foreground on
 * 127.0.0.1 and a free port, answering ONLY from its own hosts file: no /etc/resolv.conf ({@code --no-resolv}), no
 * upstream server, no /etc/hosts ({@code --no-hosts}), no config file, and the test domain marked local so that
 * nothing in it could ever be forwarded. Every query is logged with its source address and port
 * ({@code --log-queries=extra}), which is what the tests assert from the far side.
 */
public final class Dnsmasq implements AutoCloseable, Diagnosable {

    public static final Path DNSMASQ = Paths.get("/usr/sbin/dnsmasq");
    private static final Pattern QUERY = Pattern.compile("\\d+ (\\S+)/(\\d+) query\\[(\\w+)\\] (\\S+) from ");

    private final Path dir;
    private final Path log;
    private final int port;
    private final ChildProcess process;
    private final String address;

    private Dnsmasq(Path dir, Path log, int port, ChildProcess process) {
        this(dir, log, port, process, "127.0.0.1");
    }

    private Dnsmasq(Path dir, Path log, int port, ChildProcess process, String address) {
        this.dir = dir;
        this.log = log;
        this.port = port;
        this.process = process;
        this.address = address;
    }

    public static void assumeAvailable() {
        if (!Files.isExecutable(DNSMASQ)) {
            String message = "SKIPPED LOUDLY: " + DNSMASQ + " is missing: install Debian's dnsmasq-base (.ci/run does)";
            System.err.println("WARNING ***** " + message + " *****");
            Assumptions.assumeTrue(false, message);
        }
    }

    /** Starts dnsmasq serving exactly these names (name -> IPv4 literal) and waits until it has read them. */
    public static Dnsmasq start(Map<String, String> hosts) {
        assumeAvailable();
        AssertionError last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                return startOnce(hosts);
            } catch (AssertionError e) {
                last = e; // most likely the free port was taken meanwhile
            }
        }
        throw last;
    }

    /**
     * Starts dnsmasq inside a NAT lab host's namespace on that host's address and port 53 (the namespace is the lab's
     * own), answering only from {@code hostsLines} (hosts(5) lines: a name may have several addresses, IPv6 too) for
     * names under {@code localDomain}, over UDP and TCP. Close it before the lab.
     */
    public static Dnsmasq startIn(NatLab lab, NatLab.Host host, List<String> hostsLines, String localDomain) {
        assumeAvailable();
        Path dir;
        try {
            dir = Files.createTempDirectory("socksudp-dnsmasq-");
            Files.writeString(dir.resolve("hosts"), "# written by io.socksudp.it.support.Dnsmasq\n"
                    + String.join("\n", hostsLines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path log = dir.resolve("dnsmasq.log");
        String address = lab.ip(host);
        List<String> cmd = new ArrayList<>(List.of(DNSMASQ.toString(),
                "--keep-in-foreground", "--conf-file=/dev/null", "--pid-file=",
                "--no-resolv", "--no-poll", "--no-hosts", "--addn-hosts=" + dir.resolve("hosts"),
                "--listen-address=" + address, "--bind-interfaces", "--port=53",
                "--log-queries=extra", "--log-facility=" + log, "--cache-size=0",
                "--user=root", "--group=root", "--local=/" + localDomain + "/"));
        ChildProcess p = lab.exec(host, "dnsmasq", cmd.toArray(new String[0]));
        Dnsmasq d = new Dnsmasq(dir, log, 53, p, address);
        d.awaitStarted();
        return d;
    }

    private void awaitStarted() {
        boolean ok = false;
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!logText().contains("names") && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            if (!process.isAlive() || !logText().contains("read " + dir.resolve("hosts"))) {
                throw new AssertionError("dnsmasq did not start on " + address + ":" + port + describe());
            }
            ok = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    private static Dnsmasq startOnce(Map<String, String> hosts) {
        Path dir;
        try {
            dir = Files.createTempDirectory("socksudp-dnsmasq-");
            StringBuilder sb = new StringBuilder("# written by io.socksudp.it.support.Dnsmasq\n");
            hosts.forEach((name, ip) -> sb.append(ip).append(' ').append(name).append('\n'));
            Files.writeString(dir.resolve("hosts"), sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path log = dir.resolve("dnsmasq.log");
        int port = Ports.freeTcpPort();
        List<String> cmd = new ArrayList<>(List.of(DNSMASQ.toString(),
                "--keep-in-foreground", "--conf-file=/dev/null", "--pid-file=",
                "--no-resolv", "--no-poll", "--no-hosts", "--addn-hosts=" + dir.resolve("hosts"),
                "--listen-address=127.0.0.1", "--bind-interfaces", "--port=" + port,
                "--log-queries=extra", "--log-facility=" + log, "--cache-size=0"));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.add("--user=root"); // keep the right to write its log file
            cmd.add("--group=root");
        }
        // Every test name lives under socksudp.test: answer it locally or not at all, never forward.
        cmd.add("--local=/socksudp.test/");
        ChildProcess p = ChildProcess.start("dnsmasq", cmd);
        Dnsmasq d = new Dnsmasq(dir, log, port, p);
        boolean ok = false;
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!d.logText().contains("names") && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            if (!p.isAlive() || !d.logText().contains("read " + dir.resolve("hosts"))) {
                throw new AssertionError("dnsmasq did not start on 127.0.0.1:" + port + d.describe());
            }
            ok = true;
            return d;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            if (!ok) {
                d.close();
            }
        }
    }

    public int port() { return port; }

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(could not read " + log + ": " + e + ")";
        }
    }

    /** A query dnsmasq logged: where it came from and what it asked. */
    public record Query(String sourceIp, int sourcePort, String type, String name) {}

    public List<Query> queries() {
        List<Query> result = new ArrayList<>();
        Matcher m = QUERY.matcher(logText());
        while (m.find()) {
            result.add(new Query(m.group(1), Integer.parseInt(m.group(2)), m.group(3), m.group(4)));
        }
        return result;
    }

    @Override
    public String describe() {
        return "=== dnsmasq on " + address + ":" + port + " (dir " + dir + ")\n--- log:\n" + logText() + "\n"
                + process.describe() + "\n=== end of dnsmasq";
    }

    @Override
    public void close() {
        process.close();
        if (Boolean.getBoolean("socksudp.it.keepTemp")) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
