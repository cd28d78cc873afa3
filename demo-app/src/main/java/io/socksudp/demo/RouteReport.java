package io.socksudp.demo;

import io.socksudp.demo.net.Addresses;
import io.socksudp.demo.relay.RelayCounters;
import io.socksudp.demo.relay.RelayEvent;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.socksudp.demo.net.Addresses.format;

/**
 * Turns what was observed into the demo's closing explanation and verdict. The key observation is the
 * sender address the echo server saw: the client's own socket (direct) or the relay's (proxied).
 */
final class RouteReport {

    enum Mode { EMBEDDED_RELAY, EXTERNAL_PROXY, NO_AGENT }

    /** Everything the demo saw while the client ran. {@code relayCounters} is null without the embedded relay. */
    record Observations(Mode mode, int count, InetSocketAddress echoServer, String proxy, ChildClient.Outcome client,
                        List<InetSocketAddress> serverSources, List<RelayEvent.AssociationOpened> associations,
                        RelayCounters relayCounters) {
    }

    /** The closing lines and the exit code they amount to. */
    record Verdict(List<String> lines, int exitCode) {
    }

    private RouteReport() {
    }

    static Verdict evaluate(Observations seen) {
        List<String> lines = new ArrayList<>();
        String failure = failure(seen, lines);
        if (failure == null) {
            lines.add("demo: OK " + seen.count() + "/" + seen.count() + " datagrams went " + route(seen.mode()));
            return new Verdict(lines, 0);
        }
        lines.add("demo: FAILED " + failure);
        return new Verdict(lines, 1);
    }

    private static String route(Mode mode) {
        return switch (mode) {
            case EMBEDDED_RELAY -> "client -> relay -> server and back";
            case EXTERNAL_PROXY -> "client -> proxy -> server and back";
            case NO_AGENT -> "client -> server and back directly (no agent)";
        };
    }

    /** Adds the explanation to {@code lines}; returns null if everything matched, else what did not. */
    private static String failure(Observations seen, List<String> lines) {
        ChildClient.Outcome client = seen.client();
        if (client.timedOut()) {
            return "the client did not finish in time and was killed";
        }
        if (seen.serverSources().isEmpty()) {
            return "the echo server received nothing (client exit code " + client.exitCode() + ")";
        }
        Set<InetSocketAddress> distinct = new LinkedHashSet<>(seen.serverSources());
        InetSocketAddress saw = seen.serverSources().get(0);
        String sawText = format(saw) + (distinct.size() > 1 ? " (and " + (distinct.size() - 1) + " other)" : "");
        Optional<InetSocketAddress> own = client.localAddress();
        String ownText = own.map(Addresses::format).orElse("(unknown)");
        boolean sawClient = own.isPresent() && Addresses.sameEndpoint(saw, own.get());
        String explanation = switch (seen.mode()) {
            case NO_AGENT -> sawClient
                    ? "the echo server saw " + sawText + ", the client's own socket " + ownText
                            + ": without the agent the datagrams went straight to the server."
                    : "the echo server saw " + sawText + ", not the client's own socket " + ownText + ".";
            case EMBEDDED_RELAY -> explainRelay(seen, saw, sawText, ownText, sawClient);
            case EXTERNAL_PROXY -> sawClient
                    ? "the echo server saw the client's own socket " + ownText + ": the proxy was bypassed."
                    : "the echo server saw " + sawText + ", not the client's own socket " + ownText
                            + ": the datagrams went through the proxy at " + seen.proxy()
                            + ", yet the client saw every reply come from " + format(seen.echoServer()) + ".";
        };
        lines.add("demo: " + explanation);

        if (client.exitCode() != 0 || !client.reportedOk()) {
            return "the client reported a failure (exit code " + client.exitCode() + "; see its lines above)";
        }
        if (seen.serverSources().size() < seen.count()) {
            return "the echo server saw " + seen.serverSources().size() + " of " + seen.count() + " datagrams";
        }
        if (seen.mode() == Mode.NO_AGENT) {
            return sawClient ? null : "the server did not see the client's own address although no agent ran";
        }
        if (sawClient) {
            return "the datagrams bypassed the " + (seen.mode() == Mode.EMBEDDED_RELAY ? "relay" : "proxy")
                    + " (is the agent active? is loopback excluded by socksudp.nonProxyHosts?)";
        }
        if (seen.mode() == Mode.EMBEDDED_RELAY) {
            RelayCounters counters = seen.relayCounters();
            if (counters.datagramsToRemote() < seen.count() || counters.datagramsToClient() < seen.count()) {
                return "the relay passed only " + counters.datagramsToRemote() + " datagrams out and "
                        + counters.datagramsToClient() + " back, expected " + seen.count() + " each way";
            }
        }
        return null;
    }

    private static String explainRelay(Observations seen, InetSocketAddress saw, String sawText, String ownText,
                                       boolean sawClient) {
        if (sawClient) {
            return "the echo server saw the client's own socket " + ownText + ": the datagrams did not use the relay.";
        }
        Optional<RelayEvent.AssociationOpened> association = seen.associations().stream()
                .filter(a -> Addresses.sameEndpoint(saw, a.externalAddress()))
                .findFirst();
        if (association.isEmpty()) {
            return "the echo server saw " + sawText + ", which is neither the client's own socket " + ownText
                    + " nor the relay.";
        }
        return "the echo server saw " + sawText + ", the relay's external socket, not the client's own socket "
                + ownText + "; the client sent to the relay at " + format(association.get().relayAddress())
                + " and yet saw every reply come from " + format(seen.echoServer())
                + ": the agent hid the relay from the program.";
    }
}
