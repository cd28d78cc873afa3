package io.socksudp.agent.cli;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code java -jar socksudp-agent.jar [help | probe | attach | status | cache | version]}. Exit codes: 0 success, 1 the
 * command could not do what was asked (the sentence says why), 2 bad usage, 3 attach refused (already attached).
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** A runtime linked without java.management (jlink) has no JMX: status cannot read the MBean. */
    private static boolean hasJmx() {
        try {
            Class.forName("javax.management.JMException", false, Main.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        try {
            if (command.equals("help") || command.equals("--help") || command.equals("-h")) {
                out.print(Help.text());
                return 0;
            }
            if (command.equals("version") || command.equals("--version")) {
                out.println("socksudp " + Help.version());
                return 0;
            }
            if (command.equals("probe")) {
                return ProbeCommand.run(rest, out, err);
            }
            if (command.equals("attach")) {
                return AttachCommand.run(rest, out, err);
            }
            if (command.equals("cache")) {
                return CacheCommand.run(rest, out, err);
            }
            if (command.equals("status")) {
                if (!hasJmx()) { // StatusCommand's own classes need java.management to load at all
                    err.println("socksudp status: this Java runtime (" + System.getProperty("java.home") + ") has no"
                            + " JMX (module java.management): run the command with a JDK's java.");
                    return 1;
                }
                return StatusCommand.run(rest, out, err);
            }
            throw new UsageException("unknown command '" + command + "'; the commands are help, probe, attach,"
                    + " status, cache and version (java -jar socksudp-agent.jar help).");
        } catch (UsageException e) {
            err.println("socksudp: " + e.getMessage());
            return 2;
        }
    }
}
