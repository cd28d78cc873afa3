package io.socksudp.it.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

/**
 * shadowsocks-libev on loopback: an {@code ss-server} and the {@code ss-local} in front of it, whose SOCKS5 side (with
 * UDP relaying, {@code -u}) is what a client talks to. Both are this test's own processes, killed on close.
 */
public final class Shadowsocks implements AutoCloseable, Diagnosable {

    public static final Path SS_LOCAL = Paths.get("/usr/bin/ss-local");
    public static final Path SS_SERVER = Paths.get("/usr/bin/ss-server");

    private final ChildProcess server;
    private final ChildProcess local;
    private final int port;

    private Shadowsocks(ChildProcess server, ChildProcess local, int port) {
        this.server = server;
        this.local = local;
        this.port = port;
    }

    /** Skips loudly unless shadowsocks-libev is installed (.ci/run installs it). */
    public static void assumeAvailable() {
        if (!Files.isExecutable(SS_LOCAL) || !Files.isExecutable(SS_SERVER)) {
            String message = "SKIPPED LOUDLY: " + SS_LOCAL + " or " + SS_SERVER + " is missing: install"
                    + " shadowsocks-libev (.ci/run does)";
            System.err.println("WARNING ***** " + message + " *****");
            Assumptions.assumeTrue(false, message);
        }
    }

    public static Shadowsocks start() {
        assumeAvailable();
        int serverPort = Ports.freeTcpPort();
        int localPort = Ports.freeTcpPort();
        String key = "socksudp-test-" + System.nanoTime();
        ChildProcess server = ChildProcess.start("ss-server", List.of(SS_SERVER.toString(), "-s", "127.0.0.1", "-p",
                String.valueOf(serverPort), "-k", key, "-m", "aes-256-gcm", "-u"));
        ChildProcess local = null;
        boolean ok = false;
        try {
            local = ChildProcess.start("ss-local", List.of(SS_LOCAL.toString(), "-s", "127.0.0.1", "-p",
                    String.valueOf(serverPort), "-b", "127.0.0.1", "-l", String.valueOf(localPort), "-k", key, "-m",
                    "aes-256-gcm", "-u"));
            if (!Ports.awaitTcpListening(localPort, Duration.ofSeconds(15))
                    || !Ports.awaitTcpListening(serverPort, Duration.ofSeconds(15))) {
                throw new AssertionError("shadowsocks did not start" + Diagnosable.describeAll(server, local));
            }
            ok = true;
            return new Shadowsocks(server, local, localPort);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            if (!ok) {
                server.close();
                if (local != null) {
                    local.close();
                }
            }
        }
    }

    /** ss-local's SOCKS5 address, 127.0.0.1:PORT. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public String describe() {
        return Diagnosable.describeAll(server, local);
    }

    @Override
    public void close() {
        try {
            local.close();
        } finally {
            server.close();
        }
    }
}
