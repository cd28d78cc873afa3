package io.socksudp.agent.dns.jdk;

import io.socksudp.agent.config.Config;
import io.socksudp.agent.config.StartupException;
import io.socksudp.agent.dns.ProxiedResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs the DNS client when {@code socksudp.dns} is set: the resolver for this machine put where this JDK asks
 * ({@link NameServiceHooks}); the Installer reaches this class only then, so a JVM without the setting loads none
 * of it. Looks nothing up.
 */
public final class DnsSetup {

    private static final Logger LOG = LoggerFactory.getLogger("socksudp");

    private DnsSetup() {
    }

    public static void install(Config config) throws StartupException {
        if (System.getProperty("jdk.net.hosts.file") != null && !isJdk8()) {
            // JDK 9+ then answers from that file alone and never asks DNS: nothing can leak, and JDK 18+ would not
            // even consult a resolver provider. The same on every JDK 9+, so the agent stays out.
            LOG.info("socksudp.dns is not used: jdk.net.hosts.file={} makes the JDK resolve names from that file"
                    + " only, without DNS", System.getProperty("jdk.net.hosts.file"));
            return;
        }
        ProxiedResolver resolver = ProxiedResolver.forThisMachine(config);
        String how = NameServiceHooks.install(resolver);
        warmUp();
        LOG.debug("socksudp.dns: the JVM's look-ups go to DNS server {} through the proxy, hooked via {}; {}",
                Config.formatDns(config.dns()), how, resolver.resolvConf());
    }

    /**
     * Loads (and so has the agent transform) the JDK's datagram channel class in the background, which otherwise
     * the first look-up would wait for (about a second on a busy machine). Sends nothing, resolves nothing.
     */
    private static void warmUp() {
        Thread t = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    java.nio.channels.DatagramChannel.open().close();
                } catch (java.io.IOException | RuntimeException e) {
                    LOG.debug("socksudp.dns warm-up: {}", e.toString());
                }
            }
        }, "socksudp-dns-warmup");
        t.setDaemon(true);
        t.start();
    }

    private static boolean isJdk8() {
        try {
            Class.forName("java.lang.Module");
            return false;
        } catch (ClassNotFoundException e) {
            return true;
        }
    }
}
