package io.socksudp.agent.bootstrap;

import java.util.function.Consumer;
import javax.management.MBeanServer;
import javax.management.MBeanServerBuilder;
import javax.management.MBeanServerDelegate;

/**
 * Lets the agent register its MBean the moment somebody creates the platform MBean server (the application, a JMX
 * console, or the local management agent that {@code status} starts through the Attach API), without creating it
 * itself: the agent names this class in {@code javax.management.builder.initial} (unless the application set its
 * own), which initialises nothing, so JMX, and with it java.util.logging, stay the application's to set up.
 *
 * <p>In the bootstrap loader because the JDK's MBeanServerFactory loads the builder from the creating thread's
 * context loader, or its own (the bootstrap) when there is none, as on the Attach Listener thread. Optional: the
 * agent defines it apart from the other bridge classes, only when MBeanServerFactory loads (see JmxHook), and goes
 * without it on a runtime without java.management.
 */
public final class MBeanServerHook extends MBeanServerBuilder {

    /** The system property the JDK's MBeanServerFactory reads. */
    public static final String PROPERTY = "javax.management.builder.initial";

    private static volatile Consumer<MBeanServer> onCreate;

    /** What to do with each new (outermost) MBean server. */
    public static void install(Consumer<MBeanServer> created) {
        onCreate = created;
    }

    @Override
    public MBeanServer newMBeanServer(String defaultDomain, MBeanServer outer, MBeanServerDelegate delegate) {
        MBeanServer server = super.newMBeanServer(defaultDomain, outer, delegate);
        Consumer<MBeanServer> c = onCreate;
        if (outer == null && c != null) {
            try {
                c.accept(server);
            } catch (RuntimeException | LinkageError e) {
                // never fail the creation of the application's MBean server over ours; status registers it then
            }
        }
        return server;
    }
}
