package io.socksudp.demo;

import io.socksudp.demo.cli.Args;
import io.socksudp.demo.cli.UsageException;
import io.socksudp.demo.echo.EchoClient;
import io.socksudp.demo.echo.EchoServer;
import io.socksudp.demo.net.Addresses;
import io.socksudp.demo.relay.ReferenceRelay;
import io.socksudp.demo.relay.RelayEvent;
import io.socksudp.demo.relay.RelayOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Shows the agent's job in one run: a plain UDP echo client, in a child JVM under the agent, talks to an echo
 * server through a SOCKS5 relay, and neither program knows. Each datagram is traced client -> relay -> server
 * and back, and the closing lines point out what gives the relay away: the address the server sees.
 */
public final class Demo {
    static final String USAGE = "usage: java -jar socksudp-demo.jar [--agent PATH | --no-agent] [--channel]"
            + " [--proxy HOST:PORT]";
    static final int COUNT = 3;
    static final int INTERVAL_MILLIS = 100;
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    /** The command line, parsed. */
    record Options(Optional<Path> agent, boolean noAgent, boolean channel, Optional<String> proxy) {
        RouteReport.Mode mode() {
            if (noAgent) {
                return RouteReport.Mode.NO_AGENT;
            }
            return proxy.isPresent() ? RouteReport.Mode.EXTERNAL_PROXY : RouteReport.Mode.EMBEDDED_RELAY;
        }
    }

    private Demo() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] argv, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = parse(argv);
        } catch (UsageException | IOException | IllegalArgumentException e) {
            err.println("demo: " + e.getMessage() + "; " + USAGE);
            return 2;
        }
        Optional<Path> agentJar = Optional.empty();
        if (!options.noAgent()) {
            List<Path> candidates = AgentJarLocator.candidates(options.agent(), Path.of(""),
                    AgentJarLocator.demoLocation());
            agentJar = AgentJarLocator.locate(candidates);
            if (agentJar.isEmpty()) {
                out.println("demo: FAILED agent jar not found (looked for "
                        + candidates.stream().map(p -> p.toAbsolutePath().normalize().toString())
                                .distinct().collect(Collectors.joining(", "))
                        + "); build it with ./mvnw -q -DskipTests package, or pass --agent PATH");
                return 1;
            }
        }
        try {
            return new Demo().show(options, agentJar, new Transcript(out));
        } catch (IOException e) {
            out.println("demo: FAILED " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("demo: FAILED interrupted");
            return 1;
        }
    }

    static Options parse(String[] argv) throws UsageException, IOException {
        Args args = Args.parse(argv, Set.of("--channel", "--no-agent"), Set.of("--agent", "--proxy"));
        boolean noAgent = args.flag("--no-agent");
        if (noAgent && (args.value("--agent").isPresent() || args.value("--proxy").isPresent())) {
            throw new UsageException("--no-agent cannot be combined with --agent or --proxy");
        }
        Optional<String> proxy = args.value("--proxy");
        if (proxy.isPresent()) {
            Addresses.parseHostPort(proxy.get()); // fail early, with a usage error, on a malformed HOST:PORT
        }
        return new Options(args.value("--agent").map(Path::of), noAgent, args.flag("--channel"), proxy);
    }

    private int show(Options options, Optional<Path> agentJar, Transcript transcript)
            throws IOException, InterruptedException {
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        List<InetSocketAddress> serverSources = Collections.synchronizedList(new ArrayList<>());
        List<RelayEvent.AssociationOpened> associations = Collections.synchronizedList(new ArrayList<>());
        RouteReport.Mode mode = options.mode();

        try (EchoServer server = EchoServer.start(new InetSocketAddress(loopback, 0), false, (length, source) -> {
                serverSources.add(source);
                transcript.background(Transcript.SERVER + EchoServer.describe(length, source));
            });
             ReferenceRelay relay = mode == RouteReport.Mode.EMBEDDED_RELAY
                     ? ReferenceRelay.start(RelayOptions.builder().bindAddress(loopback).eventSink(event -> {
                         if (event instanceof RelayEvent.AssociationOpened opened) {
                             associations.add(opened);
                         }
                         transcript.background(Transcript.RELAY + event.describe());
                     }).build())
                     : null) {
            transcript.say("demo: echo server (plain UDP, knows nothing of SOCKS) on " + Addresses.format(server.address()));
            String proxy = switch (mode) {
                case EMBEDDED_RELAY -> Addresses.format(relay.address());
                case EXTERNAL_PROXY -> options.proxy().get();
                case NO_AGENT -> null;
            };
            if (mode == RouteReport.Mode.EMBEDDED_RELAY) {
                transcript.say("demo: reference SOCKS5 relay, control connections on " + proxy);
            } else if (mode == RouteReport.Mode.EXTERNAL_PROXY) {
                transcript.say("demo: external SOCKS5 proxy at " + proxy + " (its relaying is not shown)");
            }
            List<String> command = clientCommand(options, agentJar, proxy, server.address());
            transcript.say("demo: starting the echo client in a child JVM "
                    + (agentJar.isPresent() ? "with the agent" : "without the agent") + ":");
            transcript.say("demo:   " + String.join(" ", command));

            ChildClient.Outcome outcome = ChildClient.run(command, transcript, CLIENT_TIMEOUT);
            if (outcome.timedOut()) {
                transcript.say("demo: the client did not finish within " + CLIENT_TIMEOUT.toSeconds() + " s: killed");
            }
            if (relay != null) {
                awaitAssociationsClosed(relay);
            }
            RouteReport.Verdict verdict = RouteReport.evaluate(new RouteReport.Observations(mode, COUNT,
                    server.address(), proxy, outcome, List.copyOf(serverSources), List.copyOf(associations),
                    relay == null ? null : relay.counters()));
            verdict.lines().forEach(transcript::say);
            return verdict.exitCode();
        }
    }

    /** The client's control connection closes when its JVM exits; give the relay a moment to report it. */
    private static void awaitAssociationsClosed(ReferenceRelay relay) throws InterruptedException {
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        while (relay.counters().associationsClosed() < relay.counters().associationsOpened()
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    static List<String> clientCommand(Options options, Optional<Path> agentJar, String proxy,
                                      InetSocketAddress echoServer) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        agentJar.ifPresent(jar -> {
            command.add("-javaagent:" + jar);
            command.add("-Dsocksudp.proxy=" + proxy);
            // Everything runs on this machine, so loopback must be proxied too (it is bypassed by default).
            command.add("-Dsocksudp.nonProxyHosts=");
        });
        command.add("-cp");
        command.add(AgentJarLocator.demoLocation().map(Path::toString)
                .orElse(System.getProperty("java.class.path")));
        command.add(EchoClient.class.getName());
        command.add("--server");
        command.add(Addresses.format(echoServer));
        command.add("--count");
        command.add(String.valueOf(COUNT));
        // A pause between datagrams keeps each round trip's lines together in the transcript.
        command.add("--interval");
        command.add(String.valueOf(INTERVAL_MILLIS));
        if (options.channel()) {
            command.add("--channel");
        }
        return command;
    }

    /** The same java that runs the demo, so the child gets the same JDK. */
    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
