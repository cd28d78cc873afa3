package io.socksudp.agent.intercept.nio;

import io.socksudp.agent.intercept.ClassFileSurgery;
import io.socksudp.agent.intercept.JdkClassFiles;
import io.socksudp.agent.intercept.JdkMember;
import io.socksudp.agent.intercept.nio.NioDatagramChannelInstrumentation.Layout;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layout of DatagramChannelImpl is recognised from real JDKs' class files: the running one, and JDK 8
 * and 11 when scripts/fetch-jdks has put them in .jdks (CI fetches JDK 11).
 */
class NioLayoutTest {

    private static final String CLASS = "sun.nio.ch.DatagramChannelImpl";

    @Test
    void runningJdkHasTheSourceMethodLayout() {
        NioDatagramChannelInstrumentation strategy = NioDatagramChannelInstrumentation.forThisJdk();
        assertNull(strategy.missingOnThisJdk());
        assertEquals(NioDatagramChannelInstrumentation.Layout.SOURCE_METHOD, strategy.layout());
        assertEquals(1, strategy.advice().size());
    }

    @Test
    void jdk11HasTheSenderFieldLayout() throws IOException {
        Path home = jdk("11");
        try (FileSystem jrt = FileSystems.newFileSystem(URI.create("jrt:/"), Map.of("java.home", home.toString()))) {
            assertSenderField(jdk11(jrt), NioInternals.RECEIVE_FD_CONNECTED);
        }
    }

    @Test
    void jdk8HasTheSenderFieldLayout() throws IOException {
        Path home = jdk("8");
        try (ZipFile rt = new ZipFile(home.resolve("jre/lib/rt.jar").toFile())) {
            assertSenderField(jdk8(rt), NioInternals.RECEIVE_FD);
        }
    }

    @Test
    void aClassWithoutTheAdvisedMethodsIsRefusedNamingWhatIsMissing() throws IOException {
        try (InputStream in = NioLayoutTest.class.getResourceAsStream("NioLayoutTest.class")) {
            byte[] notTheChannel = in.readAllBytes();
            NioDatagramChannelInstrumentation strategy = NioDatagramChannelInstrumentation.forClassFiles(
                    JdkClassFiles.ofThisJdk(CLASS, notTheChannel));
            assertNotNull(strategy.missingOnThisJdk());
            assertTrue(strategy.missingOnThisJdk().contains("has no method receive"), strategy.missingOnThisJdk());
        }
    }

    /**
     * Every member of the table is checked at start: the class files of the running JDK (and of JDK 8 and 11, for
     * the sender-field layout) with any one of them taken out are refused, naming it.
     */
    @Test
    void aJdkMissingAnyMemberOfTheTableIsRefusedNamingIt() throws IOException {
        assertEachMemberChecked(ClassFileSurgery.runningJdk(), Layout.SOURCE_METHOD, NioInternals.RECEIVE);
    }

    @Test
    void jdk11MissingAnyMemberOfTheTableIsRefusedNamingIt() throws IOException {
        try (FileSystem jrt = FileSystems.newFileSystem(URI.create("jrt:/"), Map.of("java.home", jdk("11").toString()))) {
            assertEachMemberChecked(jdk11(jrt), Layout.SENDER_FIELD, NioInternals.RECEIVE_FD_CONNECTED);
        }
    }

    @Test
    void jdk8MissingAnyMemberOfTheTableIsRefusedNamingIt() throws IOException {
        try (ZipFile rt = new ZipFile(jdk("8").resolve("jre/lib/rt.jar").toFile())) {
            assertEachMemberChecked(jdk8(rt), Layout.SENDER_FIELD, NioInternals.RECEIVE_FD);
        }
    }

    private static void assertEachMemberChecked(JdkClassFiles.Source jdk, Layout layout, JdkMember receive) {
        List<JdkMember> members = NioInternals.all(layout, receive);
        assertTrue(members.size() >= 17, members.toString());
        for (JdkMember member : members) {
            NioDatagramChannelInstrumentation strategy = NioDatagramChannelInstrumentation.forClassFiles(
                    JdkClassFiles.of(ClassFileSurgery.without(jdk, member)));
            String missing = strategy.missingOnThisJdk();
            assertNotNull(missing, "a JDK without " + member + " is accepted");
            assertTrue(missing.contains(member.owner() + " has no " + (member.isField() ? "field " : "method "))
                    && missing.contains(member.name()), member + ": " + missing);
        }
    }

    private static void assertSenderField(JdkClassFiles.Source jdk, JdkMember receive) {
        NioDatagramChannelInstrumentation strategy =
                NioDatagramChannelInstrumentation.forClassFiles(JdkClassFiles.of(jdk));
        assertNull(strategy.missingOnThisJdk());
        assertEquals(Layout.SENDER_FIELD, strategy.layout());
        assertTrue(strategy.name().contains(receive.descriptor()), strategy.name());
        assertEquals(2, strategy.advice().size(), "the channel and the socket adaptor");
    }

    private static JdkClassFiles.Source jdk11(FileSystem jrt) {
        return className -> {
            Path file = jrt.getPath("modules", "java.base", className.replace('.', '/') + ".class");
            return Files.exists(file) ? Files.readAllBytes(file) : null;
        };
    }

    private static JdkClassFiles.Source jdk8(ZipFile rt) {
        return className -> {
            ZipEntry entry = rt.getEntry(className.replace('.', '/') + ".class");
            if (entry == null) {
                return null;
            }
            try (InputStream in = rt.getInputStream(entry)) {
                return in.readAllBytes();
            }
        };
    }

    private static Path jdk(String version) {
        String override = System.getenv("SOCKSUDP_JDK" + version + "_HOME");
        Path home = override != null ? Paths.get(override)
                : Paths.get(System.getProperty("user.dir")).resolve("../.jdks/jdk-" + version).normalize();
        Assumptions.assumeTrue(Files.isDirectory(home),
                "SKIPPED LOUDLY: no JDK " + version + " at " + home + " (run scripts/fetch-jdks " + version + ")");
        return home;
    }
}
