package io.socksudp.agent.cli;

import io.socksudp.agent.Agent;
import io.socksudp.agent.config.ConfigLoader;
import io.socksudp.agent.config.ConfigException;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * {@code attach PID [KEY=VALUE ...] [--password-file FILE]}: checks the configuration exactly as the agent will
 * see it in the target (the target's system properties and environment, the given settings as agent arguments),
 * and only then loads the agent. A bad setting is reported here and the target is not touched; a JVM that runs
 * socksudp already is left as it is (exit 3: restart it to change its settings).
 */
final class AttachCommand {

    private static final Charset UTF_8 = Charset.forName("UTF-8");

    private AttachCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws UsageException {
        if (args.length == 0) {
            throw new UsageException("attach needs the PID of a running JVM, e.g. java -jar socksudp-agent.jar attach"
                    + " 12345 proxy=proxy.example:1080.");
        }
        String pid = pid(args[0]);
        StringBuilder agentArgs = new StringBuilder();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--password-file")) {
                if (++i >= args.length) {
                    throw new UsageException("--password-file needs a file.");
                }
                append(agentArgs, "password", readPassword(args[i]));
                continue;
            }
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("'" + a + "' is not KEY=VALUE; e.g. attach " + pid
                        + " proxy=proxy.example:1080 log=debug.");
            }
            String key = a.substring(0, eq);
            if (key.equals("password")) {
                throw new UsageException("a password is never taken from the command line (other users can read it"
                        + " there); give it with --password-file FILE.");
            }
            append(agentArgs, key, a.substring(eq + 1));
        }
        String jar;
        try {
            jar = ownJar();
        } catch (IllegalStateException e) {
            err.println("socksudp attach: " + e.getMessage());
            return 1;
        }
        AttachApi vm;
        try {
            vm = AttachApi.attach(pid);
        } catch (AttachApi.AttachFailure e) {
            err.println("socksudp attach: " + e.getMessage() + ".");
            return 1;
        }
        try {
            Properties props = vm.systemProperties();
            String state = props.getProperty(Agent.STATE_PROPERTY);
            if (state != null && state.startsWith("installed")) {
                err.println("socksudp attach: JVM " + pid + " runs socksudp already (" + state + "); nothing"
                        + " changed: restart the JVM to change its settings.");
                return 3;
            }
            try {
                ConfigLoader.load(agentArgs.toString(), props, environmentOf(pid));
            } catch (ConfigException e) {
                err.println("socksudp attach: " + e.getMessage() + " JVM " + pid + " was not changed.");
                return 2;
            }
            vm.loadAgent(jar, agentArgs.toString());
            state = vm.systemProperties().getProperty(Agent.STATE_PROPERTY);
            if (state == null || !state.startsWith("installed")) {
                String failed = "attach failed: ";
                err.println("socksudp attach: the agent could not start in JVM " + pid + ", which runs on without it,"
                        + " unchanged: " + (state == null ? "no reason given (see the JVM's stderr)."
                        : state.startsWith(failed) ? state.substring(failed.length()) : state));
                return 1;
            }
            out.println("socksudp attached to JVM " + pid + ": " + state);
            out.println("sockets already open: unconnected ones send through the proxy from their next datagram;"
                    + " ones connected to a proxied peer before now fail their sends until they connect again");
            return 0;
        } catch (AttachApi.AttachFailure e) {
            err.println("socksudp attach: " + e.getMessage() + ".");
            return 1;
        } finally {
            vm.close();
        }
    }

    static String pid(String text) throws UsageException {
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isDigit(text.charAt(i))) {
                throw new UsageException("'" + text + "' is not a process id (jps or jcmd lists the JVMs).");
            }
        }
        return text;
    }

    private static void append(StringBuilder agentArgs, String key, String value) throws UsageException {
        if (value.indexOf(',') >= 0) {
            throw new UsageException("the value of " + key + " contains a comma, which agent arguments cannot carry;"
                    + " set it as -Dsocksudp." + key + " or SOCKSUDP_" + key.toUpperCase(java.util.Locale.ROOT)
                    + " of the target JVM instead.");
        }
        if (agentArgs.length() > 0) {
            agentArgs.append(',');
        }
        agentArgs.append(key).append('=').append(value);
    }

    private static String readPassword(String file) throws UsageException {
        byte[] password = PasswordFiles.read(file);
        try {
            return new String(password, UTF_8);
        } finally {
            java.util.Arrays.fill(password, (byte) 0);
        }
    }

    /** The target's environment (Linux: /proc/PID/environ), for SOCKSUDP_* settings; empty when unreadable. */
    static Map<String, String> environmentOf(String pid) {
        Map<String, String> env = new HashMap<String, String>();
        try {
            byte[] bytes = Files.readAllBytes(Paths.get("/proc", pid, "environ"));
            for (String entry : new String(bytes, UTF_8).split("\u0000")) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    env.put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // not Linux, or not ours to read: the agent reads it itself and reports in the state property
        }
        return env;
    }

    /** The agent jar this command runs from. */
    static String ownJar() {
        try {
            File f = new File(AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!f.isFile()) {
                throw new IllegalStateException("run this command from the agent jar (java -jar socksudp-agent.jar),"
                        + " not from " + f);
            }
            return f.getAbsolutePath();
        } catch (URISyntaxException | RuntimeException e) {
            if (e instanceof IllegalStateException) {
                throw (IllegalStateException) e;
            }
            throw new IllegalStateException("cannot find the agent jar this command runs from (" + e + ")");
        }
    }
}
