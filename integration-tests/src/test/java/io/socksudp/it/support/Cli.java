package io.socksudp.it.support;

import java.nio.file.Path;
import java.time.Duration;

/** The agent jar's command line ({@code io.socksudp.agent.cli.Main}) in a child JVM. */
public final class Cli {
    private Cli() {}

    public static final String MAIN = "io.socksudp.agent.cli.Main";
    public static final Duration EXIT = Duration.ofSeconds(60);

    /** A CLI run on the JDK at {@code javaHome} (the agent jar on the class path, as {@code java -jar} would). */
    public static ChildJvm.Builder on(Path javaHome, String name, String... args) {
        return ChildJvm.builder(name).javaHome(javaHome).classpath(TestEnv.agentJar()).mainClass(MAIN).args(args);
    }

    /** Runs a command to its end on the test JDK; the finished process (exit code, output). */
    public static ChildJvm run(String... args) {
        return run(on(TestEnv.javaHome(), "cli-" + args[0], args));
    }

    /** Runs the built command to its end. */
    public static ChildJvm run(ChildJvm.Builder builder) {
        ChildJvm cli = builder.start();
        cli.awaitExit(EXIT);
        cli.close();
        return cli;
    }

    public static int code(ChildJvm cli) {
        return cli.process().exitValue();
    }
}
