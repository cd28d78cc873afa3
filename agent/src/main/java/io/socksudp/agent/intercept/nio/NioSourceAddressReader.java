package io.socksudp.agent.intercept.nio;

import io.socksudp.agent.intercept.SourceAddressReader;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;

/**
 * Calls the channel's private {@code sourceSocketAddress()}. It caches its result per source, so for a
 * steady stream from the relay this returns the same object without allocating. It must run exactly once
 * per datagram (it swaps native buffers as it caches): the JDK's own later call is answered by our advice.
 */
public final class NioSourceAddressReader implements SourceAddressReader {

    /** Looked up on first use, when the channel class is loaded anyway; racing lookups are harmless. */
    private volatile MethodHandle sourceSocketAddress;

    /** Requires {@code sun.nio.ch} to be open to the agent. */
    public NioSourceAddressReader() {
    }

    private MethodHandle handle(Object channel) throws ReflectiveOperationException {
        MethodHandle h = sourceSocketAddress;
        if (h == null) {
            Method m = channel.getClass().getDeclaredMethod("sourceSocketAddress");
            m.setAccessible(true);
            h = MethodHandles.lookup().unreflect(m)
                    .asType(MethodType.methodType(InetSocketAddress.class, Object.class));
            sourceSocketAddress = h;
        }
        return h;
    }

    @Override
    public InetSocketAddress actualSource(Object channel) throws IOException {
        try {
            return (InetSocketAddress) handle(channel).invokeExact(channel);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }
}
