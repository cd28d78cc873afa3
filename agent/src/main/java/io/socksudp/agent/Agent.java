package io.socksudp.agent;

import io.socksudp.agent.config.Config;
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
        "io.socksudp.agent.bootstrap.DatagramHooks",
        "io.socksudp.agent.bootstrap.Dispatch",
        "io.socksudp.agent.bootstrap.NettyHooks",
        "io.socksudp.agent.bootstrap.NettyDispatch",
    };

    private Agent() {
    }

    public static void premain(String agentArgs, Instrumentation inst) {
        start(agentArgs, inst);
    }

    public static void agentmain(String agentArgs, Instrumentation inst) {
        start(agentArgs, inst);
    }

    private static void start(String agentArgs, Instrumentation inst) {
        Config config;
        try {
            config = Config.load(agentArgs, System.getProperties(), System.getenv());
        } catch (ConfigException e) {
            refuse(e.getMessage());
            return;
        }
        try {
            Installer.install(config, inst);
        } catch (StartupException e) {
            refuse(e.getMessage());
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
