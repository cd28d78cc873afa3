package io.socksudp.demo.echo;

import io.socksudp.demo.cli.Args;
import io.socksudp.demo.cli.UsageException;
import io.socksudp.demo.net.Addresses;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A UDP echo client that knows nothing about SOCKS. It checks what the agent promises an unmodified program:
 * each reply carries the same payload and appears to come from the server itself, never from a relay.
 *
 * <p>Prints one line per step and ends with {@code echo-client: OK n/n ...} (exit 0) or
 * {@code echo-client: FAILED ...} (exit 1) at the first problem.
 */
public final class EchoClient {
    static final String USAGE = "usage: EchoClient --server HOST:PORT [--count N] [--size BYTES] [--channel]"
            + " [--timeout MS] [--bind ADDR] [--interval MS] [--attempts N] [--first-send-to HOST:PORT]";
    /** The largest UDP payload IPv4 can carry. */
    static final int MAX_PAYLOAD = 65507;

    private EchoClient() {
    }

    /** What one run is asked to do. {@code size < 0} means the bare text {@code ping <i>}. */
    static final class Settings {
        private final InetSocketAddress server;
        private final int count;
        private final int size;
        private final boolean useChannel;
        private final int timeoutMillis;
        private final InetSocketAddress bind;
        private final int intervalMillis;
        private final int attempts;
        private final InetSocketAddress firstSendTo;

        Settings(InetSocketAddress server, int count, int size, boolean useChannel, int timeoutMillis,
                 InetSocketAddress bind, int intervalMillis, int attempts, InetSocketAddress firstSendTo) {
            this.server = server;
            this.count = count;
            this.size = size;
            this.useChannel = useChannel;
            this.timeoutMillis = timeoutMillis;
            this.bind = bind;
            this.intervalMillis = intervalMillis;
            this.attempts = attempts;
            this.firstSendTo = firstSendTo;
        }

        Settings(InetSocketAddress server, int count, int size, boolean useChannel, int timeoutMillis,
                 InetSocketAddress bind, int intervalMillis) {
            this(server, count, size, useChannel, timeoutMillis, bind, intervalMillis, 1, null);
        }

        InetSocketAddress server() { return server; }

        int count() { return count; }

        int size() { return size; }

        boolean useChannel() { return useChannel; }

        int timeoutMillis() { return timeoutMillis; }

        InetSocketAddress bind() { return bind; }

        int intervalMillis() { return intervalMillis; }

        int attempts() { return attempts; }

