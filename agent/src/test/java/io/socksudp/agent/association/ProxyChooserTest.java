package io.socksudp.agent.association;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The failover rules of {@link ProxyChooser} on a fake clock. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ProxyChooserTest {

    private static final long MS = 1_000_000L;

    static final class FakeClock implements ProxyChooser.Clock {
        long now = 1_000_000_000_000L;

        @Override
        public long nanoTime() {
            return now;
        }

        void advance(long millis) {
            now += millis * MS;
        }
    }

    private final FakeClock clock = new FakeClock();

    private ProxyChooser two() {
        return new ProxyChooser(Arrays.asList("a:1080", "b:1080"), clock);
    }

    private static ProxyUnavailableException refused(String proxy) {
        return new ProxyUnavailableException("cannot reach SOCKS5 proxy " + proxy + ": Connection refused");
    }

    @Test
    void every_proxy_is_tried_in_list_order_at_first() throws Exception {
        ProxyChooser c = new ProxyChooser(Arrays.asList("a:1", "b:1", "c:1"), clock);
        assertArrayEquals(new int[] {0, 1, 2}, c.candidates());
        assertEquals(0, c.firstHealthy());
    }

    @Test
    void a_failed_proxy_is_skipped_while_another_is_healthy_whatever_its_backoff() throws Exception {
        ProxyChooser c = two();
        assertTrue(c.failed(0, refused("a:1080")), "the first failure takes it down");
        assertArrayEquals(new int[] {1}, c.candidates());
        assertEquals(1, c.firstHealthy());
        clock.advance(60_000); // long past any backoff: still skipped, only a granted check brings it back
        assertArrayEquals(new int[] {1}, c.candidates());
        assertFalse(c.failed(0, refused("a:1080")), "already down: not reported again");
    }

    @Test
    void a_proxy_back_is_preferred_again_for_new_associations() throws Exception {
        ProxyChooser c = two();
        c.failed(0, refused("a:1080"));
        assertTrue(c.startChecking(0));
        assertTrue(c.continueChecking(0));
        assertTrue(c.checkSucceeded(0), "it was down: its return is reported once");
        assertArrayEquals(new int[] {0, 1}, c.candidates());
        assertEquals(0, c.firstHealthy());
        assertFalse(c.succeeded(0), "healthy already: nothing to report");
    }

    @Test
    void checks_run_once_per_outage_and_stop_when_a_set_up_finds_the_proxy_working() {
        ProxyChooser c = two();
        assertFalse(c.startChecking(0), "a healthy proxy is not checked");
        c.failed(0, refused("a:1080"));
        assertTrue(c.startChecking(0));
        assertFalse(c.startChecking(0), "one chain of checks per proxy");
        c.succeeded(0); // a set-up (every proxy down, its backoff passed) got one
        assertFalse(c.continueChecking(0));
        c.failed(0, refused("a:1080"));
        assertTrue(c.startChecking(0), "a new outage starts new checks");
    }

    @Test
    void the_status_names_the_proxies_that_are_down() {
        ProxyChooser c = two();
        assertEquals("a:1080, b:1080", c.describe());
        c.failed(0, refused("a:1080"));
        assertEquals("a:1080 (down), b:1080", c.describe());
    }

    @Test
    void with_one_proxy_there_are_no_background_checks() {
        ProxyChooser c = new ProxyChooser(Collections.singletonList("a:1080"), clock);
        c.failed(0, refused("a:1080"));
        assertFalse(c.startChecking(0), "the application's sends are the retries, as before failover existed");
    }

    @Test
    void the_check_delay_doubles_from_half_a_second_up_to_thirty_seconds() {
        ProxyChooser c = two();
        c.failed(0, refused("a:1080"));
        long[] expected = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000};
        for (long e : expected) {
            assertEquals(e * MS, c.nextCheckDelayNanos(0));
        }
        c.checkSucceeded(0);
        c.failed(0, refused("a:1080"));
        assertEquals(500 * MS, c.nextCheckDelayNanos(0), "a new outage starts from the first delay again");
    }

    @Test
    void with_every_proxy_down_only_those_past_their_backoff_are_tried_and_the_rest_fail_fast() throws Exception {
        ProxyChooser c = two();
        c.failed(0, refused("a:1080"));
        clock.advance(100);
        c.failed(1, refused("b:1080"));
        ProxyUnavailableException e = assertThrows(ProxyUnavailableException.class, c::candidates);
        assertEquals("none of the 2 SOCKS5 proxies granted a UDP association (cannot reach SOCKS5 proxy a:1080:"
                + " Connection refused; cannot reach SOCKS5 proxy b:1080: Connection refused) (not retried for 150"
                + " ms)", e.getMessage());
        clock.advance(150); // a's 250 ms have passed, b's not
        assertArrayEquals(new int[] {0}, c.candidates());
        assertEquals(0, c.waitNanos());
        c.failed(0, refused("a:1080")); // 500 ms now
        assertEquals(100 * MS, c.waitNanos(), "b is due in 100 ms");
        clock.advance(100);
        assertArrayEquals(new int[] {1}, c.candidates());
    }

    @Test
    void the_failure_backoff_doubles_from_250_ms_up_to_2_s_and_resets_on_success() throws Exception {
        ProxyChooser c = new ProxyChooser(Collections.singletonList("a:1080"), clock);
        long[] expected = {250, 500, 1000, 2000, 2000};
        for (long e : expected) {
            c.failed(0, refused("a:1080"));
            assertEquals(e * MS, c.waitNanos());
            clock.advance(e);
            assertArrayEquals(new int[] {0}, c.candidates());
        }
        assertTrue(c.succeeded(0));
        c.failed(0, refused("a:1080"));
        assertEquals(250 * MS, c.waitNanos());
    }

    @Test
    void one_proxy_fails_fast_with_its_own_message_as_before_lists_existed() {
        ProxyChooser c = new ProxyChooser(Collections.singletonList("a:1080"), clock);
        ProxyUnavailableException cause = refused("a:1080");
        c.failed(0, cause);
        clock.advance(50);
        ProxyUnavailableException e = assertThrows(ProxyUnavailableException.class, c::candidates);
        assertEquals("cannot reach SOCKS5 proxy a:1080: Connection refused (not retried for 200 ms)", e.getMessage());
        assertSame(cause, e.getCause());
    }
}
