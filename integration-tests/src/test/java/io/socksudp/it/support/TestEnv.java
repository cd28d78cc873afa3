package io.socksudp.it.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** The paths and settings the failsafe plugin hands to the tests (see integration-tests/pom.xml). */
public final class TestEnv {
    private TestEnv() {}

    /** The shaded agent jar, {@code agent/target/socksudp-agent.jar}. Fails (never skips) when absent: the build makes it. */
    public static Path agentJar() {
        return existingFile("socksudp.agentJar", "the shaded agent jar (build the agent module first)");
    }

    /** The demo jar, {@code demo-app/target/socksudp-demo.jar}. */
    public static Path demoJar() {
        return existingFile("socksudp.demoJar", "the demo jar (build the demo-app module first)");
    }

    /** target/app-libs: the ShadingIT application's own Byte Buddy and SLF4J jars. */
    public static Path appLibs() {
        return existingDir("socksudp.appLibs", "the ShadingIT application's libraries (maven-dependency-plugin copy)");
    }

    /** target/dnsjava-libs: dnsjava and SLF4J for DnsjavaIT's application. */
    public static Path dnsjavaLibs() {
        return existingDir("socksudp.dnsjavaLibs", "dnsjava's jars (maven-dependency-plugin copy)");
    }

    /** target/netty-libs: Netty's jars for NettyIT's application. */
    public static Path nettyLibs() {
        return existingDir("socksudp.nettyLibs", "Netty's jars (maven-dependency-plugin copy)");
    }

    /** target/netty41-native-libs: Netty 4.1 with its epoll transport (Linux x86_64 native library) for NettyNativeIT. */
    public static Path netty41NativeLibs() {
        return existingDir("socksudp.netty41NativeLibs", "Netty 4.1's native transport jars (maven-dependency-plugin copy)");
    }

    /** target/netty42-native-libs: Netty 4.2 with its epoll and io_uring transports for NettyNativeIT. */
    public static Path netty42NativeLibs() {
        return existingDir("socksudp.netty42NativeLibs", "Netty 4.2's native transport jars (maven-dependency-plugin copy)");
    }

    /** target/netty41-dns-libs: netty-resolver-dns 4.1 and what it needs beyond {@link #netty41NativeLibs()}, for DnsIT. */
    public static Path netty41DnsLibs() {
        return existingDir("socksudp.netty41DnsLibs", "Netty 4.1's DNS resolver jars (maven-dependency-plugin copy)");
    }

    /** target/netty42-dns-libs: netty-resolver-dns 4.2 and what it needs beyond {@link #netty42NativeLibs()}, for DnsIT. */
    public static Path netty42DnsLibs() {
        return existingDir("socksudp.netty42DnsLibs", "Netty 4.2's DNS resolver jars (maven-dependency-plugin copy)");
    }

    /** target/grpc-shaded-libs: gRPC's grpc-netty-shaded jar alone (Netty relocated, its epoll library renamed). */
    public static Path grpcShadedLibs() {
        return existingDir("socksudp.grpcShadedLibs", "grpc-netty-shaded (maven-dependency-plugin copy)");
    }

    /** target/vertx-libs: Vert.x core with Netty 4.2 and its epoll transport, for NettyLoadersIT. */
    public static Path vertxLibs() {
        return existingDir("socksudp.vertxLibs", "Vert.x and Netty 4.2's jars (maven-dependency-plugin copy)");
    }

    /** target/test-classes, which also holds the small test applications in io.socksudp.it.app. */
    public static Path testClasses() {
        return existingDir("socksudp.testClasses", "the integration tests' compiled classes");
    }

    /**
     * The JDK whose {@code bin/java} runs the child JVMs: {@code socksudp.testJavaHome} when set, else the
     * test JVM's own java.home.
     */
    public static Path javaHome() {
        String home = System.getProperty("socksudp.testJavaHome", "").trim();
        return home.isEmpty() ? Paths.get(System.getProperty("java.home")) : Paths.get(home);
    }

    /**
     * Options for every child JVM, from {@code socksudp.testJvmArgs} (space-separated; empty by default): e.g.
     * {@code -Djdk.net.usePlainDatagramSocketImpl=true} runs the suites on JDK 17's legacy DatagramSocketImpl.
     */
    public static java.util.List<String> childJvmArgs() {
        String args = System.getProperty("socksudp.testJvmArgs", "").trim();
        return args.isEmpty() ? java.util.List.of() : java.util.List.of(args.split("\\s+"));
    }

    /**
     * The JDK whose {@code bin/java} runs the fixtures, i.e. the child JVMs that never carry the agent and are not
     * under test (echo servers, the reference relay, the chat rendezvous, the differential suite's peer): the test
     * JVM's own, the build's JDK 17, whatever {@code socksudp.testJavaHome} says. The reference relay needs Java 17;
     * only the program with the agent (and its plain, direct twin) runs on the JDK under test.
     */
    public static Path fixtureJavaHome() {
        return Paths.get(System.getProperty("java.home"));
    }

    public static String required(String property) {
        String value = System.getProperty(property, "").trim();
        if (value.isEmpty()) {
            throw new IllegalStateException("system property " + property
                    + " is not set: run the integration tests through Maven (./mvnw -B verify), which sets it");
        }
        return value;
    }

    private static Path existingFile(String property, String what) {
        Path p = Paths.get(required(property)).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(property + "=" + p + " does not exist: " + what);
        }
        return p;
    }

    private static Path existingDir(String property, String what) {
        Path p = Paths.get(required(property)).toAbsolutePath().normalize();
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException(property + "=" + p + " is not a directory: " + what);
        }
        return p;
    }
}
