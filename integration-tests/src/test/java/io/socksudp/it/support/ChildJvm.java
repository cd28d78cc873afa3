package io.socksudp.it.support;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A child JVM: {@code <javaHome>/bin/java [-javaagent:jar[=args]] [-Dk=v...] [jvmArgs] -cp CP main args}.
 * Build one with {@link #builder(String)}; always use it in try-with-resources or close it in a finally.
 */
public final class ChildJvm extends ChildProcess {

    private ChildJvm(String name, List<String> command, ProcessBuilder pb) {
        super(name, command, pb);
    }

    /** @param name a short label used in thread names and failure messages, e.g. "echo-server". */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    public static final class Builder {
        private final String name;
        private Path javaHome = TestEnv.javaHome();
        private Path agentJar;
        private String agentArgs;
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> classpath = new ArrayList<>();
        private String mainClass;
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String namespace;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name);
        }

        /** Runs {@code <home>/bin/java} instead of the default ({@link TestEnv#javaHome()}). */
        public Builder javaHome(Path home) { this.javaHome = home; return this; }

        /** Adds {@code -javaagent:<jar>}. */
        public Builder agent(Path jar) { return agent(jar, null); }

        /** Adds {@code -javaagent:<jar>=<args>} ({@code args} null: no '='). */
        public Builder agent(Path jar, String args) {
            this.agentJar = jar;
            this.agentArgs = args;
            return this;
        }

        /** The project's agent ({@link TestEnv#agentJar()}). */
        public Builder withAgent() { return agent(TestEnv.agentJar(), null); }

        /** {@code -Dkey=value} (value may be empty: {@code -Dkey=}). */
        public Builder sysProp(String key, String value) { systemProperties.put(key, value); return this; }

        /** Any other JVM option, placed before the main class. */
        public Builder jvmArg(String... arg) { jvmArgs.addAll(Arrays.asList(arg)); return this; }

        public Builder classpath(Path... entries) {
            for (Path p : entries) {
                classpath.add(p.toString());
            }
            return this;
        }

        /** Adds every *.jar in the directory (sorted, for reproducible command lines). */
        public Builder classpathJarsIn(Path dir) {
            try (var s = Files.list(dir)) {
                s.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> classpath.add(p.toString()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return this;
        }

        public Builder mainClass(String cls) { this.mainClass = cls; return this; }

        public Builder args(String... a) { args.addAll(Arrays.asList(a)); return this; }

        public Builder args(List<String> a) { args.addAll(a); return this; }

        public Builder env(String key, String value) { env.put(key, value); return this; }

        /** Runs the JVM inside a network namespace: {@code ip netns exec <ns> java ...} (see {@link NatLab#jvm}). */
        public Builder namespace(String netns) { this.namespace = netns; return this; }

        public List<String> command() {
            List<String> cmd = new ArrayList<>();
            if (namespace != null) {
                // ip execs the command after entering the namespace: the JVM keeps the pid we started.
                cmd.addAll(List.of("/usr/sbin/ip", "netns", "exec", namespace));
            }
            cmd.add(javaHome.resolve("bin").resolve("java").toString());
            if (agentJar != null) {
                cmd.add("-javaagent:" + agentJar + (agentArgs == null ? "" : "=" + agentArgs));
            }
            systemProperties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
            cmd.addAll(TestEnv.childJvmArgs());
            cmd.addAll(jvmArgs);
            if (!classpath.isEmpty()) {
                cmd.add("-cp");
                cmd.add(String.join(File.pathSeparator, classpath));
            }
            if (mainClass == null) {
                throw new IllegalStateException("child JVM " + name + ": no main class");
            }
            cmd.add(mainClass);
            cmd.addAll(args);
            return cmd;
        }

        public ChildJvm start() {
            ProcessBuilder pb = new ProcessBuilder();
            // The child must not inherit agent settings from the environment of whoever runs the build.
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            pb.environment().remove("JDK_JAVA_OPTIONS");
            pb.environment().remove("_JAVA_OPTIONS");
            pb.environment().keySet().removeIf(k -> k.toUpperCase(java.util.Locale.ROOT).startsWith("SOCKSUDP"));
            pb.environment().putAll(env);
            return new ChildJvm(name, command(), pb);
        }
    }
}
