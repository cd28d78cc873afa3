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

    private final MethodHandle sourceSocketAddress;

    /** Requires {@code sun.nio.ch} to be open to the agent. */
    public NioSourceAddressReader() throws ReflectiveOperationException {
        Method m = Class.forName(NioDatagramChannelInstrumentation.CHANNEL_CLASS)
                .getDeclaredMethod("sourceSocketAddress");
        m.setAccessible(true);
        sourceSocketAddress = MethodHandles.lookup().unreflect(m)
                .asType(MethodType.methodType(InetSocketAddress.class, Object.class));
    }

    @Override
    public InetSocketAddress actualSource(Object channel) throws IOException {
        try {
            return (InetSocketAddress) sourceSocketAddress.invokeExact(channel);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }
}
