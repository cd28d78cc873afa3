package io.socksudp.it;

import static io.socksudp.it.support.Checks.check;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Dante;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.Demos.EchoServer;
import io.socksudp.it.support.Demos.ReferenceRelay;
import io.socksudp.it.support.Diagnosable;
import io.socksudp.it.support.Jdks;
import io.socksudp.it.support.Jdks.Jdk;
import io.socksudp.it.support.TestEnv;

/**
 * Credentials and configuration the way JVM operators give them (issue 16), against danted with the RFC 1929 test
 * account and the reference relay with a password full of URL-reserved characters: the socks5:// URL, the password
 * file (and its permission check), the environment variable, an Authenticator installed in main (and one answering
 * null), the password gone from the system properties once read (jcmd), socksProxyVersion=4, and a SecurityManager
 * on JDK 8, 11 and 17. No child's output, and no danted log, may ever hold a password.
 */
@Timeout(120)
class CredentialsIT {

    private static final String APP = "io.socksudp.it.app.AuthEcho";
    /** The reference relay's password: every character a URL reserves, a comma, a non-ASCII letter. */
    private static final String RELAY_USER = "relay-user";
    private static final String RELAY_PASSWORD = "p@ss:w/rd,%ä#?";

    private static EchoServer server;
    private static ReferenceRelay relay;
    private static final List<Diagnosable> CHILDREN = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = Demos.startEchoServer(false);
        relay = Demos.startReferenceRelay(RELAY_USER, RELAY_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (relay != null) {
            relay.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static Stream<Jdk> securityManagerJdks() {
        return Jdks.all("test,11,8").stream().filter(j -> j.jvmArgs().isEmpty());
    }

    // ------------------------------------------------------------------------------------------------ the sources

    @Test
    void aSocks5UrlWithPercentEncodedCredentialsThroughTheRelay() {
        String url = "socks5://" + encode(RELAY_USER) + ":" + encode(RELAY_PASSWORD) + "@" + relay.address();
        try (ChildJvm app = app().sysProp("socksudp.proxy", url).start()) {
            expectEcho(app, relay);
        }
    }

    @Test
    void aSocks5UrlThroughDante() {
        Dante.assumeTestUserExists();
        try (Dante dante = Dante.start(Dante.Auth.USERNAME);
             ChildJvm app = app().sysProp("socksudp.proxy", "socks5://" + Dante.TEST_USER + ":"
                     + Dante.TEST_PASSWORD + "@" + dante.address()).start()) {
            expectEcho(app, dante);
            check(!dante.logText().contains(Dante.TEST_PASSWORD), "danted's log holds the password", dante);
        }
    }

    @Test
    void aPasswordFileWithTheUserInTheUrl() throws IOException {
        Dante.assumeTestUserExists();
        Path file = passwordFile(Dante.TEST_PASSWORD + "\n", "rw-------");
        try (Dante dante = Dante.start(Dante.Auth.USERNAME);
             ChildJvm app = app().sysProp("socksudp.proxy", "socks5://" + Dante.TEST_USER + "@" + dante.address())
                     .sysProp("socksudp.passwordFile", file.toString()).start()) {
            expectEcho(app, dante);
        }
    }

    @Test
    void aPasswordFileOthersMayReadStopsTheStartInOneSentence() throws IOException {
        Path file = passwordFile(RELAY_PASSWORD + "\n", "rw-r--r--");
        try (ChildJvm app = app().sysProp("socksudp.proxy", relay.address()).sysProp("socksudp.username", RELAY_USER)
                .sysProp("socksudp.passwordFile", file.toString()).start()) {
            String line = refusal(app);
            check(line.contains("socksudp.passwordFile") && line.contains("every user of this machine may read")
                    && line.contains("chmod 600"), "expected the permission problem named, got: " + line, app);
        }
    }

    @Test
    void theEnvironmentVariables() {
        try (ChildJvm app = app().sysProp("socksudp.proxy", relay.address()).env("SOCKSUDP_USERNAME", RELAY_USER)
                .env("SOCKSUDP_PASSWORD", RELAY_PASSWORD).start()) {
            expectEcho(app, relay);
        }
    }

    // ------------------------------------------------------------------------------------------------ Authenticator

    @Test
    void anAuthenticatorInstalledInMainIsAskedAsTheJdkAsksIt() {
        Dante.assumeTestUserExists();
        try (Dante dante = Dante.start(Dante.Auth.USERNAME);
             ChildJvm app = app().sysProp("socksudp.proxy", dante.address())
                     .args("--authenticator", Dante.TEST_USER, Dante.TEST_PASSWORD).start()) {
            expectEcho(app, dante);
            String asked = app.stdoutLines().stream().filter(l -> l.startsWith("AUTHENTICATOR ")).findFirst()
                    .orElse("none");
            // java.net.SocksSocketImpl: requestPasswordAuthentication(host, address, port, "SOCKS5",
            // "SOCKS authentication", null), a SERVER request
            String expected = "AUTHENTICATOR host=" + dante.host() + " address=/" + dante.host() + " port="
                    + dante.port() + " protocol=SOCKS5 prompt=SOCKS authentication scheme=null type=SERVER";
            check(asked.equals(expected), "the Authenticator was asked '" + asked + "', expected '" + expected + "'",
                    app, dante);
        }
    }

    @Test
    void anAuthenticatorThroughTheRelay() {
        try (ChildJvm app = app().sysProp("socksudp.proxy", relay.address())
                .args("--authenticator", RELAY_USER, RELAY_PASSWORD).start()) {
            expectEcho(app, relay);
        }
    }

    @Test
    void anAuthenticatorAnsweringNullGivesTheClearErrorAndSendsNothing() {
        int before = server.sources().size();
        try (ChildJvm app = app().sysProp("socksudp.proxy", relay.address()).args("--authenticator-null").start()) {
            int code = app.awaitExit(Duration.ofSeconds(60));
            Diagnosable[] all = {app, relay, server};
            check(code == 1, "expected ECHO FAILED (exit 1), got " + code, all);
            String failed = app.stdoutLines().stream().filter(l -> l.startsWith("ECHO FAILED")).findFirst()
                    .orElse("none");
            check(failed.contains("accepts none of the offered authentication methods")
                    && failed.contains("no java.net.Authenticator gave a user name and password"),
                    "expected the clear error, got " + failed, all);
            check(app.stdoutLines().stream().anyMatch(l -> l.startsWith("AUTHENTICATOR ")),
                    "the Authenticator was never asked", all);
            Demos.sleep(300);
            check(server.sources().size() == before, "the echo server got a datagram", all);
            noPassword(app);
        }
    }

    // ------------------------------------------------------------------------------------------------ visibility

    @Test
    void thePasswordPropertiesAreGoneFromTheRunningJvm() throws Exception {
        Dante.assumeTestUserExists();
        try (Dante dante = Dante.start(Dante.Auth.USERNAME);
             ChildJvm app = app().sysProp("socksudp.proxy", dante.address())
                     .sysProp("socksudp.username", Dante.TEST_USER).sysProp("socksudp.password", Dante.TEST_PASSWORD)
                     .args("--hold").start();
             ChildJvm url = app().sysProp("socksudp.proxy", "socks5://" + Dante.TEST_USER + ":"
                     + Dante.TEST_PASSWORD + "@" + dante.address()).args("--hold").start()) {
            for (ChildJvm jvm : List.of(app, url)) {
                jvm.awaitStdout("^HOLDING$", Duration.ofSeconds(60));
                check(jvm.stdoutLines().stream().anyMatch(l -> l.startsWith("ECHO OK")), "no echo", jvm, dante);
                String properties = jcmd(jvm.pid(), "VM.system_properties");
                check(properties.contains("socksudp.proxy="), "jcmd did not list the properties: " + properties, jvm);
                check(!properties.contains(Dante.TEST_PASSWORD), "jcmd VM.system_properties still shows the password",
                        jvm);
                check(!properties.contains("socksudp.password="), "socksudp.password is still a system property",
                        jvm);
            }
            check(jcmd(url.pid(), "VM.system_properties").contains("socksudp.proxy=socks5\\://" + Dante.TEST_USER
                    + "@"), "the URL should keep its user without the password", url);
            // documented: the command line itself is the JVM's, and still shows a -D password
            check(jcmd(app.pid(), "VM.command_line").contains(Dante.TEST_PASSWORD), "VM.command_line no longer"
                    + " shows -Dsocksudp.password: the README's warning about it would be wrong", app);
        }
    }

    // ------------------------------------------------------------------------------------------------ refusals

    @Test
    void socksProxyVersion4StopsTheStart() {
        try (ChildJvm app = ChildJvm.builder("auth-echo").withAgent().classpath(TestEnv.testClasses()).mainClass(APP)
                .args(server.address()).sysProp("socksProxyHost", "127.0.0.1")
                .sysProp("socksProxyPort", String.valueOf(relay.port())).sysProp("socksProxyVersion", "4")
                .sysProp("socksudp.nonProxyHosts", "").start()) {
            String line = refusal(app);
            check(line.contains("socksProxyVersion '4' asks for SOCKS4") && line.contains("SOCKS5 only"),
                    "expected the SOCKS4 refusal, got: " + line, app);
        }
    }

    // ------------------------------------------------------------------------------------------------ SecurityManager

    @ParameterizedTest(name = "{0}: agent jar AllPermission, application restricted")
    @MethodSource("securityManagerJdks")
    void aRestrictedApplicationBesideATrustedAgent(Jdk jdk) throws IOException {
        jdk.assumePresent();
        Path policy = policy(true, true, jdk.feature() <= 11);
        try (ChildJvm app = app(jdk).sysProp("socksudp.proxy", relay.address()).sysProp("socksudp.username",
                RELAY_USER).env("SOCKSUDP_PASSWORD", RELAY_PASSWORD).jvmArg("-Djava.security.manager")
                .sysProp("java.security.policy", "=" + policy).start()) {
            expectEcho(app, relay);
            noStackTrace(app);
        }
    }

    @ParameterizedTest(name = "{0}: an Authenticator asked under a SecurityManager")
    @MethodSource("securityManagerJdks")
    void theAuthenticatorUnderASecurityManager(Jdk jdk) throws IOException {
        jdk.assumePresent();
        Path policy = policy(true, true, jdk.feature() <= 11);
        try (ChildJvm app = app(jdk).sysProp("socksudp.proxy", relay.address()).jvmArg("-Djava.security.manager")
                .sysProp("java.security.policy", "=" + policy).args("--authenticator", RELAY_USER, RELAY_PASSWORD)
                .start()) {
            expectEcho(app, relay);
        }
    }

    @ParameterizedTest(name = "{0}: the default policy stops the start in one sentence")
    @MethodSource("securityManagerJdks")
    void theDefaultPolicyStopsTheStartInOneSentence(Jdk jdk) {
        jdk.assumePresent();
        try (ChildJvm app = app(jdk).sysProp("socksudp.proxy", relay.address()).jvmArg("-Djava.security.manager")
                .start()) {
            String line = refusal(app);
            check(line.contains("java.security.AllPermission") && line.contains("grant codeBase \"file:"
                    + TestEnv.agentJar().toAbsolutePath()), "expected the permission and the policy line, got: "
                    + line, app);
        }
    }

    @Test
    void jdk17ASecurityManagerInstalledInMain() throws IOException {
        Path policy = policy(true, true, false);
        try (ChildJvm app = app(new Jdk("test", TestEnv.javaHome())).sysProp("socksudp.proxy", relay.address())
                .env("SOCKSUDP_USERNAME", RELAY_USER).env("SOCKSUDP_PASSWORD", RELAY_PASSWORD)
                .sysProp("java.security.manager", "allow").sysProp("java.security.policy", "=" + policy)
                .args("--security-manager").start()) {
            expectEcho(app, relay);
            noStackTrace(app);
        }
        Path untrusted = policy(false, true, false);
        try (ChildJvm app = app(new Jdk("test", TestEnv.javaHome())).sysProp("socksudp.proxy", relay.address())
                .sysProp("java.security.manager", "allow").sysProp("java.security.policy", "=" + untrusted)
                .args("--security-manager").start()) {
            String line = refusal(app);
            check(line.contains("java.security.AllPermission") && line.contains("grant codeBase \"file:"
                    + TestEnv.agentJar().toAbsolutePath()), "expected the permission and the policy line, got: "
                    + line, app);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private ChildJvm.Builder app() {
        return app(new Jdk("test", TestEnv.javaHome()));
    }

    private ChildJvm.Builder app(Jdk jdk) {
        return ChildJvm.builder("auth-echo").javaHome(jdk.home()).withAgent().classpath(TestEnv.testClasses())
                .mainClass(APP).args(server.address()).sysProp("socksudp.nonProxyHosts", "");
    }

    /** ECHO OK, relayed (the server saw the datagram from the proxy's side, not the app's own port), no password. */
    private static void expectEcho(ChildJvm app, Diagnosable proxy) {
        Diagnosable[] all = {app, proxy, server};
        app.awaitStdout("^ECHO (OK|FAILED)", Duration.ofSeconds(60));
        check(app.stdoutLines().stream().anyMatch(l -> l.startsWith("ECHO OK /127.0.0.1:" + server.port())),
                "expected ECHO OK from the echo server", all);
        noPassword(app);
    }

    /** The agent's refusal: exit 2, its one line on stderr starting with "socksudp: ", no password, no trace. */
    private static String refusal(ChildJvm app) {
        int code = app.awaitExit(Duration.ofSeconds(60));
        check(code == 2, "expected the agent's refusal (exit 2), got " + code, app);
        List<String> lines = app.stderrLines().stream().filter(l -> !l.startsWith("WARNING: ")).toList();
        check(lines.size() == 1 && lines.get(0).startsWith("socksudp: ") && lines.get(0).endsWith("."),
                "expected one sentence on stderr, got " + lines, app);
        check(app.stdoutLines().isEmpty(), "the application ran: " + app.stdoutLines(), app);
        noPassword(app);
        return lines.get(0);
    }

    private static void noPassword(ChildJvm app) {
        for (String secret : List.of(Dante.TEST_PASSWORD, RELAY_PASSWORD, encode(RELAY_PASSWORD))) {
            check(app.mergedLines().stream().noneMatch(l -> l.contains(secret)), "a password in the output", app);
        }
    }

    private static void noStackTrace(ChildJvm app) {
        check(app.mergedLines().stream().noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception in thread")),
                "a stack trace in the output", app);
    }

    private Path passwordFile(String content, String permissions) throws IOException {
        Path file = dir.resolve("socks-password");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    /**
     * A policy that grants the agent jar AllPermission (when {@code trustAgent}) and the application only what it
     * needs itself: its datagrams to the echo server, reading properties and, with {@code authenticator}, installing
     * an Authenticator and a SecurityManager; nothing the agent's own work needs, except on JDK 8 and 11
     * ({@code relayToo}) the relay's ports, which their DatagramSocket checks (send on the framed packet, receive on
     * the peeked source).
     */
    private Path policy(boolean trustAgent, boolean authenticator, boolean relayToo) throws IOException {
        StringBuilder sb = new StringBuilder();
        if (trustAgent) {
            sb.append("grant codeBase \"file:").append(TestEnv.agentJar().toAbsolutePath())
                    .append("\" { permission java.security.AllPermission; };\n");
        }
        sb.append("grant codeBase \"file:").append(TestEnv.testClasses().toAbsolutePath()).append("/\" {\n")
                .append("  permission java.net.SocketPermission \"").append(server.address())
                .append("\", \"connect,accept,resolve\";\n")
                .append("  permission java.net.SocketPermission \"localhost:0\", \"listen\";\n")
                // JDK 8 and 11's DatagramSocket checks the relay's address: send (8) checks the packet the agent framed,
                // receive (8, 11) the source it peeks (README: limits)
                .append(relayToo ? "  permission java.net.SocketPermission \"127.0.0.1:1024-\", \"connect,accept\";\n"
                        : "")
                .append("  permission java.util.PropertyPermission \"*\", \"read\";\n");
        if (authenticator) {
            sb.append("  permission java.net.NetPermission \"setDefaultAuthenticator\";\n")
                    .append("  permission java.lang.RuntimePermission \"setSecurityManager\";\n");
        }
        sb.append("};\n");
        Path file = dir.resolve("test.policy");
        Files.writeString(file, sb.toString());
        return file;
    }

    private static String jcmd(long pid, String command) throws Exception {
        Path jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        check(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "jcmd " + command + " failed: " + out);
        return out;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
