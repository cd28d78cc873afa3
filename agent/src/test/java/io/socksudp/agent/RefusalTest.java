package io.socksudp.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** An attach being tried records refusals instead of halting, and its verdict is taken once. */
class RefusalTest {

    @Test
    void aRecordingRefusalKeepsTheFirstFailureAndTheCommitReportsIt() {
        Refusal refusal = Refusal.recording();
        assertNull(refusal.recorded());
        refusal.refuse("this JDK is not supported (first)");
        refusal.refuse("could not instrument another class (second)");
        assertEquals("this JDK is not supported (first)", refusal.recorded());
        assertEquals("this JDK is not supported (first)", refusal.commit());
        // a failed commit goes on recording (the rollback's own retransformations must not halt the JVM)
        refusal.refuse("during the rollback");
        assertEquals("this JDK is not supported (first)", refusal.commit());
    }

    @Test
    void aCommitWithoutFailureReportsNothing() {
        assertNull(Refusal.recording().commit());
    }
}
