package io.socksudp.it.support;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the demo programs of demo-app (socksudp-demo.jar) as child JVMs and reads their output.
 *
 * <p>CLI contract relied upon:
 * <ul>
 * <li>EchoServer --bind 127.0.0.1 --port 0 [--channel]: {@code READY <port>}, then per datagram
 *     {@code echo-server: <n> bytes from <ip:port>}.</li>
 * <li>EchoClient --server HOST:PORT --count N [--size S] [--channel] [--timeout MS]: {@code echo-client: local <addr>},
 *     {@code echo-client: sent ...}, {@code echo-client: reply <n> bytes from <source>},
 *     {@code echo-client: OK N/N replies from <server>} (exit 0) or {@code echo-client: FAILED ...} (exit 1).</li>
 * <li>ReferenceRelay --port 0 [--bind 127.0.0.1] [--user U --password P]: {@code READY <tcpPort>},
 *     {@code relay: association <n> for <tcp peer> relaying on <udp addr> (external <udp addr>)},
 *     {@code relay: client <src> -> <dst> (<n> bytes)}, {@code relay: <src> -> client <dst> (<n> bytes)}.</li>
 * </ul>
 */
public final class Demos {
    private Demos() {}

    public static final String ECHO_SERVER = "io.socksudp.demo.echo.EchoServer";
    public static final String ECHO_CLIENT = "io.socksudp.demo.echo.EchoClient";
    public static final String REFERENCE_RELAY = "io.socksudp.demo.relay.ReferenceRelay";
    public static final String RENDEZVOUS = "io.socksudp.demo.chat.Rendezvous";
    public static final String CHAT_PEER = "io.socksudp.demo.chat.ChatPeer";

    public static final Duration STARTUP = Duration.ofSeconds(30);

