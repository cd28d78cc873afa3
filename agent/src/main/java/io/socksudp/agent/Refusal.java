package io.socksudp.agent;

/**
 * What a failure on a watched class does. Started by premain, the agent stops the JVM ({@link Agent#refuse}): the
 * class would otherwise be defined unchanged and send around the proxy. Attached to a running JVM, the failures of
 * the attach itself (the agent's classes resolved, checked and instrumented within {@code agentmain}) are recorded
 * instead, the class is left as it is, and the attach is rolled back and reported by the {@code attach} command: that
 * JVM ran without the agent until now and goes on as it was. Once the attach is committed, a later failure stops the
 * JVM as at start (fail closed).
 */
final class Refusal {

    private boolean recording;
    private String recorded;

    private Refusal(boolean recording) {
        this.recording = recording;
    }

    /** Stops the JVM on the first failure (premain). */
    static Refusal halting() {
        return new Refusal(false);
    }

    /** Records failures until {@link #commit()} (an attach being tried). */
    static Refusal recording() {
        return new Refusal(true);
    }

    /** Stops the JVM with {@code sentence}, or records it while an attach is being tried. */
    void refuse(String sentence) {
        synchronized (this) { // against commit(): a failure must never be recorded after the verdict was taken
            if (recording) {
                if (recorded == null) {
                    recorded = sentence;
                }
                return;
            }
        }
        Agent.refuse(sentence);
    }

    /** The first failure recorded so far, or null; recording goes on. */
    synchronized String recorded() {
        return recorded;
    }

    /**
     * Ends the recording: null when nothing failed (from now on a failure stops the JVM), else the first failure's
     * sentence (and recording goes on, for the rollback's own class loads).
     */
    synchronized String commit() {
        if (recorded == null) {
            recording = false;
        }
        return recorded;
    }
}
