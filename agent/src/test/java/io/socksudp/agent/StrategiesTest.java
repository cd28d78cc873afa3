package io.socksudp.agent;

import io.socksudp.agent.intercept.ClassFileInventory;
import io.socksudp.agent.intercept.ClassFiles;
import io.socksudp.agent.intercept.DatagramInstrumentation;
import io.socksudp.agent.intercept.StrategyWatch;
import io.socksudp.agent.intercept.legacy.LegacyDatagramSocketInstrumentation;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The strategies resolved, as the agent resolves them, from the bytes of the first watched class of the JDK running
 * the unit tests (JDK 17: the NIO channel, and the legacy impl, which -Djdk.net.usePlainDatagramSocketImpl can
 * select at run time; its impl's send is Java there, so only the impl is advised). Runs on other JDKs too,
 * checking only what holds everywhere.
 */
class StrategiesTest {

    @Test
    void eachWatchResolvesFromTheBytesOfItsFirstClass() throws Exception {
        List<StrategyWatch> watches = Strategies.watches();
        assertEquals(2, watches.size());
        StrategyWatch nio = watches.get(0);
        assertTrue(nio.watches(null, "sun/nio/ch/DatagramChannelImpl"));
        assertFalse(nio.watches(StrategiesTest.class.getClassLoader(), "sun/nio/ch/DatagramChannelImpl"),
                "only the JDK's own class");
        assertFalse(nio.watches(null, "java/lang/String"));
        DatagramInstrumentation channel = nio.resolve(null, "sun.nio.ch.DatagramChannelImpl",
                ClassFiles.read(ClassLoader.getSystemClassLoader(), "sun.nio.ch.DatagramChannelImpl"));
        assertNull(channel.missingOnThisJdk(), channel.name());
        assertTrue(channel.name().startsWith("nio"), channel.name());
        assertArrayEquals(new String[] {"sun.nio.ch"}, channel.javaBasePackages());

        StrategyWatch legacy = watches.get(1);
        assertTrue(legacy.watches(null, "java/net/DatagramSocket"));
        boolean legacyJdk = ClassFileInventory.of("java.net.AbstractPlainDatagramSocketImpl") != null;
        boolean delegates = ClassFileInventory.of("java.net.DatagramSocket")
                .missingField("delegate", "Ljava/net/DatagramSocket;") == null;
        DatagramInstrumentation socket = legacy.resolve(null, "java.net.DatagramSocket",
                ClassFiles.read(ClassLoader.getSystemClassLoader(), "java.net.DatagramSocket"));
        assertEquals(legacyJdk && !delegates, socket != null,
                "DatagramSocket resolves the legacy strategy only where it does its own I/O through the impl");
        if (legacyJdk) {
            DatagramInstrumentation impl = legacy.resolve(null, "java.net.AbstractPlainDatagramSocketImpl",
                    ClassFiles.read(ClassLoader.getSystemClassLoader(), "java.net.AbstractPlainDatagramSocketImpl"));
            assertNull(impl.missingOnThisJdk(), impl.name());
            assertArrayEquals(new String[] {"java.net"}, impl.javaBasePackages());
            assertNotNull(impl.advice().get("java.net.AbstractPlainDatagramSocketImpl"));
        }
    }

    @Test
    void aWatchedClassThatIsNotWhatTheStrategyExpectsIsRefusedNamingWhatIsMissing() throws Exception {
        byte[] notTheChannel = ClassFiles.read(StrategiesTest.class.getClassLoader(), StrategiesTest.class.getName());
        DatagramInstrumentation channel = Strategies.watches().get(0).resolve(null, "sun.nio.ch.DatagramChannelImpl",
                notTheChannel);
        assertNotNull(channel.missingOnThisJdk());
        assertTrue(channel.missingOnThisJdk().contains("has no method receive"), channel.missingOnThisJdk());
        DatagramInstrumentation garbage = Strategies.watches().get(0).resolve(null, "sun.nio.ch.DatagramChannelImpl",
                Arrays.copyOf(notTheChannel, 40));
        assertNotNull(garbage.missingOnThisJdk(), "a truncated class file is refused, not trusted");
    }

    @Test
    void jdk17AdvisesOnlyTheImpl() throws Exception {
        Assumptions.assumeTrue("17".equals(System.getProperty("java.specification.version")),
                "SKIPPED LOUDLY: the unit tests run on the build's JDK 17");
        LegacyDatagramSocketInstrumentation legacy = LegacyDatagramSocketInstrumentation.forThisJdk();
        assertNotNull(legacy);
        assertArrayEquals(new String[] {"java.net.AbstractPlainDatagramSocketImpl"}, legacy.targetClasses(),
                Arrays.toString(legacy.targetClasses()));
        assertEquals(legacy.targetClasses().length, legacy.advice().size());
    }

    /** Installer's scan of the classes loaded before premain looks closer only at bootstrap classes of these packages. */
    @Test
    void everyWatchedJdkClassIsInAPackageThatTheScanLooksAt() {
        for (StrategyWatch watch : Strategies.watches()) {
            for (String name : watch.watchedClasses()) {
                assertTrue(Installer.inWatchedJdkPackage(name), name);
                assertTrue(watch.watches(null, name.replace('.', '/')), name);
            }
        }
        assertTrue(new JmxHook(null).isTrigger(null, "javax/management/MBeanServerFactory"));
        assertTrue(Installer.inWatchedJdkPackage("javax.management.MBeanServerFactory"));
        assertFalse(Installer.inWatchedJdkPackage("java.lang.String"));
        assertFalse(Installer.inWatchedJdkPackage("java.nio.channels.DatagramChannel"));
    }
}
