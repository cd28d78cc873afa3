package io.socksudp.bench;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code java -jar benchmarks/target/benchmarks.jar [JMH options]}: starts the far sides in their own
 * processes (the demo echo server, the reference relay, BenchPeer), then runs each benchmark twice, plain (no
 * agent) and with the agent attached to the fork, back to back, and prints both and their ratio.
 *
 * <p>Every JMH command-line option applies to both runs ({@code -prof gc}, {@code -f}, {@code -wi}, ...);
 * benchmark regexps select among the benchmarks. The agent and demo jars are found next to this jar in the
 * source tree ({@code agent/target/socksudp-agent.jar}, {@code demo-app/target/socksudp-demo.jar}) unless
 * {@code -Dsocksudp.agentJar=} or {@code -Dsocksudp.demoJar=} say otherwise.
 */
public final class Main {

    private static final String PKG = "io\\.socksudp\\.bench\\.";

    /** What runs through which proxy: the isolated benchmarks through BenchPeer's stub, the relay round trip through the reference relay. */
    private static final String[][] GROUPS = {
        {"SendOnly.channel", PKG + "SendOnly\\.channel$", "stub"},
        {"SendOnly.socket", PKG + "SendOnly\\.socket$", "stub"},
        {"ReceiveOnly.channel", PKG + "ReceiveOnly\\.channel$", "stub"},
        {"ReceiveOnly.socket", PKG + "ReceiveOnly\\.socket$", "stub"},
        {"NettyEpoll.send", PKG + "NettyEpoll\\.send$", "stub"},
        {"NettyEpoll.receive", PKG + "NettyEpoll\\.receive$", "stub"},
        {"NettyIoUring.send", PKG + "NettyIoUring\\.send$", "stub"},
        {"NettyIoUring.receive", PKG + "NettyIoUring\\.receive$", "stub"},
        {"RoundTrip.reflectChannel", PKG + "RoundTrip\\.reflectChannel$", "stub"},
        {"RoundTrip.reflectSocket", PKG + "RoundTrip\\.reflectSocket$", "stub"},
        {"RoundTrip.relayChannel", PKG + "RoundTrip\\.relayChannel$", "relay"},
        {"RoundTrip.relaySocket", PKG + "RoundTrip\\.relaySocket$", "relay"},
    };

    private static final List<Process> CHILDREN = new ArrayList<>();

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        for (String a : args) {
            if (a.equals("-h") || a.equals("-l") || a.equals("-lp") || a.equals("-lprof") || a.equals("-lrf")) {
                org.openjdk.jmh.Main.main(args);
                return;
            }
        }
        CommandLineOptions cmd;
        try {
            cmd = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("Error parsing command line: " + e.getMessage());
            System.exit(1);
            return;
        }
        Path root = sourceTree();
        Path agentJar = jar("socksudp.agentJar", root.resolve("agent/target/socksudp-agent.jar"));
        Path demoJar = jar("socksudp.demoJar", root.resolve("demo-app/target/socksudp-demo.jar"));
        Path selfJar = Paths.get(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());

        Runtime.getRuntime().addShutdownHook(new Thread(() -> CHILDREN.forEach(Process::destroy)));
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        int echo = Integer.parseInt(start("echo server", java, "-cp", demoJar.toString(),
                "io.socksudp.demo.echo.EchoServer", "--port", "0")[0]);
        int relay = Integer.parseInt(start("reference relay", java, "-cp", demoJar.toString(),
                "io.socksudp.demo.relay.ReferenceRelay", "--port", "0")[0]);
        String[] peer = start("bench peer", java, "-cp", selfJar.toString(), "io.socksudp.bench.peer.BenchPeer");
        int stub = Integer.parseInt(peer[0]);

        List<String> ports = List.of("-Dbench.echo=" + echo, "-Dbench.sink=" + peer[1],
                "-Dbench.reflect=" + peer[2], "-Dbench.blast=" + peer[3]);
        System.out.printf("far sides: echo server 127.0.0.1:%d, reference relay 127.0.0.1:%d, bench peer: SOCKS stub"
                + " 127.0.0.1:%d, sink %s, reflector %s, blaster %s%n", echo, relay, stub, peer[1], peer[2], peer[3]);

