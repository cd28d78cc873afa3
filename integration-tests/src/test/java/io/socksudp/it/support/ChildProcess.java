package io.socksudp.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A started child process whose stdout and stderr are captured line by line by two reader threads.
 * Tests wait for lines and for exit with timeouts; {@link #close()} always destroys the whole process tree.
 * Every failure thrown from here carries {@link #describe()}, i.e. the child's full captured output.
 */
public class ChildProcess implements AutoCloseable, Diagnosable {

    /** Which captured stream to look at. */
    public enum Stream { STDOUT, STDERR, ANY }

    private static final boolean VERBOSE = Boolean.getBoolean("socksudp.it.verbose");

    private final String name;
    private final List<String> command;
    private final Process process;
    private final Object lock = new Object();
    private final List<String> stdout = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();
    /** Both streams interleaved in arrival order, each line prefixed with "out| " or "err| ". */
    private final List<String> merged = new ArrayList<>();
    private final Thread outReader;
    private final Thread errReader;
    private boolean outOpen = true;
    private boolean errOpen = true;
    private volatile boolean closed;

    protected ChildProcess(String name, List<String> command, ProcessBuilder pb) {
        this.name = name;
        this.command = List.copyOf(command);
        pb.command(this.command);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        try {
            this.process = pb.start();
        } catch (IOException e) {
            throw new AssertionError("could not start child " + name + ": " + String.join(" ", command), e);
        }
        try {
            process.getOutputStream().close(); // no standard input, as in CI
        } catch (IOException ignored) {
            // nothing to do
        }
        outReader = reader(process.getInputStream(), stdout, "out| ", true);
        errReader = reader(process.getErrorStream(), stderr, "err| ", false);
    }

    /** Starts an arbitrary command (not a JVM). */
    public static ChildProcess start(String name, List<String> command) {
        return new ChildProcess(name, command, new ProcessBuilder());
    }

    private Thread reader(InputStream in, List<String> sink, String prefix, boolean isOut) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (VERBOSE) {
                        System.out.println("[" + name + " " + prefix.trim() + "] " + line);
                    }
                    synchronized (lock) {
                        sink.add(line);
                        merged.add(prefix + line);
                        lock.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // stream closed by destroy
            } finally {
                synchronized (lock) {
                    if (isOut) {
                        outOpen = false;
                    } else {
                        errOpen = false;
                    }
                    lock.notifyAll();
                }
            }
        }, "child-" + name + "-" + prefix.trim());
        t.setDaemon(true);
        t.start();
        return t;
    }

    public String name() { return name; }

    public long pid() { return process.pid(); }

    public Process process() { return process; }

    public boolean isAlive() { return process.isAlive(); }

    public List<String> stdoutLines() { synchronized (lock) { return List.copyOf(stdout); } }

    public List<String> stderrLines() { synchronized (lock) { return List.copyOf(stderr); } }

    /** Both streams interleaved, each line prefixed "out| " or "err| ". */
    public List<String> mergedLines() { synchronized (lock) { return List.copyOf(merged); } }

    public String stdoutText() { return String.join("\n", stdoutLines()); }

    public String stderrText() { return String.join("\n", stderrLines()); }

    /** Stdout lines matching the regex (find, not full match). */
    public List<Matcher> stdoutMatches(Pattern pattern) {
        List<Matcher> result = new ArrayList<>();
        for (String line : stdoutLines()) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                result.add(m);
            }
        }
        return result;
    }

    /**
     * Waits for a line matching the predicate, including lines already printed. Fails with the captured output
     * on timeout, or as soon as the stream ended without such a line (the child exited).
     */
    public String awaitLine(Stream stream, Predicate<String> predicate, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int checked = 0;
        synchronized (lock) {
            while (true) {
                List<String> lines = stream == Stream.STDOUT ? stdout : stream == Stream.STDERR ? stderr : merged;
                for (; checked < lines.size(); checked++) {
                    String line = lines.get(checked);
                    if (stream == Stream.ANY) {
                        line = line.substring(5);
                    }
                    if (predicate.test(line)) {
                        return line;
                    }
                }
                boolean ended = stream == Stream.STDOUT ? !outOpen
                        : stream == Stream.STDERR ? !errOpen : !outOpen && !errOpen;
                if (ended) {
                    throw new AssertionError("child " + name + " ended its " + stream
                            + " without printing the awaited line" + Diagnosable.describeAll(this));
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for a line on "
                            + stream + " of child " + name + Diagnosable.describeAll(this));
                }
                try {
                    lock.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for child " + name, e);
                }
            }
        }
    }

    /** Waits for a stdout line in which the regex is found; returns the match so groups can be read. */
    public Matcher awaitStdout(Pattern pattern, Duration timeout) {
        String line = awaitLine(Stream.STDOUT, l -> pattern.matcher(l).find(), timeout);
        Matcher m = pattern.matcher(line);
        if (!m.find()) {
            throw new IllegalStateException("unreachable");
        }
        return m;
    }

    public Matcher awaitStdout(String regex, Duration timeout) {
        return awaitStdout(Pattern.compile(regex), timeout);
    }

    /**
     * Waits for the process to exit and its output to be fully read; returns the exit code. Fails with the
     * captured output on timeout (the process is then destroyed by {@link #close()}, not here).
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("child " + name + " did not exit within " + timeout.toMillis() + " ms"
                        + Diagnosable.describeAll(this));
            }
            // Grandchildren may hold the pipes open; don't wait for them forever.
            outReader.join(5_000);
            errReader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for child " + name, e);
        }
        return process.exitValue();
    }

    /** Waits for exit and asserts the exit code, with the captured output in the failure message. */
    public void assertExitCode(int expected, Duration timeout) {
        int code = awaitExit(timeout);
        if (code != expected) {
            throw new AssertionError("child " + name + " exited with " + code + ", expected " + expected
                    + Diagnosable.describeAll(this));
        }
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("=== child ").append(name).append(" (pid ").append(process.pid()).append(", ");
        sb.append(process.isAlive() ? "still running" : "exit code " + process.exitValue()).append(")\n");
        sb.append("    command: ").append(String.join(" ", command)).append('\n');
        List<String> lines = mergedLines();
        if (lines.isEmpty()) {
            sb.append("    (no output)\n");
        }
        for (String line : lines) {
            sb.append("    ").append(line).append('\n');
        }
        sb.append("=== end of child ").append(name);
        return sb.toString();
    }

    /** Destroys the process and all its descendants: SIGTERM, then SIGKILL after a grace period. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        destroyTree(process.toHandle(), Duration.ofSeconds(3));
        try {
            outReader.join(2_000);
            errReader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills a process and every descendant, gently first; waits for them (bounded). */
    public static void destroyTree(ProcessHandle root, Duration grace) {
        List<ProcessHandle> all = new ArrayList<>();
        root.descendants().forEach(all::add);
        all.add(root);
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle h : all) {
            long left = deadline - System.nanoTime();
            try {
                h.onExit().get(Math.max(1, left), TimeUnit.NANOSECONDS);
            } catch (Exception stillAlive) {
                // killed below
            }
        }
        // Descendants may have been born meanwhile: look again.
        root.descendants().forEach(all::add);
        for (ProcessHandle h : all) {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("WARNING: process " + h.pid() + " survived SIGKILL for 5 s");
            }
        }
    }
}
