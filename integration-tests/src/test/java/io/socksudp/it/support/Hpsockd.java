package io.socksudp.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code hpsockd} (HP's SOCKS5 server) with a configuration of this fixture's own, on loopback or on a NAT
 * lab host. It grants a zero-filled UDP ASSOCIATE and relays its datagrams out, but no reply ever reaches the
 * client's socket (it needs the client's port in the request: CCProxy-like); it refuses an IPv6 DST.ADDR with REP 8.
 *
 * <p>hpsockd daemonizes (the command returns at once; a listener and a worker run detached, as user {@code nobody}),
 * and other tests may run other hpsockd at the same time: its processes are found by their exact command line, which
 * names this fixture's own configuration file in its own temporary directory, and only those are killed on close.
 */
public final class Hpsockd implements AutoCloseable, Diagnosable {

    public static final Path HPSOCKD = Paths.get("/usr/sbin/hpsockd");

    private final Path dir;
    private final Path conf;
    private final String host;
    private final int port;
    private final ChildProcess launcher;

    private Hpsockd(Path dir, Path conf, String host, int port, ChildProcess launcher) {
        this.dir = dir;
        this.conf = conf;
        this.host = host;
        this.port = port;
        this.launcher = launcher;
    }

    /** Skips loudly unless hpsockd is installed and this is root (.ci/run installs it; CI runs as root). */
    public static void assumeAvailable() {
        String missing = !Files.isExecutable(HPSOCKD) ? HPSOCKD + " is missing: install Debian's hpsockd (.ci/run does)"
                : !"root".equals(System.getProperty("user.name")) ? "hpsockd needs root here (it switches to nobody)"
                : null;
        if (missing != null) {
            String message = "SKIPPED LOUDLY: " + missing;
            System.err.println("WARNING ***** " + message + " *****");
            Assumptions.assumeTrue(false, message);
        }
    }

    /** hpsockd on 127.0.0.1. */
    public static Hpsockd start() {
        return start(null, null);
    }

    /** hpsockd on a NAT lab host's address (null lab: 127.0.0.1). */
    public static Hpsockd start(NatLab lab, NatLab.Host labHost) {
        return start(lab, labHost, Ports.freeTcpPort());
    }

    /** hpsockd on 127.0.0.1 and this port (e.g. where another proxy just was: a proxy replaced under a client). */
    public static Hpsockd startOnPort(int port) {
        return start(null, null, port);
    }

    private static Hpsockd start(NatLab lab, NatLab.Host labHost, int port) {
        assumeAvailable();
        Path dir;
        try {
            dir = Files.createTempDirectory("socksudp-hpsockd-");
            // The daemon writes its negotiate file (and usage log) there after switching to nobody.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String address = lab == null ? "127.0.0.1" : lab.ip(labHost);
        Path conf = dir.resolve("hpsockd.conf");
        // "0.0.0.0/0" does not parse in hpsockd 1.x: the two halves of the address space say "anybody".
        String config = String.join("\n",
                "# written by io.socksudp.it.support.Hpsockd",
                "daemon {",
                "  listen-address { " + address + "; };",
                "  port " + port + ";",
                "  directory \"" + dir + "\";",
                "  negotiate-file \"negot_file\";",
                "  user \"nobody\";",
                "};",
                "logging {",
                "  usage-log \"usage.log\";",
                "};",
                // Outgoing sockets bound to the listen address: "host" (the host name's address) is not there in a
                // NAT lab's namespace, and there hpsockd relays nothing out.
                "route {",
                "  { default " + address + " };",
                "};",
                "method-list {",
                "  { number 0; name \"noAuth\"; internal; flags 0; };",
                "};",
                "client-method {",
                "  { src { 0.0.0.0/1; 128.0.0.0/1; }; method { \"noAuth\"; }; };",
                "};",
                "client {",
                "  permit {",
                "    src { 0.0.0.0/1; 128.0.0.0/1; };",
                "    timeout 1h;",
                "  };",
                "};",
                "");
        try {
            Files.writeString(conf, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String[] command = {HPSOCKD.toString(), "-c", conf.toString()};
        ChildProcess launcher = lab == null ? ChildProcess.start("hpsockd", List.of(command))
                : lab.exec(labHost, "hpsockd", command);
        Hpsockd h = new Hpsockd(dir, conf, address, port, launcher);
        boolean ok = false;
        try {
            int code = launcher.awaitExit(Duration.ofSeconds(15));
            boolean listening = lab == null ? Ports.awaitTcpListening(port, Duration.ofSeconds(15))
                    : awaitListeningIn(lab, labHost, port, Duration.ofSeconds(15));
            if (code != 0 || !listening) {
                throw new AssertionError("hpsockd did not start listening on " + address + ":" + port + " (exit "
                        + code + ")" + h.describe());
            }
            ok = true;
            return h;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            if (!ok) {
                h.close();
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

    /** "ADDRESS:PORT", the form -Dsocksudp.proxy takes. */
    public String address() {
        return host + ":" + port;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The pids of this fixture's hpsockd processes: exactly those whose command line names its own config file. */
    public List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        byte[] wanted = String.join("\0", HPSOCKD.toString(), "-c", conf.toString()).getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> procs = Files.list(Paths.get("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    byte[] cmdline = Files.readAllBytes(p.resolve("cmdline"));
                    int length = cmdline.length > 0 && cmdline[cmdline.length - 1] == 0 ? cmdline.length - 1
                            : cmdline.length;
                    if (length == wanted.length && java.util.Arrays.equals(cmdline, 0, length, wanted, 0, length)) {
                        pids.add(Long.parseLong(name));
                    }
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pids;
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder("\n--- hpsockd " + address() + " (config " + conf + ", pids " + pids()
                + ")");
        sb.append(launcher.describe());
        return sb.toString();
    }

    /** Kills exactly this fixture's processes (TERM, then KILL), waits for them, and removes its directory. */
    @Override
    public void close() {
        try {
            launcher.close();
            for (int round = 0; round < 40; round++) {
                List<Long> pids = pids();
                if (pids.isEmpty()) {
                    break;
                }
                for (long pid : pids) {
                    ProcessHandle.of(pid).ifPresent(round < 20 ? ProcessHandle::destroy : ProcessHandle::destroyForcibly);
                }
                Thread.sleep(50);
            }
            if (!pids().isEmpty()) {
                throw new AssertionError("hpsockd processes " + pids() + " of " + conf + " survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!Boolean.getBoolean("socksudp.it.keepTemp")) {
                deleteTree(dir);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files: best effort
        }
    }
}