        // Every destination here is 127.0.0.1, so the bypass list must not match it. Empty by default (the
        // matcher's fast path); e.g. -Dbench.nonProxyHosts=*.example measures a list that is consulted and misses.
        String nonProxyHosts = System.getProperty("bench.nonProxyHosts", "");
        Collection<String> userIncludes = cmd.getIncludes();
        Map<String, RunResult[]> results = new LinkedHashMap<>();
        for (String[] group : GROUPS) {
            String regex = group[1];
            if (!userIncludes.isEmpty()) {
                regex = "^(?=.*(?:" + String.join("|", userIncludes) + "))" + ".*" + regex;
            }
            int proxy = group[2].equals("stub") ? stub : relay;
            List<String> agentArgs = new ArrayList<>(List.of("-javaagent:" + agentJar,
                    "-Dsocksudp.proxy=127.0.0.1:" + proxy, "-Dsocksudp.nonProxyHosts=" + nonProxyHosts, "-Dbench.agent=true"));
            agentArgs.addAll(ports);
            Collection<RunResult> plain = run(cmd, regex, ports, "plain " + group[0]);
            Collection<RunResult> agent = run(cmd, regex, agentArgs, "agent " + group[0] + " (proxy: " + group[2] + ")");
            for (RunResult r : plain) {
                results.computeIfAbsent(key(r), k -> new RunResult[2])[0] = r;
            }
            for (RunResult r : agent) {
                results.computeIfAbsent(key(r), k -> new RunResult[2])[1] = r;
            }
        }
        printTable(results);
    }

    private static Collection<RunResult> run(CommandLineOptions cmd, String regex, List<String> forkArgs, String label)
            throws RunnerException {
        System.out.println();
        System.out.println("######## " + label);
        List<String> append = new ArrayList<>();
        if (cmd.getJvmArgsAppend().hasValue()) {
            append.addAll(cmd.getJvmArgsAppend().get());
        }
        append.addAll(forkArgs);
        Options options = new RunOptions(regex).parent(cmd).jvmArgsAppend(append.toArray(new String[0])).build();
        try {
            return new Runner(options).run();
        } catch (NoBenchmarksException e) {
            System.out.println("(none selected)");
            return List.of(); // the command line's regexps leave nothing of this group
        }
    }

    /**
     * The command line's options, but only this run's benchmarks: a plain OptionsBuilder would add the command
     * line's regexps to ours. Serializable, as JMH hands the options to the fork.
     */
    static final class RunOptions extends OptionsBuilder {
        private static final long serialVersionUID = 1L;
        private final String regex;

        RunOptions(String regex) {
            this.regex = regex;
        }

        @Override
        public List<String> getIncludes() {
            return List.of(regex);
        }
    }

    private static String key(RunResult r) {
        String name = r.getParams().getBenchmark().replace("io.socksudp.bench.", "");
        return name + " size=" + r.getParams().getParam("size");
    }

    private static void printTable(Map<String, RunResult[]> results) {
        System.out.println();
        System.out.println("## socksudp: plain vs agent (ops/s: mean ± 99.9% CI half-width; B/op: gc.alloc.rate.norm, needs -prof gc)");
        System.out.println();
        System.out.println("| benchmark | payload | plain ops/s | agent ops/s | agent/plain | plain B/op | agent B/op |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Map.Entry<String, RunResult[]> e : results.entrySet()) {
            RunResult plain = e.getValue()[0];
            RunResult agent = e.getValue()[1];
            RunResult any = plain != null ? plain : agent;
            String name = any.getParams().getBenchmark().replace("io.socksudp.bench.", "");
            String size = any.getParams().getParam("size");
            String ratio = plain != null && agent != null
                    ? String.format(Locale.ROOT, "%.2f", agent.getPrimaryResult().getScore() / plain.getPrimaryResult().getScore())
                    : "";
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", name, size,
                    score(plain == null ? null : plain.getPrimaryResult(), "%.0f"),
                    score(agent == null ? null : agent.getPrimaryResult(), "%.0f"),
                    ratio, score(alloc(plain), "%.1f"), score(alloc(agent), "%.1f"));
        }
    }

    private static Result<?> alloc(RunResult r) {
        return r == null ? null : r.getSecondaryResults().get("gc.alloc.rate.norm");
    }

    private static String score(Result<?> r, String format) {
        if (r == null) {
            return "";
        }
        String s = String.format(Locale.ROOT, format, r.getScore());
        return Double.isNaN(r.getScoreError()) ? s : s + " ± " + String.format(Locale.ROOT, format, r.getScoreError());
    }

    /** Starts a far side, waits for its {@code READY ...} line, then discards its output; returns READY's words. */
    private static String[] start(String what, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        CHILDREN.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + 30_000_000_000L;
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("READY ")) {
                Thread drain = new Thread(() -> discard(p.getInputStream()), what + " output");
                drain.setDaemon(true);
                drain.start();
                return line.substring(6).trim().split(" ");
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        p.destroy();
        throw new IOException(what + " did not print READY: " + String.join(" ", command));
    }

    private static void discard(InputStream in) {
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the child is gone
        }
    }

    /** The source tree this jar was built in: benchmarks/target/benchmarks.jar, two levels up. */
    private static Path sourceTree() throws URISyntaxException {
        Path self = Paths.get(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path target = self.getParent();
        return target.getParent() != null && target.getParent().getParent() != null
                ? target.getParent().getParent() : Paths.get("");
    }

    private static Path jar(String property, Path fallback) {
        Path p = Paths.get(System.getProperty(property, fallback.toString())).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) {
            System.err.println("benchmarks: " + p + " not found; build first (./mvnw -q -B -DskipTests package)"
                    + " or pass -D" + property + "=PATH");
            System.exit(2);
        }
        return p;
    }
}
