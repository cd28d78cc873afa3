package io.socksudp.agent.intercept;

import java.io.IOException;

/**
 * A strategy not chosen yet: which classes it wants to see, and how it decides, from the first of them to load,
 * whether and how it applies to this JVM. This is what premain registers instead of the strategies themselves, so
 * that a JVM which never loads a datagram class never pays for them.
 *
 * <p>Implementations must be cheap to load and to ask: {@link #watches} is called for every class the JVM defines,
 * so an implementation links only JDK types (no Byte Buddy, no strategy class) until {@link #resolve} runs.
 */
public interface StrategyWatch {

    /**
     * Whether the class being defined by {@code loader} (null: the bootstrap loader) under {@code internalName}
     * ({@code java/net/DatagramSocket}) is one of this strategy's: its first sight resolves the strategy, and it is
     * transformed if the resolved strategy lists it among its {@link DatagramInstrumentation#targetClasses()}.
     */
    boolean watches(ClassLoader loader, String internalName);

    /**
     * The boot-loader classes this watch watches ({@code java.net.DatagramSocket}), for an attach: it loads or
     * retransforms them all within the attach, so that whatever fails does so while the attach can still be rolled
     * back, rather than later, in a JVM that was running fine without the agent. A name the JDK lacks is skipped.
     */
    String[] watchedClasses();

    /**
     * The strategy for this JVM, decided once, when a watched class loads: from {@code classfile}, the bytes the
     * JVM is about to define as {@code className}, and where needed the class files of its companions. Null when
     * there is nothing to do for this class and nothing decided yet (the class is defined as it is, and the watch is
     * asked again when its next class loads): e.g. DatagramSocket of JDK 15+, which does not use the legacy impl
     * unless the impl itself loads. A strategy that applies but whose classes are not what it expects is returned
     * with {@link DatagramInstrumentation#missingOnThisJdk()} saying why (the agent then refuses to run). Once a
     * strategy is returned, it is the watch's for the rest of the JVM's life.
     *
     * @throws IOException when a companion class file cannot be read (also a refusal)
     */
    DatagramInstrumentation resolve(ClassLoader loader, String className, byte[] classfile) throws IOException;

    /**
     * Null when {@code own}, what a watch resolves from a target class's own bytes, is {@code strategy}, the one it
     * resolved first (same variant, nothing missing); else why not. A strategy is resolved from the first of its
     * classes to load, but the bytes of each class being defined are what counts (another agent may have changed
     * them), so the agent and the cache command check every target class with this before instrumenting it.
     */
    static String layoutMismatch(DatagramInstrumentation strategy, String className, DatagramInstrumentation own) {
        if (own != null && own.missingOnThisJdk() != null) {
            return own.missingOnThisJdk();
        }
        if (own == null || !own.name().equals(strategy.name())) {
            return className + " is laid out unlike the class files it was first judged from ("
                    + (own == null ? "nothing to instrument" : own.name()) + ", not " + strategy.name() + ")";
        }
        return null;
    }
}
