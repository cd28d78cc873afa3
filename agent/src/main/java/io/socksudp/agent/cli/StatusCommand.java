package io.socksudp.agent.cli;

import io.socksudp.agent.Agent;
import io.socksudp.agent.jmx.AgentMBeans;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Properties;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * {@code status PID}: the agent's counters from a running JVM, one per line, through the Attach API and the JVM's
 * local JMX connector. The agent registers its MBean when the platform MBean server is created (which starting
 * the local connector does, if nobody did before), never at start-up.
 */
final class StatusCommand {

    /** The attributes in print order. */
    private static final String[] ATTRIBUTES = {"Proxy", "LiveAssociations", "AssociationsOpened",
        "AssociationsFailed", "AssociationsReestablished", "DatagramsSentThroughProxy", "BytesSentThroughProxy",
        "DatagramsReceivedThroughProxy", "BytesReceivedThroughProxy", "DatagramsSentDirectly", "DatagramsDropped",
        "DropsByCause", "LastError", "LastErrorTime"};

    private StatusCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws UsageException {
        if (args.length != 1) {
            throw new UsageException("status takes one PID, e.g. java -jar socksudp-agent.jar status 12345.");
        }
        String pid = AttachCommand.pid(args[0]);
        AttachApi vm;
        try {
            vm = AttachApi.attach(pid);
        } catch (AttachApi.AttachFailure e) {
            err.println("socksudp status: " + e.getMessage() + ".");
            return 1;
        }
        try {
            Properties props = vm.systemProperties();
            String state = props.getProperty(Agent.STATE_PROPERTY);
            if (state == null || !state.startsWith("installed")) {
                err.println("socksudp status: JVM " + pid + " has no socksudp agent"
                        + (state == null ? " (started without -javaagent:socksudp-agent.jar, and never attached)"
                        : " (" + state + ")") + ".");
                return 1;
            }
            // Starting the local management agent creates the platform MBean server if nobody had, and the agent's
            // MBeanServerBuilder registers the MBean then. Only if the server existed before (the application
            // used JMX before the agent was attached) is the agent asked to register it, with a second load (JDK
            // 21+ prints its dynamic-agent warning for that).
            String address = vm.startLocalManagementAgent();
            JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
            try {
                MBeanServerConnection mbeans = connector.getMBeanServerConnection();
                ObjectName name = new ObjectName(AgentMBeans.NAME);
                if (!mbeans.isRegistered(name)) {
                    vm.loadAgent(AttachCommand.ownJar(), Agent.REGISTER_MBEAN);
                }
                out.println("state: " + state);
                for (String attribute : ATTRIBUTES) {
                    out.println(attribute + ": " + mbeans.getAttribute(name, attribute));
                }
                for (MBeanAttributeInfo info : mbeans.getMBeanInfo(name).getAttributes()) {
                    if (!java.util.Arrays.asList(ATTRIBUTES).contains(info.getName())) {
                        out.println(info.getName() + ": " + mbeans.getAttribute(name, info.getName()));
                    }
                }
            } finally {
                connector.close();
            }
            return 0;
        } catch (AttachApi.AttachFailure | IllegalStateException e) {
            err.println("socksudp status: " + e.getMessage() + ".");
            return 1;
        } catch (IOException | javax.management.JMException e) {
            err.println("socksudp status: cannot read the socksudp MBean of JVM " + pid + " over JMX: " + e + ".");
            return 1;
        } finally {
            vm.close();
        }
    }
}
