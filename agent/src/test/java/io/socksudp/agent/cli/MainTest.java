package io.socksudp.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socksudp.agent.config.Config;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void cacheChecksItsArgumentsAndRefusesADirectoryTheAgentWouldNotUse(@TempDir Path tmp) throws Exception {
        assertEquals(2, run("cache", "frobnicate"));
        assertEquals(2, run("cache", "list", "--all"));
        assertEquals(2, run("cache", "prepare", "--cache"));
        assertEquals(2, run("cache", "prepare", "--cache", "relative/dir"));
        assertEquals(1, run("cache", "prepare", "--cache", "off"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("the class cache is off (Option --cache is off)"));
        Path open = Files.createDirectory(tmp.resolve("open"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        err.reset();
        assertEquals(1, run("cache", "prepare", "--cache", open.toString()));
        String sentence = err.toString(StandardCharsets.UTF_8);
        assertTrue(sentence.contains("open to other users") && sentence.contains("chmod 700"), sentence);
        assertEquals(1, sentence.trim().split("\n").length, sentence);
        assertEquals(0, open.toFile().list().length, "nothing written");
        assertEquals(1, run("cache", "clean", "--cache", open.toString()));
        assertEquals(0, run("cache", "list", "--cache", open.toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("used by the agent: no: " + open
                + " is open to other users"), out.toString(StandardCharsets.UTF_8));
    }
}
