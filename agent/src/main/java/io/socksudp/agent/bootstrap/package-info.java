/**
 * The only classes the JDK's own code sees. Advice inlined into {@code java.base} classes runs with the
 * bootstrap class loader, which cannot see the agent jar; these few classes are therefore defined in the
 * bootstrap loader by {@code BootstrapInjector} and hold nothing but the narrow interface between the advice
 * and the agent. The datagram bridge ({@code Agent.BOOTSTRAP_CLASSES}) is defined when the first datagram class
 * loads, or before the first Netty channel class gets its hooks, not eagerly in premain; {@code MBeanServerHook}
 * is defined apart, when the JDK loads {@code MBeanServerFactory} ({@code JmxHook}). Keep them tiny,
 * dependency-free and Java 8 compatible: they reference only JDK types and each other ({@code BootstrapRulesTest} checks both that and the class list).
 */
package io.socksudp.agent.bootstrap;