        InetSocketAddress firstSendTo() { return firstSendTo; }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] argv, PrintStream out, PrintStream err) {
        Settings settings;
        try {
            settings = parse(argv);
        } catch (UsageException | IOException | IllegalArgumentException e) {
            err.println("echo-client: " + e.getMessage() + "; " + USAGE);
            return 2;
        }
        String failure = exchange(settings, out);
        out.println(failure == null
                ? "echo-client: OK " + settings.count() + "/" + settings.count() + " replies from "
                        + Addresses.format(settings.server())
                : "echo-client: FAILED " + failure);
        out.flush();
        return failure == null ? 0 : 1;
    }

    static Settings parse(String[] argv) throws UsageException, IOException {
        Args args = Args.parse(argv, Args.names("--channel"), Args.names("--server", "--count", "--size", "--timeout", "--bind",
                "--interval", "--attempts", "--first-send-to"));
        InetSocketAddress server = Addresses.parseHostPort(args.required("--server"));
        if (server.getPort() == 0) {
            throw new UsageException("--server needs a non-zero port");
        }
        int count = args.intValue("--count", 3, 1, 1_000_000);
        int size = args.intValue("--size", -1, 0, MAX_PAYLOAD);
        int timeout = args.intValue("--timeout", 3000, 1, 3_600_000);
        int interval = args.intValue("--interval", 0, 0, 3_600_000);
        InetAddress bindIp = args.value("--bind").isPresent()
                ? InetAddress.getByName(args.value("--bind").get())
                : null;
        // No --bind: the wildcard address and an ephemeral port, as an ordinary program would get.
        InetSocketAddress bind = bindIp == null ? new InetSocketAddress(0) : new InetSocketAddress(bindIp, 0);
        int attempts = args.intValue("--attempts", 1, 1, 1000);
        InetSocketAddress firstSendTo = args.value("--first-send-to").isPresent()
                ? Addresses.parseHostPort(args.value("--first-send-to").get())
                : null;
        return new Settings(server, count, size, args.flag("--channel"), timeout, bind, interval, attempts,
                firstSendTo);
    }

    /** Runs the whole exchange; returns null on success, or what went wrong. */
    static String exchange(Settings settings, PrintStream out) {
        String server = Addresses.format(settings.server());
        try (UdpEndpoint endpoint = UdpEndpoint.open(settings.bind(), settings.useChannel())) {
            out.println("echo-client: local " + Addresses.format(endpoint.localAddress()) + " (" + endpoint.kind() + ")");
            byte[] buffer = new byte[65536];
            if (settings.firstSendTo() != null) {
                // e.g. a closed port, whose ICMP port-unreachable some relays take as the end of the association
                byte[] probe = "probe".getBytes(StandardCharsets.US_ASCII);
                endpoint.send(probe, probe.length, settings.firstSendTo());
                out.println("echo-client: sent " + probe.length + " bytes to "
                        + Addresses.format(settings.firstSendTo()) + " first");
                Thread.sleep(200);
            }
            for (int i = 1; i <= settings.count(); i++) {
                if (i > 1 && settings.intervalMillis() > 0) {
                    // Lets an observer (the demo) finish telling one round trip before the next begins.
                    Thread.sleep(settings.intervalMillis());
                }
                byte[] payload = payload(i, settings.size());
                UdpEndpoint.Received reply = null;
                for (int attempt = 1; reply == null; attempt++) {
                    try {
                        endpoint.send(payload, payload.length, settings.server());
                        out.println("echo-client: sent " + payload.length + " bytes to " + server
                                + (attempt > 1 ? " (attempt " + attempt + ")" : ""));
                        reply = receiveFrom(endpoint, buffer, settings, payload, out);
                    } catch (SocketTimeoutException e) {
                        if (attempt >= settings.attempts()) {
                            return "no reply to datagram " + i + " within " + settings.timeoutMillis() + " ms"
                                    + (attempt > 1 ? " in each of " + attempt + " attempts" : "") + " ("
                                    + (i - 1) + "/" + settings.count() + " replies)";
                        }
                        out.println("echo-client: no reply within " + settings.timeoutMillis() + " ms, resending");
                    } catch (IOException e) {
                        if (attempt >= settings.attempts()) {
                            throw e;
                        }
                        out.println("echo-client: " + e + ", retrying in " + settings.timeoutMillis() + " ms");
                        Thread.sleep(settings.timeoutMillis());
                    }
                }
                out.println("echo-client: reply " + reply.length() + " bytes from " + Addresses.format(reply.source()));
                // The agent's contract: the program sees the remote peer, never the relay.
                if (!settings.server().equals(reply.source())) {
                    return "reply " + i + " came from " + Addresses.format(reply.source()) + ", expected " + server;
                }
                if (!samePayload(payload, buffer, reply.length())) {
                    return "reply " + i + " differs from what was sent (sent " + payload.length + " bytes, got "
                            + reply.length() + ")";
                }
            }
            return null;
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * The next datagram; with several attempts allowed, a late echo of an earlier datagram (another payload) is
     * skipped rather than taken for this one's reply.
     */
    private static UdpEndpoint.Received receiveFrom(UdpEndpoint endpoint, byte[] buffer, Settings settings,
                                                    byte[] payload, PrintStream out) throws IOException {
        while (true) {
            UdpEndpoint.Received reply = endpoint.receive(buffer, settings.timeoutMillis());
            if (settings.attempts() > 1 && settings.server().equals(reply.source())
                    && !samePayload(payload, buffer, reply.length())) {
                out.println("echo-client: skipped a late reply (" + reply.length() + " bytes) to an earlier datagram");
                continue;
            }
            return reply;
        }
    }

    /** Whether the first {@code length} bytes of {@code buffer} are exactly {@code payload}. */
    private static boolean samePayload(byte[] payload, byte[] buffer, int length) {
        return length == payload.length && Arrays.equals(payload, Arrays.copyOf(buffer, length));
    }

    /**
     * Datagram {@code i}: the text {@code ping <i>}, or exactly {@code size} bytes starting with it and padded
     * with a running alphabet, so that a truncated or shifted echo cannot compare equal by accident.
     */
    static byte[] payload(int i, int size) {
        byte[] text = ("ping " + i).getBytes(StandardCharsets.US_ASCII);
        if (size < 0) {
            return text;
        }
        byte[] payload = new byte[size];
        for (int k = 0; k < size; k++) {
            payload[k] = k < text.length ? text[k] : (byte) (k == text.length ? ' ' : 'a' + k % 26);
        }
        return payload;
    }
}
