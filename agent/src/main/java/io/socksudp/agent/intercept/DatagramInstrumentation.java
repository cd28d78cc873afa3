package io.socksudp.agent.intercept;

import net.bytebuddy.asm.AsmVisitorWrapper;

import java.util.Map;

/**
 * One way of intercepting datagram I/O, for one generation of JDK internals. Chosen when one of its classes
 * first loads, from what that class file actually has ({@link StrategyWatch}), never from a version number.
 */
public interface DatagramInstrumentation {

    /**
     * A short name for logs and error messages, which also names the variant: it is part of the key of the
     * class cache, so two variants whose advice differs must have different names.
     */
    String name();

    /** The classes this strategy transforms, by binary name. Cheap: no Byte Buddy work. */
    String[] targetClasses();

    /**
     * Null when the class files have every method this strategy advises, with the expected signature; otherwise
     * what is missing. Reads class files without loading the classes.
     */
    String missingOnThisJdk();

    /** The packages of {@code java.base} the agent must reach into reflectively (opened when the strategy activates). */
    String[] javaBasePackages();

    /**
     * Gives the hooks what they need to reach into this strategy's classes. Called once when the strategy
     * activates, before any of its classes is transformed (so before any advice can run).
     */
    void wire(TunnelHooks hooks);

    /**
     * The advice for each class of {@link #targetClasses()}. Expensive: loads and runs Byte Buddy, which is why
     * it is only called when a target class is not in the class cache.
     */
    Map<String, AsmVisitorWrapper> advice();
}
