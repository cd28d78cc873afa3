package io.socksudp.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * A real Dante SOCKS5 server ({@code /usr/sbin/danted}, Debian dante-server 1.4.2) on 127.0.0.1, with its own
 * config, pid file and log in a fresh temp directory.
 *
 * <p>danted is started through {@code setsid} so that it leads a process group of its own: its mother process
 * forks monitor, negotiate, request and io children (whose titles replace their command lines), and
 * {@link #close()} kills the whole group, then checks that no live process of the group remains.
 */
public final class Dante implements AutoCloseable, Diagnosable {

    public static final Path DANTED = Paths.get("/usr/sbin/danted");
    /** The system account that .ci/run creates for RFC 1929 tests. */
    public static final String TEST_USER = "socksudptest";
    public static final String TEST_PASSWORD = "socksudp-test-pw";

    public enum Auth { NONE, USERNAME }

    private final Auth auth;
    private final NatLab lab;
    private final NatLab.Host labHost;

    private final Path dir;
    private final Path conf;
    private final Path log;
    private final Path pidFile;
    private final int port;
    private final ChildProcess process;
    private final String host;
    private boolean closed;

    private Dante(Path dir, Path conf, Path log, Path pidFile, int port, ChildProcess process, String host,
                  Auth auth, NatLab lab, NatLab.Host labHost) {
        this.auth = auth;
        this.lab = lab;
        this.labHost = labHost;
        this.dir = dir;
        this.conf = conf;
        this.log = log;
        this.pidFile = pidFile;
        this.port = port;
        this.process = process;
        this.host = host;
    }

    /** Skips the calling test, loudly, when danted cannot be run here (not installed, or not root). */
    public static void assumeAvailable() {
        loudAssumption(Files.isExecutable(DANTED),
                DANTED + " is missing: install Debian's dante-server (.ci/run does)");
        loudAssumption(Files.isExecutable(Paths.get("/usr/bin/setsid")), "/usr/bin/setsid is missing (util-linux)");
        loudAssumption("root".equals(System.getProperty("user.name")),
                "danted needs root here (user.privileged: root), the tests run as " + System.getProperty("user.name"));
    }

    /** Skips with the reason on the test report AND on stderr, so that a skip never goes unnoticed in a log. */
    private static void loudAssumption(boolean condition, String reason) {
        if (!condition) {
            String message = "SKIPPED LOUDLY: " + reason;
            System.err.println("WARNING ***** " + message + " *****");
            Assumptions.assumeTrue(false, message);
        }
    }

    /** Skips, loudly, when the RFC 1929 test account does not exist (.ci/run creates it). */
    public static void assumeTestUserExists() {
        boolean exists;
        try {
            exists = Files.readAllLines(Paths.get("/etc/passwd"), StandardCharsets.UTF_8).stream()
                    .anyMatch(l -> l.startsWith(TEST_USER + ":"));
        } catch (IOException e) {
            exists = false;
        }
        loudAssumption(exists, "system user " + TEST_USER
                + " is absent; create it as .ci/run does (useradd + chpasswd with password " + TEST_PASSWORD + ")");
    }

    public static Dante start() {
        return start(Auth.NONE);
    }

    /** Starts danted and waits until its TCP port accepts connections. Skips when danted can't run here. */
    public static Dante start(Auth auth) {
        assumeAvailable();
        AssertionError last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                return startOnce(auth, Ports.freeTcpPort());
            } catch (AssertionError e) {
                last = e; // most likely the free port was taken meanwhile; try another
            }
        }
        throw last;
    }

    /**
     * Starts danted on 127.0.0.1 at a given port, e.g. to bring back a proxy that was stopped for good (a new
     * fixture, a new temp directory and log), as a restarted server looks to its clients.
     */
    public static Dante startOn(int port) {
        assumeAvailable();
        return startOnce(Auth.NONE, port);
    }

    /**
     * The ports of danted's own UDP relay sockets so far, from its per-datagram log lines
     * ({@code udpassociate -: CLIENT RELAY-INTERNAL -> RELAY-EXTERNAL DESTINATION}, the middle two): a datagram the far
     * side saw from a port not in here did not come through this danted (the client's own port is never in it).
     */
    public java.util.Set<Integer> relayPortsInLog() {
        java.util.Set<Integer> ports = new java.util.HashSet<>();
        java.util.regex.Matcher line = java.util.regex.Pattern.compile(
                "udpassociate -: \\S+\\.(\\d+) \\S+\\.(\\d+) -> \\S+\\.(\\d+) \\S+\\.(\\d+)").matcher("");
        for (String l : logText().split("\n")) {
            line.reset(l);
            if (line.find()) {
                ports.add(Integer.parseInt(line.group(2)));
                ports.add(Integer.parseInt(line.group(3)));
            }
        }
        return ports;
    }

    /**
     * When danted relayed its first datagram, in epoch milliseconds (its log stamps each line with the epoch time in
     * microseconds: {@code (1796495912.362363)}); -1 if it has relayed none yet.
     */
    public long firstDatagramRelayedMillis() {
        java.util.regex.Pattern stamp = java.util.regex.Pattern.compile("\\((\\d+)\\.(\\d{6})\\)");
        for (String l : logText().split("\n")) {
            if (l.contains("udpassociate -:")) {
                java.util.regex.Matcher m = stamp.matcher(l);
                if (m.find()) {
                    return Long.parseLong(m.group(1)) * 1000 + Long.parseLong(m.group(2)) / 1000;
                }
            }
        }
        return -1;
    }

    /** How many UDP associations danted's log shows begun so far (its {@code udpassociate [:} lines). */
    public long udpAssociations() {
        return java.util.Arrays.stream(logText().split("\n")).filter(l -> l.contains("udpassociate [:")).count();
    }

    /**
     * Starts danted inside a NAT lab host's namespace, with internal and external on that host's address and port
     * 1080 (the namespace is the lab's own, so the port is free). Close it before the lab.
     */
    public static Dante startIn(NatLab lab, NatLab.Host labHost) {
        return startIn(lab, labHost, Auth.NONE);
    }

    public static Dante startIn(NatLab lab, NatLab.Host labHost, Auth auth) {
        assumeAvailable();
        return startOnce(auth, 1080, lab, labHost);
    }

    /**
     * Stops this danted (all its processes) and starts a fresh one on the same address and port: a proxy
     * restart, as clients see it. The returned fixture replaces this one.
     */
    public Dante restart(Duration downtime) throws InterruptedException {
        close();
        Thread.sleep(downtime.toMillis());
        return startOnce(auth, port, lab, labHost);
    }

    private static Dante startOnce(Auth auth, int port) {
        return startOnce(auth, port, null, null);
    }

    private static Dante startOnce(Auth auth, int port, NatLab lab, NatLab.Host labHost) {
        Path dir;
        try {
            dir = Files.createTempDirectory("socksudp-dante-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String address = lab == null ? "127.0.0.1" : lab.ip(labHost);
        Path conf = dir.resolve("danted.conf");
        Path log = dir.resolve("danted.log");
        Path pid = dir.resolve("danted.pid");
        String method = auth == Auth.USERNAME ? "username" : "none";
        String config = String.join("\n",
                "# written by io.socksudp.it.support.Dante",
                "logoutput: " + log,
                "internal: " + address + " port = " + port,
                "external: " + address,
                "clientmethod: none",
                "socksmethod: " + method,
                "user.privileged: root",
                "user.unprivileged: nobody",
                "client pass {",
                "  from: 0/0 to: 0/0",
                "  log: error connect disconnect",
                "}",
                "socks pass {",
                "  from: 0/0 to: 0/0",
                "  socksmethod: " + method,
                "  log: error connect disconnect iooperation",
                "}",
                "");
        try {
            Files.writeString(conf, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Foreground (no -D), one negotiate child to start with; setsid: a process group of its own.
        String[] command = {"/usr/bin/setsid", DANTED.toString(), "-f", conf.toString(), "-p", pid.toString(), "-N", "1"};
        // In a namespace: ip execs setsid, which execs danted, so the pid is still the process group's id.
        ChildProcess p = lab == null ? ChildProcess.start("danted", List.of(command))
                : lab.exec(labHost, "danted", command);
        Dante d = new Dante(dir, conf, log, pid, port, p, address, auth, lab, labHost);
        boolean ok = false;
        try {
            // "Dante/server[1/1] v1.4.2 running" comes once the mother has forked its first children.
            boolean listening = lab == null ? Ports.awaitTcpListening(port, Duration.ofSeconds(15))
                    : awaitListeningIn(lab, labHost, port, Duration.ofSeconds(15));
            if (!listening || !d.awaitLog(" running", Duration.ofSeconds(15)) || !p.isAlive()) {
                throw new AssertionError("danted did not start listening on " + address + ":" + port + d.describe());
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

    private static boolean awaitListeningIn(NatLab lab, NatLab.Host labHost, int port, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (lab.tcpListening(labHost, port)) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    public int port() { return port; }

    /** The address danted listens and relays on: 127.0.0.1, or the lab host's address. */
    public String host() { return host; }

    /** "127.0.0.1:port", the form -Dsocksudp.proxy takes. */
    public String address() { return host() + ":" + port; }

    public Path directory() { return dir; }

    public Path configFile() { return conf; }

    /** The mother process id (the process group id of all danted processes of this fixture). */
    public long pid() { return process.pid(); }

    /** danted's log file as it is now. */
    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no log file " + log + ")";
        } catch (IOException e) {
            return "(could not read " + log + ": " + e + ")";
        }
    }

    /** Waits until danted's log contains the text; false on timeout (danted writes it slightly after the fact). */
    public boolean awaitLog(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            if (logText().contains(text)) {
                return true;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return logText().contains(text);
    }

    /** Live (non-zombie) processes of this fixture's process group, with their titles ("danted: io-child: ..."). */
    public List<String> liveProcesses() {
        List<String> result = new ArrayList<>();
        long pgid = process.pid();
        try (Stream<Path> procs = Files.list(Paths.get("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    // pid (comm) state ppid pgrp ... ; comm may contain spaces: parse after the last ')'
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    String state = f[0];
                    long pgrp = Long.parseLong(f[2]);
                    if (pgrp == pgid && !"Z".equals(state) && !"X".equals(state)) {
                        String title = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                                .replace('\0', ' ').trim();
                        result.add(p.getFileName() + " " + title);
                    }
                } catch (IOException | RuntimeException gone) {
                    // exited meanwhile
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }

    /**
     * SIGKILLs danted's io children only: they relay the UDP (and TCP) data, so every association they serve dies
     * at once while the mother survives and forks new ones. Returns the killed pids.
     */
    public List<Long> killIoChildren() {
        List<Long> killed = new ArrayList<>();
        for (String proc : liveProcesses()) {
            if (proc.contains("io-child")) {
                long pid = Long.parseLong(proc.substring(0, proc.indexOf(' ')));
                ProcessHandle.of(pid).ifPresent(h -> {
                    h.destroyForcibly();
                    killed.add(pid);
                });
            }
        }
        return killed;
    }

    /**
     * Aborts every TCP connection to danted's port on loopback with {@code ss -K} (SOCK_DESTROY: the client's socket
     * fails with ECONNABORTED and danted gets a reset, so it ends the association and closes its relay port), the
     * way a middlebox or a proxy restart kills control connections, without killing any of danted's processes
     * (danted stops forking children for 10 s after 10 child deaths in 4 s). Only connections to this fixture's
     * own port are touched. Returns how many were aborted. Loopback fixtures only.
     */
    public int abortControlConnections() {
        if (lab != null) {
            throw new IllegalStateException("abortControlConnections works on loopback fixtures only");
        }
        try {
            Process ss = new ProcessBuilder("ss", "-K", "-n", "-t", "dst", host, "dport", "=", ":" + port)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (ss.waitFor() != 0) {
                throw new IllegalStateException("ss -K failed: " + out);
            }
            return (int) out.lines().filter(l -> l.startsWith("ESTAB")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String describe() {
        return "=== danted on " + host + ":" + port + " (dir " + dir + ")\n--- config:\n" + readQuietly(conf)
                + "\n--- log:\n" + logText() + "\n--- live processes: " + liveProcesses() + "\n"
                + process.describe() + "\n=== end of danted";
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Kills the whole process group (TERM, then KILL) and verifies that nothing of it survives. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long pgid = process.pid();
        signalGroup("TERM", pgid);
        waitForGroupGone(Duration.ofSeconds(2));
        if (!liveProcesses().isEmpty()) {
            signalGroup("KILL", pgid);
        }
        process.close();
        waitForGroupGone(Duration.ofSeconds(5));
        List<String> survivors = liveProcesses();
        if (!survivors.isEmpty()) {
            throw new AssertionError("danted processes of this fixture survived SIGKILL: " + survivors);
        }
        deleteRecursively(dir);
    }

    private void waitForGroupGone(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!liveProcesses().isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void signalGroup(String signal, long pgid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + pgid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            kill.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (IOException e) {
            // fall back on per-process kills in ChildProcess.close()
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteRecursively(Path root) {
        if (Boolean.getBoolean("socksudp.it.keepTemp")) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
