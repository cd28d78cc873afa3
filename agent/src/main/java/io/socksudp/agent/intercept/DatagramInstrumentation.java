package io.socksudp.agent.intercept;

import net.bytebuddy.agent.builder.AgentBuilder;

/**
 * One way of intercepting the JDK's datagram I/O, for one generation of JDK internals. Chosen at start-up
 * from what the running JDK actually has, never from its version number alone.
 */
public interface DatagramInstrumentation {

    /** A short name for logs and error messages. */
    String name();

    /** The JDK classes this strategy transforms; the installer checks each one was transformed. */
    String[] targetClasses();

    /**
     * Null when the running JDK has every method this strategy needs, with the expected signature; otherwise
     * what is missing, e.g. "sun.nio.ch.DatagramChannelImpl has no method receive(ByteBuffer, boolean)".
     */
    String missingOnThisJdk();

    /** Adds this strategy's transformations to {@code builder}. */
    AgentBuilder instrument(AgentBuilder builder);
}
