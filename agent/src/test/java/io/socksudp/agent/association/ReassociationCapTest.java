package io.socksudp.agent.association;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReassociationCapTest {

    private static final long I = ReassociationCap.INTERVAL_NANOS;

    @Test
    void a_burst_goes_at_once_and_the_rest_get_slots_of_their_own_at_the_interval() {
        ReassociationCap cap = new ReassociationCap();
        long now = 123_456_789L;
        for (int i = 0; i < ReassociationCap.BURST; i++) {
            assertEquals(0, cap.reserve(now), "re-association " + i + " of a burst");
        }
        for (int i = 1; i <= 100; i++) {
            assertEquals(i * I, cap.reserve(now), "re-association " + i + " past the burst");
        }
    }

    @Test
    void whatever_the_losses_no_more_than_the_burst_plus_the_rate_go_out_in_any_window() {
        // Losses of old associations every 10 ms from many sockets (each re-associates at its slot, is lost
        // again 700 ms later): count the slots that fall within 10 s.
        ReassociationCap cap = new ReassociationCap();
        int within = 0;
        long window = 10_000_000_000L;
        for (long now = 0; now < window; now += 10_000_000L) {
            long slot = now + cap.reserve(now);
            if (slot < window) {
                within++;
            }
        }
        assertEquals(ReassociationCap.BURST + window / I - 1, within);
    }

    @Test
    void a_quiet_spell_gives_the_burst_back_but_no_more() {
        ReassociationCap cap = new ReassociationCap();
        for (int i = 0; i < 200; i++) {
            cap.reserve(0);
        }
        long later = (200 + ReassociationCap.BURST) * I + 60_000_000_000L; // long after the last slot
        for (int i = 0; i < ReassociationCap.BURST; i++) {
            assertEquals(0, cap.reserve(later));
        }
        assertEquals(I, cap.reserve(later));
    }

    @Test
    void a_socket_keeps_the_slot_it_was_given_in_its_loss_backoff() {
        LossBackoff socket = new LossBackoff();
        socket.lost(LossBackoff.YOUNG_NANOS, 0); // an old association: no wait of its own
        assertEquals(0, socket.waitNanos(0));
        socket.deferUntil(5 * I, 0);
        assertEquals(5 * I, socket.waitNanos(0));
        socket.deferUntil(2 * I, 0); // an earlier slot does not shorten it
        assertEquals(3 * I, socket.waitNanos(2 * I));
        assertEquals(0, socket.waitNanos(5 * I));
        assertTrue(socket.streak() == 0);
    }
}
