package io.socksudp.agent.intercept.legacy;

import io.socksudp.agent.intercept.JdkMember;
import io.socksudp.agent.intercept.PacketAccess;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOptions;

/**
 * Reaches into {@code java.net.AbstractPlainDatagramSocketImpl} and {@code DatagramPacket} (java.net is opened
 * to the agent at start-up on JDK 9+; JDK 8 has no modules), through the members of {@link LegacyInternals} (which
 * the start-up check has verified in the class files). Handles are looked up on first use.
 */
public final class LegacyImplAccess implements PacketAccess {

    static final String IMPL_CLASS = LegacyInternals.IMPL;

    private volatile Handles handles;

    /** The handles, all looked up together from {@link LegacyInternals}; racing lookups are harmless. */
    private static final class Handles {
        final Class<?> implClass;
        final MethodHandle bufLength;
        final MethodHandle setLength;
        final MethodHandle setAddress;
        final MethodHandle setPort;
        final MethodHandle connect0;
        final MethodHandle dataAvailable;
        final MethodHandle receive0;
        final MethodHandle isClosed;
        final MethodHandle localPort;
        final MethodHandle connected;
        final MethodHandle connectedAddress;
        final MethodHandle connectedPort;

        Handles() throws ReflectiveOperationException {
            implClass = Class.forName(IMPL_CLASS);
            bufLength = LegacyInternals.BUF_LENGTH.handle();
            setLength = LegacyInternals.LENGTH.setter();
            setAddress = LegacyInternals.ADDRESS.setter();
            setPort = LegacyInternals.PORT.setter();
            connect0 = LegacyInternals.CONNECT0.handle();
            dataAvailable = LegacyInternals.DATA_AVAILABLE.handle();
            receive0 = LegacyInternals.RECEIVE0.handle();
            isClosed = LegacyInternals.IS_CLOSED.handle();
            connected = onObject(LegacyInternals.CONNECTED.handle(), boolean.class);
            connectedAddress = onObject(LegacyInternals.CONNECTED_ADDRESS.handle(), InetAddress.class);
            connectedPort = onObject(LegacyInternals.CONNECTED_PORT.handle(), int.class);
            localPort = onObject(LegacyInternals.LOCAL_PORT.handle(), int.class);
        }

        /** A getter that takes the impl as an Object (what the advice hands over). */
        private static MethodHandle onObject(MethodHandle getter, Class<?> type) {
            return getter.asType(MethodType.methodType(type, Object.class));
        }
    }

    private Handles handles() throws IOException {
        Handles h = handles;
        if (h == null) {
            try {
                h = new Handles();
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IOException("socksudp cannot reach into " + IMPL_CLASS + ": " + e, e);
            }
            handles = h;
        }
        return h;
    }

    @Override
    public boolean isPlainImpl(Object impl) {
        try {
            return impl != null && handles().implClass.isInstance(impl);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public boolean isClosed(Object impl) {
        try {
            return (boolean) handles().isClosed.invoke(impl);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int bufLength(DatagramPacket packet) {
        try {
            return (int) handles().bufLength.invokeExact(packet);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void setReceived(DatagramPacket packet, InetAddress sender, int port, int length) {
        try {
            Handles h = handles();
            h.setAddress.invokeExact(packet, sender);
            h.setPort.invokeExact(packet, port);
            h.setLength.invokeExact(packet, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void setPort(DatagramPacket packet, int port) {
        try {
            handles().setPort.invokeExact(packet, port);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public InetSocketAddress connectedPeer(Object impl) {
        try {
            Handles h = handles();
            if (!(boolean) h.connected.invokeExact(impl)) {
                return null;
            }
            InetAddress address = (InetAddress) h.connectedAddress.invokeExact(impl);
            return address == null ? null : new InetSocketAddress(address, (int) h.connectedPort.invokeExact(impl));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void discardQueued(Object impl) throws IOException {
        Handles h = handles();
        DatagramPacket scratch = null;
        try {
            // dataAvailable() > 0 guarantees receive0 does not block. Bounded: never spin on a flood.
            for (int i = 0; i < 4096 && (int) h.dataAvailable.invoke(impl) > 0; i++) {
                if (scratch == null) {
                    scratch = new DatagramPacket(new byte[1], 1);
                }
                h.receive0.invoke(impl, scratch);
            }
        } catch (Throwable t) {
            throw JdkMember.asIOException(t);
        }
    }

    /** A legacy socket is bound when it is created: its impl knows its port and address. */
    @Override
    public InetSocketAddress localAddress(Object impl) throws IOException {
        try {
            int port = (int) handles().localPort.invokeExact(impl);
            Object bound = ((SocketOptions) impl).getOption(SocketOptions.SO_BINDADDR);
            return bound instanceof InetAddress ? new InetSocketAddress((InetAddress) bound, port)
                    : new InetSocketAddress(port);
        } catch (Throwable t) {
            throw JdkMember.asIOException(t);
        }
    }

    /** The impl's own native connect0: what AbstractPlainDatagramSocketImpl.connect calls. */
    @Override
    public void reconnect(Object impl, InetSocketAddress relay) throws IOException {
        try {
            handles().connect0.invoke(impl, relay.getAddress(), relay.getPort());
        } catch (Throwable t) {
            throw JdkMember.asIOException(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException) {
            return (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        return new IllegalStateException(t);
    }
}