    /** An IPv4 or bracketed IPv6 socket address, as the demos print it (an optional "host/" before it is skipped). */
    private static final Pattern SOCKET_ADDRESS =
            Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3}|\\[[0-9a-fA-F:.%\\w]+\\]):(\\d{1,5})");

    /** A child JVM running a demo main class from the demo jar, on the JDK under test ({@link TestEnv#javaHome()}). */
    public static ChildJvm.Builder demo(String name, String mainClass) {
        return ChildJvm.builder(name).classpath(TestEnv.demoJar()).mainClass(mainClass);
    }

    /**
     * A demo program as a fixture (no agent, not under test: echo server, reference relay, rendezvous), on the test
     * JVM's own JDK ({@link TestEnv#fixtureJavaHome()}) whatever JDK is under test.
     */
    public static ChildJvm.Builder fixture(String name, String mainClass) {
        return demo(name, mainClass).javaHome(TestEnv.fixtureJavaHome());
    }

    /** {@link #fixture} inside a NAT lab host's namespace. */
    public static ChildJvm.Builder fixture(NatLab lab, NatLab.Host host, String name, String mainClass) {
        return lab.demo(host, name, mainClass).javaHome(TestEnv.fixtureJavaHome());
    }

    /**
     * Sets the agent on a builder with the proxy at {@code proxy} ("127.0.0.1:port") and an empty bypass list, so
     * that loopback destinations are proxied too (everything in these tests lives on loopback).
     */
    public static ChildJvm.Builder socksified(ChildJvm.Builder b, String proxy) {
        return b.withAgent().sysProp("socksudp.proxy", proxy).sysProp("socksudp.nonProxyHosts", "");
    }

    /** All socket addresses in a line, in order. */
    public static List<InetSocketAddress> addressesIn(String line) {
        List<InetSocketAddress> result = new ArrayList<>();
        Matcher m = SOCKET_ADDRESS.matcher(line);
        while (m.find()) {
            String host = m.group(1);
            if (host.startsWith("[")) {
                host = host.substring(1, host.length() - 1);
            }
            result.add(new InetSocketAddress(host, Integer.parseInt(m.group(2))));
        }
        return result;
    }

    /** The last socket address in a line; fails with the line if there is none. */
    public static InetSocketAddress lastAddressIn(String line) {
        List<InetSocketAddress> all = addressesIn(line);
        if (all.isEmpty()) {
            throw new AssertionError("no socket address in line: " + line);
        }
        return all.get(all.size() - 1);
    }

    // ------------------------------------------------------------------ echo server

    public static EchoServer startEchoServer(boolean channel) {
        ChildJvm.Builder b = fixture(channel ? "echo-server-ch" : "echo-server", ECHO_SERVER)
                .args("--bind", "127.0.0.1", "--port", "0");
        if (channel) {
            b.args("--channel");
        }
        ChildJvm jvm = b.start();
        try {
            Matcher m = jvm.awaitStdout("^READY (\\d+)", STARTUP);
            return new EchoServer(jvm, Integer.parseInt(m.group(1)));
        } catch (RuntimeException | Error e) {
            jvm.close();
            throw e;
        }
    }

    /** An echo server (no agent) inside a NAT lab host's namespace, on that host's address. */
    public static EchoServer startEchoServer(NatLab lab, NatLab.Host host) {
        ChildJvm jvm = fixture(lab, host, "echo-server", ECHO_SERVER).args("--bind", lab.ip(host), "--port", "0").start();
        try {
            Matcher m = jvm.awaitStdout("^READY (\\d+)", STARTUP);
            return new EchoServer(jvm, Integer.parseInt(m.group(1)), lab.ip(host));
        } catch (RuntimeException | Error e) {
            jvm.close();
            throw e;
        }
    }

    /** A running echo server (no agent): the far side whose output proves where datagrams came from. */
    public static final class EchoServer implements AutoCloseable, Diagnosable {
        private static final Pattern DATAGRAM = Pattern.compile("^echo-server: (\\d+) bytes from (.*)$");
        private final ChildJvm jvm;
        private final int port;
        private final String host;

        EchoServer(ChildJvm jvm, int port) {
            this(jvm, port, "127.0.0.1");
        }

        EchoServer(ChildJvm jvm, int port, String host) {
            this.jvm = jvm;
            this.port = port;
            this.host = host;
        }

        public ChildJvm jvm() { return jvm; }

        public int port() { return port; }

        /** "127.0.0.1:port" (or the lab host's address) */
        public String address() { return host + ":" + port; }

        /** Sources of all datagrams the server has reported so far. */
        public List<InetSocketAddress> sources() {
            List<InetSocketAddress> result = new ArrayList<>();
            for (String line : jvm.stdoutLines()) {
                Matcher m = DATAGRAM.matcher(line);
                if (m.find()) {
                    result.add(lastAddressIn(m.group(2)));
                }
            }
            return result;
        }

        /** Sizes of all datagrams the server has reported so far. */
        public List<Integer> sizes() {
            List<Integer> result = new ArrayList<>();
            for (String line : jvm.stdoutLines()) {
                Matcher m = DATAGRAM.matcher(line);
                if (m.find()) {
                    result.add(Integer.parseInt(m.group(1)));
                }
            }
            return result;
        }

        /** Waits until the server reported at least n datagrams; returns their sources. */
        public List<InetSocketAddress> awaitDatagrams(int n, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (sources().size() < n) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("echo server reported " + sources().size() + " datagrams, expected " + n
                            + Diagnosable.describeAll(this));
                }
                sleep(20);
            }
            return sources();
        }

        @Override
        public String describe() { return jvm.describe(); }

        @Override
        public void close() { jvm.close(); }
    }

    // ------------------------------------------------------------------ echo client

    /** An echo client builder (no agent yet: add it with {@link #socksified}). */
    public static ChildJvm.Builder echoClient(String server, int count, boolean channel) {
        ChildJvm.Builder b = demo(channel ? "echo-client-ch" : "echo-client", ECHO_CLIENT)
                .args("--server", server, "--count", String.valueOf(count), "--timeout", "5000");
        if (channel) {
            b.args("--channel");
        }
        return b;
    }

    /** The client's own local socket address from its {@code echo-client: local <addr>} line. */
    public static InetSocketAddress echoClientLocal(ChildJvm client) {
        Matcher m = client.awaitStdout("^echo-client: local (.*)$", STARTUP);
        return lastAddressIn(m.group(1));
    }

    // ------------------------------------------------------------------ reference relay

    public static ReferenceRelay startReferenceRelay() {
        return startReferenceRelay(null, null);
    }

    public static ReferenceRelay startReferenceRelay(String user, String password) {
        return user == null ? startReferenceRelayWith() : startReferenceRelayWith("--user", user, "--password", password);
    }

    /** The reference relay on 127.0.0.1 with extra arguments, e.g. {@code --external ::} (dual-stack far side). */
    public static ReferenceRelay startReferenceRelayWith(String... extraArgs) {
        return startReferenceRelayJvm(b -> b, extraArgs);
    }

    /** {@link #startReferenceRelayWith}, with JVM settings of its own, e.g. {@code b -> b.sysProp(k, v)}. */
    public static ReferenceRelay startReferenceRelayJvm(java.util.function.UnaryOperator<ChildJvm.Builder> settings,
            String... extraArgs) {
        ChildJvm.Builder b = settings.apply(fixture("reference-relay", REFERENCE_RELAY)
                .args("--port", "0", "--bind", "127.0.0.1").args(extraArgs));
        ChildJvm jvm = b.start();
        try {
            Matcher m = jvm.awaitStdout("^READY (\\d+)", STARTUP);
            return new ReferenceRelay(jvm, Integer.parseInt(m.group(1)));
        } catch (RuntimeException | Error e) {
            jvm.close();
            throw e;
        }
    }

    /**
     * The reference relay inside a NAT lab host's namespace, on that host's address and port 1080, with extra
     * arguments (e.g. {@code --misbehave icmp-teardown}).
     */
    public static ReferenceRelay startReferenceRelay(NatLab lab, NatLab.Host host, String... extraArgs) {
        ChildJvm jvm = fixture(lab, host, "reference-relay", REFERENCE_RELAY)
                .args("--bind", lab.ip(host), "--port", "1080").args(extraArgs).start();
        try {
            Matcher m = jvm.awaitStdout("^READY (\\d+)", STARTUP);
            return new ReferenceRelay(jvm, Integer.parseInt(m.group(1)), lab.ip(host));
        } catch (RuntimeException | Error e) {
            jvm.close();
            throw e;
        }
    }

    /** The project's reference SOCKS5 UDP relay. */
    public static final class ReferenceRelay implements AutoCloseable, Diagnosable {
        private static final Pattern ASSOCIATION = Pattern.compile("^relay: association (\\S+) for (\\S+) relaying on (\\S+)(?: \\(external (\\S+)\\))?");
        private static final Pattern CLIENT_TO = Pattern.compile("^relay: client (.*) -> (.*) \\((\\d+) bytes\\)");
        private static final Pattern TO_CLIENT = Pattern.compile("^relay: (.*) -> client (.*) \\((\\d+) bytes\\)");
        private final ChildJvm jvm;
        private final int port;
        private final String host;

        ReferenceRelay(ChildJvm jvm, int port) {
            this(jvm, port, "127.0.0.1");
        }

        ReferenceRelay(ChildJvm jvm, int port, String host) {
            this.jvm = jvm;
            this.port = port;
            this.host = host;
        }

        public ChildJvm jvm() { return jvm; }

        public int port() { return port; }

        public String host() { return host; }

        /** "127.0.0.1:port" (or the lab host's address), the form -Dsocksudp.proxy takes. */
        public String address() { return host + ":" + port; }

        /** The relay's "association N torn down: ..." lines (icmp-teardown). */
        public List<String> teardowns() {
            return jvm.stdoutLines().stream().filter(l -> l.matches("^relay: association \\S+ torn down: .*")).toList();
        }

        /** The UDP relay addresses (BND.ADDR:BND.PORT) of all associations so far ("relaying on <udp addr>"). */
        public List<InetSocketAddress> relayAddresses() {
            return associationAddresses(3);
        }

        /**
         * The addresses remote hosts see datagrams come from, one per association ("(external <addr>)"; the relay
         * address itself when the relay does not print a separate external address).
         */
        public List<InetSocketAddress> externalAddresses() {
            return associationAddresses(4);
        }

        private List<InetSocketAddress> associationAddresses(int group) {
            List<InetSocketAddress> result = new ArrayList<>();
            for (String line : jvm.stdoutLines()) {
                Matcher m = ASSOCIATION.matcher(line);
                if (m.find()) {
                    String text = m.group(group) != null ? m.group(group) : m.group(3);
                    result.add(lastAddressIn(text));
                }
            }
            return result;
        }

        /** [src, dst] of every "relay: client src -> dst" line. */
        public List<List<InetSocketAddress>> clientToPeer() {
            return pairs(CLIENT_TO);
        }

        /** [src, clientDst] of every "relay: src -> client dst" line. */
        public List<List<InetSocketAddress>> peerToClient() {
            return pairs(TO_CLIENT);
        }

        private List<List<InetSocketAddress>> pairs(Pattern p) {
            List<List<InetSocketAddress>> result = new ArrayList<>();
            for (String line : jvm.stdoutLines()) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    result.add(List.of(lastAddressIn(m.group(1)), lastAddressIn(m.group(2))));
                }
            }
            return result;
        }

        @Override
        public String describe() { return jvm.describe(); }

        @Override
        public void close() { jvm.close(); }
    }

    // ------------------------------------------------------------------ chat

    /** The chat's rendezvous (no agent) inside a NAT lab host's namespace, on that host's address. */
    public static Rendezvous startRendezvous(NatLab lab, NatLab.Host host) {
        ChildJvm jvm = fixture(lab, host, "rendezvous", RENDEZVOUS).args("--bind", lab.ip(host), "--port", "0").start();
        try {
            Matcher m = jvm.awaitStdout("^READY (\\d+)", STARTUP);
            return new Rendezvous(jvm, lab.ip(host) + ":" + m.group(1));
        } catch (RuntimeException | Error e) {
            jvm.close();
            throw e;
        }
    }

    /** A running rendezvous; its lines say where each peer registered from ("A registered from ip:port"). */
    public static final class Rendezvous implements AutoCloseable, Diagnosable {
        private final ChildJvm jvm;
        private final String address;

        Rendezvous(ChildJvm jvm, String address) {
            this.jvm = jvm;
            this.address = address;
        }

        public ChildJvm jvm() { return jvm; }

        /** "ip:port" for --rendezvous */
        public String address() { return address; }

        /** Every endpoint a peer registered from, in order. */
        public List<InetSocketAddress> registrations(String name) {
            List<InetSocketAddress> result = new ArrayList<>();
            for (String line : jvm.stdoutLines()) {
                if (line.startsWith("rendezvous: " + name + " registered from ")) {
                    result.add(addressesIn(line).get(0));
                }
            }
            return result;
        }

        @Override
        public String describe() { return jvm.describe(); }

        @Override
        public void close() { jvm.close(); }
    }

    /** A chat peer builder inside a NAT lab host (no agent yet). */
    public static ChildJvm.Builder chatPeer(NatLab lab, NatLab.Host host, Rendezvous rendezvous, String name,
            String peer) {
        return lab.demo(host, "chat-" + name, CHAT_PEER)
                .args("--rendezvous", rendezvous.address(), "--name", name, "--peer", peer);
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
