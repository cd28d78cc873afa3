package io.socksudp.agent.association;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

class DeadlineResolverTest {

    @Test
    void literals_are_parsed_without_a_look_up_or_a_thread_even_with_no_time_left() throws Exception {
        assertTrue(DeadlineResolver.isLiteral("192.0.2.1"));
        assertTrue(DeadlineResolver.isLiteral("2001:db8::1"));
        assertFalse(DeadlineResolver.isLiteral("localhost"));
        assertFalse(DeadlineResolver.isLiteral("1.example"));
        assertEquals(InetAddress.getByName("192.0.2.1"), DeadlineResolver.byName("192.0.2.1", -1, "x"));
        assertEquals(InetAddress.getByName("2001:db8::1"), DeadlineResolver.byName("2001:db8::1", 0, "x"));
    }

    @Test
    void a_name_is_looked_up_on_its_own_thread_within_the_time_left() throws Exception {
        // localhost only: the one name a test may look up (the hosts file answers it).
        assertEquals(InetAddress.getByName("localhost"), DeadlineResolver.byName("localhost", 5_000_000_000L, "x"));
    }
}
