package io.socksudp.agent.intercept.legacy;

import io.socksudp.agent.intercept.ClassFileInventory;
import io.socksudp.agent.intercept.DatagramInstrumentation;
import io.socksudp.agent.intercept.StrategyWatch;

import java.io.IOException;

/**
 * Watches for the legacy DatagramSocketImpl and the two socket classes that JDK 8's variant advises. Where
 * DatagramSocket does its own I/O through the impl (JDK 8 to 14: no {@code delegate} field), the first of them to
 * load resolves the strategy and its variant; where it delegates to the NIO channel (JDK 15+), nothing is read or
 * decided until the impl itself loads, which on JDK 15 to 17 only -Djdk.net.usePlainDatagramSocketImpl makes
 * happen, and from JDK 18 on never (there is no impl).
 */
public final class LegacySocketWatch implements StrategyWatch {

    private static final String IMPL = "java/net/AbstractPlainDatagramSocketImpl";
    private static final String SOCKET = "java/net/DatagramSocket";
    private static final String MULTICAST = "java/net/MulticastSocket";

    /** DatagramSocket was seen, and it delegates (JDK 15+). Set and read under the activation's lock. */
    private boolean socketDelegates;

    private static String internalName(String className) {
        return className.replace('.', '/');
    }

    @Override
    public boolean watches(ClassLoader loader, String internalName) {
        return loader == null && (IMPL.equals(internalName) || SOCKET.equals(internalName)
                || MULTICAST.equals(internalName));
    }

    @Override
    public String[] watchedClasses() {
        // The sockets first: on JDK 15 to 17 the impl is what resolves the strategy, and it is then the only target.
        return new String[] {SOCKET.replace('/', '.'), MULTICAST.replace('/', '.'), IMPL.replace('/', '.')};
    }

    @Override
    public DatagramInstrumentation resolve(ClassLoader loader, String className, byte[] classfile)
            throws IOException {
        String name = internalName(className);
        if (SOCKET.equals(name)
                && ClassFileInventory.of(className, classfile).missingField("delegate", "L" + SOCKET + ";") == null) {
            // JEP 373 (JDK 15+): DatagramSocket delegates to the NIO channel, and is never advised itself; the
            // legacy impl, if the JDK has it (15 to 17) and is asked to use it, is resolved when it loads.
            socketDelegates = true;
            return null;
        }
        if (MULTICAST.equals(name) && socketDelegates) {
            return null; // loaded by such a DatagramSocket's initialisation: a delegating wrapper as well
        }
        return LegacyDatagramSocketInstrumentation.forClassFiles(className, classfile);
    }
}
