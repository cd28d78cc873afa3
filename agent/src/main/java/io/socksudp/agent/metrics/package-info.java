/**
 * The agent's counters, JVM-wide, for the MBean and the CLI's {@code status}: written on the data path and at each
 * association event, read only for reports.
 *
 * <p>A leaf: it refers to no other agent package, so {@code intercept}, {@code association} and the start-up code may
 * all count into it, and {@code jmx} reads it. Per-datagram counting is a {@code LongAdder} increment: no lock, no
 * allocation once warm. Drops are not copied here: {@code intercept.DropCounters} keeps them and is read through
 * {@link io.socksudp.agent.metrics.Metrics.DropView}.
 *
 * <h2>Who counts what</h2>
 * <ul>
 * <li>{@code Activation} (at the first datagram class): {@code Metrics.proxy} (the proxy as configured) and
 *     {@code Metrics.drops} (the tunnels' {@code DropCounters}).</li>
 * <li>{@code ChannelFrontEnd}, {@code PacketFrontEnd} (intercept): {@code sentThroughProxy},
 *     {@code receivedThroughProxy} (payload bytes, not framed bytes), {@code sentDirectly}.</li>
 * <li>{@code Association} (association): {@code associationOpened} in its constructor, {@code associationEnded} once
 *     on close or loss, {@code error} with the cause of a loss; {@code AssociationManager}:
 *     {@code associationFailed}; {@code AssociatedSocket} (intercept): {@code associationReestablished}.</li>
 * </ul>
 *
 * <h2>To the operator</h2>
 * {@link io.socksudp.agent.metrics.Metrics} → {@code jmx.Socksudp} (the MBean {@code io.socksudp:type=Agent}, which
 * reads the counters on each attribute request and holds nothing) → the platform MBean server → the CLI's
 * {@code status PID}, over the Attach API and the JVM's local JMX connector. See {@code io.socksudp.agent.jmx} for how
 * the MBean gets registered. The DNS client's dropped answers ({@code dns.DnsDrops}) are counted and logged but not
 * exported here today.
 */
package io.socksudp.agent.metrics;
