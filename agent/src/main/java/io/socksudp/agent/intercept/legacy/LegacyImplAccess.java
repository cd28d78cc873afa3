package io.socksudp.agent.intercept.legacy;

import io.socksudp.agent.intercept.JdkMembers;

import io.socksudp.agent.intercept.PacketAccess;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.DatagramPacket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOptions;

/**
 * Reaches into {@code java.net.AbstractPlainDatagramSocketImpl} and {@code DatagramPacket} (java.net is opened
 * to the agent at start-up on JDK 9+; JDK 8 has no modules). Handles are looked up on first use.
 */
public final class LegacyImplAccess implements PacketAccess {

    static final String IMPL_CLASS = "java.net.AbstractPlainDatagramSocketImpl";

    private volatile Handles handles;

    /** The handles, all looked up together; racing lookups are harmless. */
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
        final Field connected;
        final Field connectedAddress;
        final Field connectedPort;

        Handles() throws ReflectiveOperationException {
            implClass = Class.forName(IMPL_CLASS);
            bufLength = getter(DatagramPacket.class, "bufLength", int.class);
            setLength = setter(DatagramPacket.class, "length", int.class);
            setAddress = setter(DatagramPacket.class, "address", InetAddress.class);
            setPort = setter(DatagramPacket.class, "port", int.class);
            connect0 = method(implClass, "connect0", InetAddress.class, int.class);
            dataAvailable = method(implClass, "dataAvailable");
            receive0 = method(implClass, "receive0", DatagramPacket.class);
            isClosed = method(implClass, "isClosed");
            connected = field(implClass, "connected");
            connectedAddress = field(implClass, "connectedAddress");
            connectedPort = field(implClass, "connectedPort");
            localPort = MethodHandles.lookup().unreflectGetter(field(DatagramSocketImpl.class, "localPort"))
                    .asType(MethodType.methodType(int.class, Object.class));
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
            if (!h.connected.getBoolean(impl)) {
                return null;
            }
            InetAddress address = (InetAddress) h.connectedAddress.get(impl);
            return address == null ? null : new InetSocketAddress(address, h.connectedPort.getInt(impl));
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
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
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
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** The impl's own native connect0: what AbstractPlainDatagramSocketImpl.connect calls. */
    @Override
    public void reconnect(Object impl, InetSocketAddress relay) throws IOException {
        try {
            handles().connect0.invoke(impl, relay.getAddress(), relay.getPort());
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
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

    private static MethodHandle getter(Class<?> type, String name, Class<?> fieldType)
            throws ReflectiveOperationException {
        return MethodHandles.lookup().unreflectGetter(field(type, name))
                .asType(MethodType.methodType(fieldType, DatagramPacket.class));
    }

    private static MethodHandle setter(Class<?> type, String name, Class<?> fieldType)
            throws ReflectiveOperationException {
        return MethodHandles.lookup().unreflectSetter(field(type, name))
                .asType(MethodType.methodType(void.class, DatagramPacket.class, fieldType));
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        try {
            return JdkMembers.field(type, name);
        } catch (NoSuchFieldException | RuntimeException e) {
            throw e;
        } catch (ReflectiveOperationException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static MethodHandle method(Class<?> type, String name, Class<?>... parameters)
            throws ReflectiveOperationException {
        Method m = JdkMembers.method(type, name, parameters);
        return MethodHandles.lookup().unreflect(m);
    }
}
