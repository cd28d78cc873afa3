/**
 * The agent's MBean, {@code io.socksudp:type=Agent}: {@link io.socksudp.agent.metrics.Metrics} as read-only JMX
 * attributes, for JMX consoles and the CLI's {@code status}. The only package that touches JMX, and only after
 * start-up: creating the platform MBean server initialises JMX and {@code java.util.logging}, which must stay the
 * application's to set up.
 *
 * <p>Dependencies: {@code metrics} only. The start-up code reaches it through {@code Installer}'s own methods, so a
 * JVM in which nobody creates an MBean server never loads it.
 *
 * <h2>Types, one job each</h2>
 * <ul>
 * <li>{@link io.socksudp.agent.jmx.SocksudpMBean}: the attributes.</li>
 * <li>{@link io.socksudp.agent.jmx.Socksudp}: reads {@code Metrics} on each request; no state of its own.</li>
 * <li>{@link io.socksudp.agent.jmx.AgentMBeans}: registers it, once, in a given or the platform MBean server.</li>
 * </ul>
 *
 * <h2>How the MBean gets registered</h2>
 * <ol>
 * <li>When the JDK loads {@code javax.management.MBeanServerFactory} (before any MBean server can exist), the
 *     agent's {@code JmxHook} defines {@code bootstrap.MBeanServerHook} in the boot loader and names it in
 *     {@code javax.management.builder.initial} (unless the application set its own builder) and gives it
 *     a callback: nothing of JMX initialises.</li>
 * <li>Whoever creates the platform MBean server (the application, a console, the local management agent that
 *     {@code status} starts through the Attach API) goes through {@code MBeanServerHook.newMBeanServer} → the callback
 *     → {@link io.socksudp.agent.jmx.AgentMBeans#registerIn}.</li>
 * <li>When the JVM was started with {@code com.sun.management.jmxremote*} (the server may exist before the agent),
 *     {@code Installer} registers it on a {@code socksudp-jmx} thread. When the server existed anyway (an application
 *     that used JMX before an attach), {@code status} loads the agent again with {@code Agent.REGISTER_MBEAN}, and
 *     {@code agentmain} calls {@link io.socksudp.agent.jmx.AgentMBeans#register}.</li>
 * </ol>
 * Then {@code status PID}: Attach API → the target's {@code Agent.STATE_PROPERTY} → its local JMX connector → the
 * attributes of {@code io.socksudp:type=Agent}, one per line.
 */
package io.socksudp.agent.jmx;
