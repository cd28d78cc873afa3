package io.socksudp.agent.intercept;

import net.bytebuddy.asm.AsmVisitorWrapper;

import java.util.Map;

/**
 * One way of intercepting the JDK's datagram I/O, for one generation of JDK internals. Chosen at start-up
 * from what the running JDK actually has, never from its version number alone.
 */
public interface DatagramInstrumentation {

    /** A short name for logs and error messages. */
    String name();

    /**
     * Null when the running JDK has every method this strategy needs, with the expected signature; otherwise
     * what is missing, e.g. "sun.nio.ch.DatagramChannelImpl has no method receive(ByteBuffer, boolean)".
     */
    String missingOnThisJdk();

    /** The advice for each JDK class this strategy transforms, by binary class name. */
    Map<String, AsmVisitorWrapper> advice();
}
