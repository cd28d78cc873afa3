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
import java.util.Set;

/**
 * A UDP echo client that knows nothing about SOCKS. It checks what the agent promises an unmodified program:
 * each reply carries the same payload and appears to come from the server itself, never from a relay.
 *
 * <p>Prints one line per step and ends with {@code echo-client: OK n/n ...} (exit 0) or
 * {@code echo-client: FAILED ...} (exit 1) at the first problem.
 */
public final class EchoClient {
    static final String USAGE = "usage: EchoClient --server HOST:PORT [--count N] [--size BYTES] [--channel]"
            + " [--timeout MS] [--bind ADDR] [--interval MS]";
    /** The largest UDP payload IPv4 can carry. */
    static final int MAX_PAYLOAD = 65507;

    private EchoClient() {
    }

    /** What one run is asked to do. {@code size < 0} means the bare text {@code ping <i>}. */
    record Settings(InetSocketAddress server, int count, int size, boolean useChannel, int timeoutMillis,
                    InetSocketAddress bind, int intervalMillis) {
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
        Args args = Args.parse(argv, Set.of("--channel"), Set.of("--server", "--count", "--size", "--timeout", "--bind",
                "--interval"));
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
        return new Settings(server, count, size, args.flag("--channel"), timeout, bind, interval);
    }

    /** Runs the whole exchange; returns null on success, or what went wrong. */
    static String exchange(Settings settings, PrintStream out) {
        String server = Addresses.format(settings.server());
        try (UdpEndpoint endpoint = UdpEndpoint.open(settings.bind(), settings.useChannel())) {
            out.println("echo-client: local " + Addresses.format(endpoint.localAddress()) + " (" + endpoint.kind() + ")");
            byte[] buffer = new byte[65536];
            for (int i = 1; i <= settings.count(); i++) {
                if (i > 1 && settings.intervalMillis() > 0) {
                    // Lets an observer (the demo) finish telling one round trip before the next begins.
                    Thread.sleep(settings.intervalMillis());
                }
                byte[] payload = payload(i, settings.size());
                endpoint.send(payload, payload.length, settings.server());
                out.println("echo-client: sent " + payload.length + " bytes to " + server);
                UdpEndpoint.Received reply;
                try {
                    reply = endpoint.receive(buffer, settings.timeoutMillis());
                } catch (SocketTimeoutException e) {
                    return "no reply to datagram " + i + " within " + settings.timeoutMillis() + " ms ("
                            + (i - 1) + "/" + settings.count() + " replies)";
                }
                out.println("echo-client: reply " + reply.length() + " bytes from " + Addresses.format(reply.source()));
                // The agent's contract: the program sees the remote peer, never the relay.
                if (!settings.server().equals(reply.source())) {
                    return "reply " + i + " came from " + Addresses.format(reply.source()) + ", expected " + server;
                }
                if (!Arrays.equals(payload, 0, payload.length, buffer, 0, reply.length())) {
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
