package io.socksudp.it.support;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Assertions shared by the end-to-end tests; every failure message carries all fixtures' output. */
public final class Checks {
    private Checks() {}

    public static final Duration CLIENT_EXIT = Duration.ofSeconds(60);

    public static void check(boolean condition, String what, Diagnosable... context) {
        if (!condition) {
            throw new AssertionError(what + Diagnosable.describeAll(context));
        }
    }

    /** The echo client exited 0 after printing {@code echo-client: OK n/n}. */
    public static void assertEchoClientOk(ChildJvm client, int count, Diagnosable... context) {
        int code = client.awaitExit(CLIENT_EXIT);
        Diagnosable[] all = with(client, context);
        check(code == 0, "echo client exited with " + code + ", expected 0", all);
        check(client.stdoutLines().stream().anyMatch(l -> l.startsWith("echo-client: OK " + count + "/" + count)),
                "echo client did not print 'echo-client: OK " + count + "/" + count + "'", all);
    }

    /**
     * The client failed (non-zero exit) with a message about authentication, and the echo server received nothing:
     * nothing was sent around the proxy.
     */
    public static void assertAuthFailureAndNothingSent(ChildJvm client, Demos.EchoServer server,
            Diagnosable... context) {
        int code = client.awaitExit(CLIENT_EXIT);
        Diagnosable[] all = with(client, with(server, context));
        check(code != 0, "echo client with wrong credentials exited 0", all);
        Pattern auth = Pattern.compile("(?i)auth|credential|username|password|1929");
        check(client.mergedLines().stream().anyMatch(l -> auth.matcher(l).find()),
                "the client's output does not mention the authentication failure", all);
        Demos.sleep(500); // a datagram sent directly would have arrived by now
        check(server.sources().isEmpty(), "the echo server received datagrams although authentication failed: "
                + server.sources(), all);
    }

    /** Every datagram the server saw came from one of the given ports, and none from the client's own port. */
    public static void assertServerSawOnlyRelay(List<InetSocketAddress> sources, Set<Integer> relayPorts,
            InetSocketAddress clientLocal, Diagnosable... context) {
        check(!sources.isEmpty(), "the echo server saw no datagram", context);
        for (InetSocketAddress s : sources) {
            check(s.getPort() != clientLocal.getPort(), "the echo server saw a datagram from the client's own port "
                    + clientLocal.getPort() + " (sent directly, not through the relay): " + s, context);
            check(relayPorts.contains(s.getPort()), "the echo server saw a datagram from " + s
                    + ", not from the relay's UDP port(s) " + relayPorts, context);
        }
    }

    public static Set<Integer> ports(List<InetSocketAddress> addresses) {
        return addresses.stream().map(InetSocketAddress::getPort).collect(Collectors.toSet());
    }

    private static Diagnosable[] with(Diagnosable first, Diagnosable... rest) {
        Diagnosable[] all = new Diagnosable[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
