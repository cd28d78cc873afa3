package io.socksudp.agent.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AddressOrderTest {

    @Test
    void from_the_jdk_18_lookup_policy() {
        // JDK 21's LookupPolicy (javap -constants): IPV4 = 1, IPV6 = 2, IPV4_FIRST = 4, IPV6_FIRST = 8; the tests run
        // on JDK 17, which has no such class; DnsIT runs the real thing on JDK 21 and 25
        assertEquals(AddressOrder.IPV4_ONLY, AddressOrder.fromCharacteristics(1));
        assertEquals(AddressOrder.IPV6_ONLY, AddressOrder.fromCharacteristics(2));
        assertEquals(AddressOrder.IPV4_FIRST,
                AddressOrder.fromCharacteristics(1 | 2 | 4));
        assertEquals(AddressOrder.IPV6_FIRST,
                AddressOrder.fromCharacteristics(1 | 2 | 8));
        assertEquals(AddressOrder.IPV4_FIRST, AddressOrder.fromCharacteristics(1 | 2));
    }

    @Test
    void from_system_properties_on_jdk_8_to_17() {
        String v4 = System.getProperty("java.net.preferIPv4Stack");
        String v6 = System.getProperty("java.net.preferIPv6Addresses");
        try {
            System.clearProperty("java.net.preferIPv4Stack");
            System.clearProperty("java.net.preferIPv6Addresses");
            assertEquals(AddressOrder.IPV4_FIRST, AddressOrder.fromSystemProperties());
            System.setProperty("java.net.preferIPv6Addresses", "system");
            assertEquals(AddressOrder.IPV4_FIRST, AddressOrder.fromSystemProperties());
            System.setProperty("java.net.preferIPv6Addresses", "true");
            assertEquals(AddressOrder.IPV6_FIRST, AddressOrder.fromSystemProperties());
            System.setProperty("java.net.preferIPv4Stack", "true");
            assertEquals(AddressOrder.IPV4_ONLY, AddressOrder.fromSystemProperties());
        } finally {
            restore("java.net.preferIPv4Stack", v4);
            restore("java.net.preferIPv6Addresses", v6);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
