package io.socksudp.agent.intercept.legacy;

import io.socksudp.agent.intercept.DatagramInstrumentation;
import io.socksudp.agent.intercept.StrategyWatch;

import java.io.IOException;

/**
 * Watches for the legacy DatagramSocketImpl and the two socket classes that JDK 8's variant advises. The first of
 * them to load (DatagramSocket, in practice) decides whether the JDK has the legacy impl at all (not from JDK 18
 * on: the strategy then does not apply and DatagramSocket passes untouched) and which variant.
 */
public final class LegacySocketWatch implements StrategyWatch {

    private static final String IMPL = "java/net/AbstractPlainDatagramSocketImpl";
    private static final String SOCKET = "java/net/DatagramSocket";
    private static final String MULTICAST = "java/net/MulticastSocket";

    @Override
    public boolean watches(ClassLoader loader, String internalName) {
        return loader == null && (IMPL.equals(internalName) || SOCKET.equals(internalName)
                || MULTICAST.equals(internalName));
    }

    @Override
    public DatagramInstrumentation resolve(ClassLoader loader, String className, byte[] classfile)
            throws IOException {
        return LegacyDatagramSocketInstrumentation.forClassFiles(className, classfile);
    }
}
