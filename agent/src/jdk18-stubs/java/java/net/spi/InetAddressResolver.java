package java.net.spi;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.stream.Stream;

/**
 * COMPILE-TIME STUB of JDK 18's {@code java.net.spi.InetAddressResolver} (JEP 418), so that the agent, which is Java 8
 * bytecode built on JDK 17, can implement it. Never packaged: the real one comes with JDK 18+. Signatures and constant
 * values match the JDK's (checked by the integration tests on JDK 21 and 25).
 */
public interface InetAddressResolver {

    Stream<InetAddress> lookupByName(String host, LookupPolicy lookupPolicy) throws UnknownHostException;

    String lookupByAddress(byte[] addr) throws UnknownHostException;

    final class LookupPolicy {
        public static final int IPV4 = 1 << 0;
        public static final int IPV6 = 1 << 1;
        public static final int IPV4_FIRST = 1 << 2;
        public static final int IPV6_FIRST = 1 << 3;

        private LookupPolicy() {
        }

        public static LookupPolicy of(int characteristics) {
            throw new UnsupportedOperationException("stub");
        }

        public int characteristics() {
            throw new UnsupportedOperationException("stub");
        }
    }
}
