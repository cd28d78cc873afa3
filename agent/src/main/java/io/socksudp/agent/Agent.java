package io.socksudp.agent;

import io.socksudp.agent.config.StartupException;
import io.socksudp.agent.config.Config;
import io.socksudp.agent.config.ConfigLoader;
import io.socksudp.agent.config.ConfigException;

import java.lang.instrument.Instrumentation;

/**
 * {@code -javaagent} entry point: parse the configuration, then hand over to {@link Installer}.
 *
 * <p>This class must not mention anything from the bootstrap bridge or Byte Buddy: the bridge classes have
 * to be defined in the bootstrap loader before anything in the agent's own loader links against them.
 */
public final class Agent {

    /**
     * The bridge classes for the bootstrap loader, supertypes first. Defined when the first datagram class loads,
     * before anything in the agent's own loader links against them: the application loader must then find the
     * bootstrap copies, not define its own from the agent jar (two copies of a type break linkage between agent
     * and advice). Nothing premain loads mentions them.
     */
    static final String[] BOOTSTRAP_CLASSES = {
        "io.socksudp.agent.bootstrap.UdpTunnel",
        "io.socksudp.agent.bootstrap.ChannelTunnel",
        "io.socksudp.agent.bootstrap.PacketTunnel",
        "io.socksudp.agent.bootstrap.PacketTunnel$Send",
        "io.socksudp.agent.bootstrap.DatagramHooks",
        "io.socksudp.agent.bootstrap.Dispatch",
        "io.socksudp.agent.bootstrap.NettyHooks",
        "io.socksudp.agent.bootstrap.NettyDispatch",
    };

    private Agent() {
    }

    /**
     * The system property that tells whether (and how) socksudp runs in this JVM, for {@code attach} and
     * {@code status} (read through the Attach API): {@code installed VERSION by premain|attach, proxy HOST:PORT},
     * or {@code attach failed: SENTENCE}. Outside {@code socksudp.*}, which holds settings only.
     */
    public static final String STATE_PROPERTY = "io.socksudp.agent.state";
    /** The agent argument with which the CLI asks a running agent to register its MBean now. */
    public static final String REGISTER_MBEAN = "@socksudp:register-mbean";

    public static void premain(String agentArgs, Instrumentation inst) {
        try {
            start(agentArgs, inst, "premain");
        } catch (ConfigException | StartupException e) {
            refuse(e.getMessage());
        }
    }

    /**
     * Loaded into a running JVM ({@code java -jar socksudp-agent.jar attach PID}): never stops it. The CLI has
     * checked the configuration against the target's own properties and environment already; whatever still
     * fails here (a setting only the target can judge, JDK internals the agent refuses) is rolled back by
     * {@link Installer}, leaving the JVM as it was, and is reported in {@link #STATE_PROPERTY}. A
     * second attach changes nothing: the CLI refuses it before loading, and this refuses it again.
     */
    public static void agentmain(String agentArgs, Instrumentation inst) {
        if (REGISTER_MBEAN.equals(agentArgs)) {
            if (isInstalled()) {
                Installer.registerMBean();
            }
            return;
        }
        if (isInstalled()) {
            return;
        }
        try {
            start(agentArgs, inst, "attach");
        } catch (ConfigException | StartupException e) {
            System.setProperty(STATE_PROPERTY, "attach failed: " + e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            // never a stack trace in somebody else's running program: the attach command reports it
            System.setProperty(STATE_PROPERTY, "attach failed: could not start in this JVM (" + e + ").");
        }
    }

    /** Whether socksudp is installed in this JVM (by premain or an earlier attach). */
    static boolean isInstalled() {
        String state = System.getProperty(STATE_PROPERTY);
        return state != null && state.startsWith("installed");
    }

    private static synchronized void start(String agentArgs, Instrumentation inst, String how)
            throws ConfigException, StartupException {
        if (System.getSecurityManager() != null) { // the check's class is loaded only when it has work to do
            SecurityManagerCheck.requireAllPermission();
        }
        Config config = ConfigLoader.load(agentArgs, System.getProperties(), System.getenv());
        Installer.install(config, inst, how.equals("attach"));
        hideSecrets(config); // after a failed attach the JVM's properties are as they were
        String version = Agent.class.getPackage() == null ? null : Agent.class.getPackage().getImplementationVersion();
        System.setProperty(STATE_PROPERTY, "installed " + (version == null ? "dev" : version) + " by " + how
                + ", proxy " + config.proxyNames());
    }

    /**
     * Takes the agent's own secrets out of the system properties once read (jcmd PID VM.system_properties, JMX
     * and any code in the JVM would show them): socksudp.password goes, a socksudp.proxy URL keeps its user
     * without the password. The command line itself (ps, jcmd PID VM.command_line) still shows a -D: only the
     * password file and the environment keep a password out of sight, which the README says.
     */
    private static void hideSecrets(Config config) {
        if (config.secretProperties().isEmpty()) {
            return; // the usual case, without loading the JDK's classes for iterating over an unmodifiable map
        }
        for (java.util.Map.Entry<String, String> e : config.secretProperties().entrySet()) {
            if (e.getValue() == null) {
                System.clearProperty(e.getKey());
            } else {
                System.setProperty(e.getKey(), e.getValue());
            }
        }
    }

    /**
     * Stops the JVM with one clear sentence. Running on without the agent would send the application's
     * datagrams directly, around the proxy the user asked for: the one outcome that must never happen.
     */
    static void refuse(String sentence) {
        System.err.println("socksudp: " + sentence);
        System.err.flush();
        Runtime.getRuntime().halt(2);
    }
}
