package io.socksudp.agent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socksudp.agent.intercept.ClassFiles;

import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What {@code cache prepare} would instrument, resolved as the agent resolves it, on the JDK running the unit tests
 * (the build's JDK 17), and a JDK whose datagram class is not what the strategy expects, refused as the agent
 * refuses it.
 */
class CacheTargetsTest {

    private static final String CHANNEL = "sun.nio.ch.DatagramChannelImpl";
    private static final String IMPL = "java.net.AbstractPlainDatagramSocketImpl";

    @Test
    void onJdk17TheChannelAndTheLegacyImplWithTheJdksOwnBytes() throws Exception {
        Assumptions.assumeTrue("17".equals(System.getProperty("java.specification.version")),
                "SKIPPED LOUDLY: the unit tests run on the build's JDK 17");
        List<CacheTargets.Target> targets = CacheTargets.ofThisJdk();
        assertEquals(2, targets.size());
        assertEquals("nio-datagram-channel (source_method)", targets.get(0).strategy.name());
        assertEquals(List.of(CHANNEL), List.copyOf(targets.get(0).classes.keySet()));
        assertArrayEquals(ClassFiles.readJdk(CHANNEL), targets.get(0).classes.get(CHANNEL));
        assertEquals("legacy-datagram-socket", targets.get(1).strategy.name());
        assertEquals(List.of(IMPL), List.copyOf(targets.get(1).classes.keySet()));
    }

    @Test
    void aJdkWhoseChannelIsNotWhatTheAgentExpectsIsRefused() throws Exception {
        byte[] notTheChannel = ClassFiles.read(CacheTargetsTest.class.getClassLoader(),
                CacheTargetsTest.class.getName());
        CacheTargets.Unsupported refused = assertThrows(CacheTargets.Unsupported.class,
                () -> CacheTargets.of(name -> name.equals(CHANNEL) ? notTheChannel : ClassFiles.readJdk(name)));
        assertTrue(refused.getMessage().contains("has no method receive")
                && refused.getMessage().contains("the agent refuses to run on it"), refused.getMessage());
    }
}
