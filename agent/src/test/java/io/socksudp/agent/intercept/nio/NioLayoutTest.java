package io.socksudp.agent.intercept.nio;

import io.socksudp.agent.intercept.ClassFileInventory;
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
import java.util.Map;
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
            assertSenderField(Files.readAllBytes(
                    jrt.getPath("modules", "java.base", "sun/nio/ch/DatagramChannelImpl.class")),
                    Files.readAllBytes(jrt.getPath("modules", "java.base", "sun/nio/ch/DatagramSocketAdaptor.class")));
        }
    }

    @Test
    void jdk8HasTheSenderFieldLayout() throws IOException {
        Path home = jdk("8");
        try (ZipFile rt = new ZipFile(home.resolve("jre/lib/rt.jar").toFile());
             InputStream channel = rt.getInputStream(rt.getEntry("sun/nio/ch/DatagramChannelImpl.class"));
             InputStream adaptor = rt.getInputStream(rt.getEntry("sun/nio/ch/DatagramSocketAdaptor.class"))) {
            assertSenderField(channel.readAllBytes(), adaptor.readAllBytes());
        }
    }

    @Test
    void aClassWithoutTheAdvisedMethodsIsRefusedNamingWhatIsMissing() throws IOException {
        try (InputStream in = NioLayoutTest.class.getResourceAsStream("NioLayoutTest.class")) {
            NioDatagramChannelInstrumentation strategy =
                    NioDatagramChannelInstrumentation.forClass(ClassFileInventory.of(CLASS, in.readAllBytes()));
            assertNotNull(strategy.missingOnThisJdk());
            assertTrue(strategy.missingOnThisJdk().contains("has no method receive"), strategy.missingOnThisJdk());
        }
    }

    private static void assertSenderField(byte[] channel, byte[] adaptor) {
        NioDatagramChannelInstrumentation strategy =
                NioDatagramChannelInstrumentation.forClass(ClassFileInventory.of(CLASS, channel));
        assertNull(strategy.missingOnThisJdk());
        assertEquals(NioDatagramChannelInstrumentation.Layout.SENDER_FIELD, strategy.layout());
        assertNull(NioDatagramChannelInstrumentation.adaptorGap(
                ClassFileInventory.of(NioDatagramChannelInstrumentation.ADAPTOR_CLASS, adaptor)));
        assertEquals(2, strategy.advice().size(), "the channel and the socket adaptor");
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
