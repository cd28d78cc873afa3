/**
 * The only classes the JDK's own code sees. Advice inlined into {@code java.base} classes runs with the
 * bootstrap class loader, which cannot see the agent jar; these few classes are therefore defined in the
 * bootstrap loader at start-up (see {@code BootstrapInjector}) and hold nothing but the narrow interface
 * between the advice and the agent. Keep them tiny, dependency-free and Java 8 compatible: they reference
 * only JDK types and each other.
 */
package io.socksudp.agent.bootstrap;
