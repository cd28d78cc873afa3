package io.socksudp.agent.association;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void a_socket_whose_associations_all_live_past_young_still_re_associates_at_most_once_a_second_after_a_burst() {
        LossBackoff b = new LossBackoff();
        long start = 1_000 * MS;
        long now = start;
        long minute = 60_000 * MS;
        int reassociations = 0;
        while (now - start < minute) {
            long wait = b.lost(OLD, now); // each association lived just past young, then was lost
            reassociations++;
            now += wait + OLD + MS; // re-associated as soon as allowed
        }
        assertEquals(0, b.streak(), "none of these losses was young");
        // Uncapped: one every 501 ms, about 120 in a minute; capped: the burst plus one a second.
        assertTrue(reassociations <= LossBackoff.SOCKET_BURST + 61, reassociations + " re-associations in a minute");
        assertTrue(reassociations >= 60, "the cap paces, it does not stop: " + reassociations);
    }

    @Test
    void a_quiet_spell_gives_the_socket_its_burst_back() {
        LossBackoff b = new LossBackoff();
        for (int i = 0; i < LossBackoff.SOCKET_BURST; i++) {
            b.lost(OLD, i * MS);
        }
        assertTrue(b.lost(OLD, 10 * MS) > 0);
        long quiet = 10 * MS + LossBackoff.SOCKET_BURST * LossBackoff.SOCKET_INTERVAL_NANOS + 1_000 * MS;
        for (int i = 0; i < LossBackoff.SOCKET_BURST; i++) {
            assertEquals(0, b.lost(OLD, quiet + i * MS), "loss " + i + " after the quiet spell");
        }
    }

    @Test
    void the_proxy_wide_pace_has_no_per_socket_cap_which_would_hold_every_socket_to_one_a_second() {
        LossBackoff proxy = LossBackoff.proxyWide();
        for (int i = 0; i < 4 * LossBackoff.SOCKET_BURST; i++) {
            assertEquals(0, proxy.lost(OLD, i * MS), "loss " + i + " of many sockets' old associations");
        }
    }
}
