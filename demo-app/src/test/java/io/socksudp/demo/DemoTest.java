package io.socksudp.demo;

import io.socksudp.demo.relay.RelayEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class DemoTest {
    record Result(int code, String out, String err) {
    }

    private static Result demo(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Demo.run(args, new PrintStream(out, true), new PrintStream(err, true));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withoutAgentTheServerSeesTheClientItself() {
        Result result = demo("--no-agent", "--channel");
        assertEquals(0, result.code(), result.out());
        assertTrue(result.out().contains("[client] OK 3/3 replies from 127.0.0.1:"), result.out());
        assertTrue(result.out().contains("the client's own socket"), result.out());
        assertTrue(result.out().endsWith("demo: OK 3/3 datagrams went client -> server and back directly (no agent)\n"),
                result.out());
        // Each round trip reads in order: sent, the server's receipt, the reply.
        List<String> story = result.out().lines().filter(l -> l.matches("\\[(client|server)] (sent|reply|\\d).*")).toList();
        assertEquals(9, story.size(), result.out());
        for (int i = 0; i < 9; i += 3) {
            assertTrue(story.get(i).startsWith("[client] sent 6 bytes"), story.get(i));
            assertTrue(story.get(i + 1).startsWith("[server] 6 bytes from 127.0.0.1:"), story.get(i + 1));
            assertTrue(story.get(i + 2).startsWith("[client] reply 6 bytes"), story.get(i + 2));
        }
    }

    @Test
    void missingAgentJarIsExplained() {
        Result result = demo("--agent", "/nonexistent/socksudp-agent.jar");
        assertEquals(1, result.code());
        assertTrue(result.out().startsWith("demo: FAILED agent jar not found (looked for /nonexistent/socksudp-agent.jar)"),
                result.out());
        assertTrue(result.out().contains("./mvnw -q -DskipTests package"), result.out());
    }

    @Test
    void badUsage() {
        for (String[] args : List.of(new String[] {"--no-agent", "--proxy", "127.0.0.1:1080"},
                new String[] {"--proxy", "nonsense"}, new String[] {"--frobnicate"})) {
            Result result = demo(args);
            assertEquals(2, result.code());
            assertEquals(1, result.err().lines().count(), result.err());
        }
    }

    @Test
    void agentCandidatesIncludeThePathBesideTheDemoJar() {
        List<Path> candidates = AgentJarLocator.candidates(Optional.empty(), Path.of("/repo"),
                Optional.of(Path.of("/repo/demo-app/target/socksudp-demo.jar")));
        assertEquals(List.of(Path.of("/repo/agent/target/socksudp-agent.jar"),
                        Path.of("/repo/demo-app/target/../../agent/target/socksudp-agent.jar")),
                candidates);
    }

    @Test
    void transcriptPutsEachRoundTripInOrder() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Transcript transcript = new Transcript(new PrintStream(bytes, true));
        // The in-process lines overtake the child's "sent" line, as they do in real runs.
        transcript.background("[relay ] client a -> b");
        transcript.background("[server] 6 bytes from r");
        transcript.client("sent 6 bytes to b");
        transcript.background("[relay ] b -> client a");
        transcript.client("reply 6 bytes from b");
        transcript.background("[relay ] association 1 closed");
        transcript.client("OK 1/1 replies from b");
        transcript.say("demo: done");
        assertEquals(List.of("[client] sent 6 bytes to b", "[relay ] client a -> b", "[server] 6 bytes from r",
                        "[relay ] b -> client a", "[client] reply 6 bytes from b", "[client] OK 1/1 replies from b",
                        "[relay ] association 1 closed", "demo: done"),
                bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }

    private static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void verdictThroughRelayNeedsTheServerToSeeTheRelay() throws Exception {
        ChildClient.Outcome ok = new ChildClient.Outcome(0, false, Optional.of(at("::", 40000)), true);
        RelayEvent.AssociationOpened association = new RelayEvent.AssociationOpened(1, at("127.0.0.1", 40001),
                at("127.0.0.1", 41000), at("127.0.0.1", 41001));
        InetSocketAddress echo = at("127.0.0.1", 7000);

        RouteReport.Verdict viaRelay = RouteReport.evaluate(new RouteReport.Observations(RouteReport.Mode.EXTERNAL_PROXY,
                3, echo, "127.0.0.1:1080", ok, List.of(at("127.0.0.1", 41001), at("127.0.0.1", 41001),
                at("127.0.0.1", 41001)), List.of(association), null));
        assertEquals(0, viaRelay.exitCode(), viaRelay.lines().toString());
        assertEquals("demo: OK 3/3 datagrams went client -> proxy -> server and back", viaRelay.lines().get(1));

        RouteReport.Verdict bypassed = RouteReport.evaluate(new RouteReport.Observations(RouteReport.Mode.EXTERNAL_PROXY,
                3, echo, "127.0.0.1:1080", ok, List.of(at("127.0.0.1", 40000), at("127.0.0.1", 40000),
                at("127.0.0.1", 40000)), List.of(), null));
        assertEquals(1, bypassed.exitCode());
        assertTrue(bypassed.lines().get(1).startsWith("demo: FAILED the datagrams bypassed the proxy"),
                bypassed.lines().toString());
    }
}
