package io.socksudp.agent.intercept.nio;

import io.socksudp.agent.intercept.DatagramInstrumentation;
import io.socksudp.agent.intercept.StrategyWatch;

/**
 * Watches for {@code sun.nio.ch.DatagramChannelImpl} (and JDK 8 to 14's socket adaptor, which only loads after
 * it): the NIO strategy is resolved from the channel class's own bytes when it first loads, which is when the
 * application first opens a DatagramChannel, or a DatagramSocket from JDK 15 on.
 */
public final class NioChannelWatch implements StrategyWatch {

    private static final String CHANNEL = "sun/nio/ch/DatagramChannelImpl";
    private static final String ADAPTOR = "sun/nio/ch/DatagramSocketAdaptor";

    @Override
    public boolean watches(ClassLoader loader, String internalName) {
        return loader == null && (CHANNEL.equals(internalName) || ADAPTOR.equals(internalName));
    }

    @Override
    public String[] watchedClasses() {
        return new String[] {CHANNEL.replace('/', '.'), ADAPTOR.replace('/', '.')};
    }

    @Override
    public DatagramInstrumentation resolve(ClassLoader loader, String className, byte[] classfile) {
        return NioDatagramChannelInstrumentation.forClassFiles(className, classfile);
    }
}
