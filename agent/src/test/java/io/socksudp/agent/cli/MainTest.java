package io.socksudp.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socksudp.agent.config.Config;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpDescribesEverySettingWithItsDefault() {
        assertEquals(0, run());
        String text = out.toString(StandardCharsets.UTF_8);
        for (String key : Config.KEYS) {
            assertTrue(text.contains("  " + key + " "), key);
        }
        assertFalse(text.contains("(see the README)"), "a setting has no description and default in Help");
    }

    @Test
    void probeRefusesAPasswordOnTheCommandLine() {
        assertEquals(2, run("probe", "127.0.0.1:1080", "--user", "u", "--password", "p"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("never taken from the command line"));
        assertFalse(err.toString(StandardCharsets.UTF_8).contains(" p "));
    }

    @Test
    void attachRefusesAPasswordOnTheCommandLineAndBadPids() {
        assertEquals(2, run("attach", "123", "password=secret"));
        assertFalse(err.toString(StandardCharsets.UTF_8).contains("secret"));
        assertEquals(2, run("attach", "12a"));
        assertEquals(2, run("status"));
    }

    @Test
    void probeAddressesAreCheckedBeforeAnythingIsSent() {
        assertEquals(2, run("probe", "127.0.0.1:99999"));
        assertEquals(2, run("probe", "::1:1080"));
        assertEquals(2, run("probe"));
    }
}
