package io.socksudp.agent.intercept;

import io.socksudp.agent.intercept.legacy.LegacyDatagramSocketInstrumentation;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The strategies chosen for the JDK running the unit tests (JDK 17: the NIO channel, and the legacy impl, which
 * -Djdk.net.usePlainDatagramSocketImpl can select at run time; its impl's send is Java there, so only the impl is
 * advised). Runs on other JDKs too, checking only what holds everywhere.
 */
class StrategiesTest {

    @Test
    void everyApplicableStrategyFindsWhatItAdvises() throws Exception {
        Strategies strategies = Strategies.forThisJdk();
        List<DatagramInstrumentation> all = strategies.all();
        assertTrue(all.get(0).name().startsWith("nio"), all.get(0).name());
        boolean legacyJdk = ClassFileInventory.of("java.net.AbstractPlainDatagramSocketImpl") != null;
        assertEquals(legacyJdk ? 2 : 1, all.size());
        assertEquals(legacyJdk, strategies.packetAccess() != null);
        for (DatagramInstrumentation s : all) {
            if (s instanceof LegacyDatagramSocketInstrumentation) {
                assertNull(s.missingOnThisJdk(), s.name());
                assertNotNull(s.advice().get("java.net.AbstractPlainDatagramSocketImpl"));
            }
        }
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
        // DatagramSocket delegates to the NIO implementation on 17: the legacy advice is built only if the impl loads.
        assertEquals(System.getProperty("jdk.net.usePlainDatagramSocketImpl") != null, legacy.usedByDefault());
        assertTrue(Strategies.forThisJdk().all().get(0).usedByDefault());
    }
}
