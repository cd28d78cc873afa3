package io.socksudp.agent.jmx;

import java.lang.management.ManagementFactory;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Registers the agent's MBean in the platform MBean server. Only ever called after start-up, on request (see
 * Installer.registerMBean): this class is the only one that touches JMX.
 */
public final class AgentMBeans {

    /** The MBean's name. */
    public static final String NAME = "io.socksudp:type=Agent";

    private AgentMBeans() {
    }

    /** Registers the MBean in the platform MBean server (creating it if need be) unless it is there already. */
    public static void register() {
        registerIn(ManagementFactory.getPlatformMBeanServer());
    }

    /** Registers the MBean in {@code server} unless it is there already. */
    public static synchronized void registerIn(MBeanServer server) {
        try {
            ObjectName name = new ObjectName(NAME);
            if (!server.isRegistered(name)) {
                server.registerMBean(new Socksudp(), name);
            }
        } catch (InstanceAlreadyExistsException raced) {
            // registered meanwhile: fine
        } catch (JMException e) {
            throw new IllegalStateException("cannot register " + NAME + ": " + e, e);
        }
    }
}
