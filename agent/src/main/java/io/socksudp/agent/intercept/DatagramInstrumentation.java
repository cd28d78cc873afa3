package io.socksudp.agent.intercept;

import net.bytebuddy.asm.AsmVisitorWrapper;

import java.util.Map;

/**
 * One way of intercepting the JDK's datagram I/O, for one generation of JDK internals. Chosen at start-up
 * from what the running JDK actually has (its class files), never from its version number alone.
 */
public interface DatagramInstrumentation {

    /** A short name for logs and error messages. */
    String name();

    /** The JDK classes this strategy transforms, by binary name. Cheap: no Byte Buddy work. */
    String[] targetClasses();

    /**
     * Null when the running JDK's class files have every method this strategy advises, with the expected
     * signature; otherwise what is missing. Reads class files without loading the classes.
     */
    String missingOnThisJdk();

    /**
     * Whether the JDK, as configured at start-up, does its datagram I/O through these classes. Only then is the
     * advice built beside the start-up; otherwise it is built when a target class first loads, if ever (JDK 17's
     * legacy DatagramSocketImpl, used only with -Djdk.net.usePlainDatagramSocketImpl).
     */
    boolean usedByDefault();

    /** The advice for each class of {@link #targetClasses()}. Expensive: loads and runs Byte Buddy. */
    Map<String, AsmVisitorWrapper> advice();
}
