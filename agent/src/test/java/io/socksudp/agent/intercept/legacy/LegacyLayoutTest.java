package io.socksudp.agent.intercept.legacy;

import io.socksudp.agent.intercept.ClassFileSurgery;
import io.socksudp.agent.intercept.JdkClassFiles;
import io.socksudp.agent.intercept.JdkMember;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The legacy impl's table checked in real JDKs' class files: the running one (JDK 17, whose impl's send is Java)
 * and JDK 8 (native send, so the sockets are advised) when scripts/fetch-jdks has put it in .jdks; and each member
 * of the table taken out is a refusal naming it, so no member the access reaches reflectively goes unchecked.
 */
class LegacyLayoutTest {

    @Test
    void runningJdkHasEveryMemberAndAJdkMissingAnyIsRefusedNamingIt() throws IOException {
        Assumptions.assumeTrue(ClassLoader.getSystemResource("java/net/AbstractPlainDatagramSocketImpl.class") != null,
                "SKIPPED LOUDLY: this JDK has no legacy datagram impl (JDK 18+); the JDK 8 case still runs");
        assertEachMemberChecked(ClassFileSurgery.runningJdk(), false);
    }

    @Test
    void jdk8HasEveryMemberOfTheNativeSendLayoutAndAJdkMissingAnyIsRefusedNamingIt() throws IOException {
        try (ZipFile rt = new ZipFile(jdk8().resolve("jre/lib/rt.jar").toFile())) {
            assertEachMemberChecked(className -> {
                ZipEntry entry = rt.getEntry(className.replace('.', '/') + ".class");
                if (entry == null) {
                    return null;
                }
                try (InputStream in = rt.getInputStream(entry)) {
                    return in.readAllBytes();
                }
            }, true);
        }
    }

    private static void assertEachMemberChecked(JdkClassFiles.Source jdk, boolean nativeSend) throws IOException {
        LegacyDatagramSocketInstrumentation whole = LegacyDatagramSocketInstrumentation.forClassFiles(
                JdkClassFiles.of(jdk));
        assertNotNull(whole);
        assertNull(whole.missingOnThisJdk(), whole.name());
        assertEquals(nativeSend ? 3 : 1, whole.targetClasses().length, whole.name());
        List<JdkMember> members = LegacyInternals.all(nativeSend);
        assertTrue(members.size() >= 20, members.toString());
        for (JdkMember member : members) {
            LegacyDatagramSocketInstrumentation strategy = LegacyDatagramSocketInstrumentation.forClassFiles(
                    JdkClassFiles.of(ClassFileSurgery.without(jdk, member)));
            assertNotNull(strategy, member.toString());
            String missing = strategy.missingOnThisJdk();
            assertNotNull(missing, "a JDK without " + member + " is accepted");
            assertTrue(missing.contains(member.owner() + " has no " + (member.isField() ? "field " : "method "))
                    && missing.contains(member.name()), member + ": " + missing);
        }
    }

    private static Path jdk8() {
        String override = System.getenv("SOCKSUDP_JDK8_HOME");
        Path home = override != null ? Paths.get(override)
                : Paths.get(System.getProperty("user.dir")).resolve("../.jdks/jdk-8").normalize();
        Assumptions.assumeTrue(Files.isDirectory(home),
                "SKIPPED LOUDLY: no JDK 8 at " + home + " (run scripts/fetch-jdks 8)");
        return home;
    }
}
