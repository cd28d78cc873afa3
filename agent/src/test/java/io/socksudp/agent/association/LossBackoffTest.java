package io.socksudp.agent.association;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LossBackoffTest {

    private static final long MS = 1_000_000L;
    private static final long YOUNG = 5 * MS;
    private static final long OLD = LossBackoff.YOUNG_NANOS;

    @Test
    void the_first_young_loss_is_free_and_further_ones_in_a_row_double_the_wait_up_to_the_cap() {
        LossBackoff b = new LossBackoff();
        long now = 0;
        long[] expected = {0, 250, 500, 1000, 2000, 4000, 8000, 8000, 8000};
        for (long wait : expected) {
            assertEquals(wait * MS, b.lost(YOUNG, now));
            now += wait * MS + YOUNG; // re-associated as soon as allowed, and lost again at once
        }
        assertEquals(9, b.streak());
    }

    @Test
    void a_success_followed_by_an_immediate_loss_does_not_reset_it_but_an_association_that_lasts_does() {
        LossBackoff b = new LossBackoff();
        b.lost(YOUNG, 0);
        b.lost(YOUNG, 10 * MS);
        assertEquals(500 * MS, b.lost(YOUNG, 20 * MS));
        assertEquals(0, b.lost(OLD, 5_000 * MS));
        assertEquals(0, b.streak());
        assertEquals(0, b.lost(YOUNG, 5_010 * MS)); // a fresh streak: its first young loss is free again
    }

    @Test
    void a_quiet_spell_forgets_the_streak() {
        LossBackoff b = new LossBackoff();
        b.lost(YOUNG, 0);
        b.lost(YOUNG, MS);
        assertEquals(0, b.lost(YOUNG, MS + LossBackoff.QUIET_NANOS + MS));
    }

    @Test
    void the_wait_is_reported_until_it_has_passed() {
        LossBackoff b = new LossBackoff();
        b.lost(YOUNG, 0);
        long wait = b.lost(YOUNG, 100 * MS);
        assertEquals(250 * MS, wait);
        assertEquals(150 * MS, b.waitNanos(200 * MS));
        assertEquals(0, b.waitNanos(350 * MS));
        assertEquals(0, b.waitNanos(360 * MS));
    }
}
