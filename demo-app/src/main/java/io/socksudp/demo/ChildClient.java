package io.socksudp.demo;

import io.socksudp.demo.net.Addresses;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the echo client in a child JVM, as a user would run any unmodified program under the agent, and
 * feeds its output (stdout and stderr, so the agent's own messages show too) into the transcript.
 */
final class ChildClient {
    static final String PREFIX = "echo-client: ";

    /** What the run showed. {@code localAddress} is empty if the client never said. */
    record Outcome(int exitCode, boolean timedOut, Optional<InetSocketAddress> localAddress, boolean reportedOk) {
    }

    private ChildClient() {
    }

    static Outcome run(List<String> command, Transcript transcript, Duration timeout)
            throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close(); // the client reads nothing
        LineReader reader = new LineReader(process, transcript);
        Thread thread = new Thread(reader, "child-client-output");
        thread.setDaemon(true);
        thread.start();
        boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        thread.join(2000); // the rest of its output, which the pipe may still hold
        return new Outcome(finished ? process.exitValue() : -1, !finished, reader.localAddress(), reader.reportedOk());
    }

    /** Forwards lines and picks out the two the verdict needs. */
    private static final class LineReader implements Runnable {
        private final Process process;
        private final Transcript transcript;
        private volatile InetSocketAddress localAddress;
        private volatile boolean reportedOk;

        LineReader(Process process, Transcript transcript) {
            this.process = process;
            this.transcript = transcript;
        }

        @Override
        public void run() {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    String text = line.startsWith(PREFIX) ? line.substring(PREFIX.length()) : line;
                    if (text.startsWith("local ")) {
                        localAddress = parseLocal(text);
                    } else if (text.startsWith("OK ")) {
                        reportedOk = true;
                    }
                    transcript.client(text);
                }
            } catch (IOException e) {
                transcript.client("(output lost: " + e.getMessage() + ")");
            }
        }

        /** {@code local [::]:40000 (DatagramSocket)}. */
        private static InetSocketAddress parseLocal(String text) {
            String address = text.substring("local ".length()).split(" ", 2)[0];
            try {
                return Addresses.parseHostPort(address);
            } catch (IOException | IllegalArgumentException e) {
                return null;
            }
        }

        Optional<InetSocketAddress> localAddress() {
            return Optional.ofNullable(localAddress);
        }

        boolean reportedOk() {
            return reportedOk;
        }
    }
}
