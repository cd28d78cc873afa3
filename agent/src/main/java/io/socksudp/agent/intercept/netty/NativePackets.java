package io.socksudp.agent.intercept.netty;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;

/**
 * Epoll's {@code NativeDatagramPacketArray.NativeDatagramPacket} as the receive path needs it (per class, in the
 * channel's own copy): its {@code newDatagramPacket(ByteBuf, InetSocketAddress)}, whose calls in the channel are
 * replaced by {@code NettyTunnels.nativePacket}, and the fields {@code recvmsg} fills in from JNI (the source's
 * address bytes, their length and port, the datagram's length, a UDP_GRO segment size, a recipient's length), the same
 * in Netty 4.1 and 4.2. Without the fields ({@link #fast} false) every datagram is Netty's own packet, unwrapped where
 * it is fired, as before.
 */
final class NativePackets {

    private static final ClassValue<NativePackets> OF = new ClassValue<NativePackets>() {
        @Override
        protected NativePackets computeValue(Class<?> type) {
            return new NativePackets(type);
        }
    };

    /** {@code (Object packet, Object buffer, Object recipient) -> Object}: Netty's own. Null if not found. */
    final MethodHandle newDatagramPacket;
    final boolean fast;
    final MethodHandle senderAddr;
    final MethodHandle senderAddrLen;
    final MethodHandle senderPort;
    final MethodHandle count;
    final MethodHandle segmentSize;
    final MethodHandle recipientAddrLen;

    private NativePackets(Class<?> type) {
        newDatagramPacket = original(type);
        MethodHandle[] f = new MethodHandle[6];
        boolean found;
        try {
            f[0] = getter(type, "senderAddr", byte[].class);
            f[1] = getter(type, "senderAddrLen", int.class);
            f[2] = getter(type, "senderPort", int.class);
            f[3] = getter(type, "count", int.class);
            f[4] = getter(type, "segmentSize", int.class);
            f[5] = getter(type, "recipientAddrLen", int.class);
            found = true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            found = false;
        }
        fast = found && newDatagramPacket != null;
        senderAddr = f[0];
        senderAddrLen = f[1];
        senderPort = f[2];
        count = f[3];
        segmentSize = f[4];
        recipientAddrLen = f[5];
    }

    /** Of {@code nativePacketClass}; throws when its {@code newDatagramPacket} cannot be called (no read can work). */
    static NativePackets of(Class<?> nativePacketClass) {
        NativePackets p = OF.get(nativePacketClass);
        if (p.newDatagramPacket == null) {
            throw new IllegalStateException("socksudp cannot call " + nativePacketClass.getName()
                    + ".newDatagramPacket(ByteBuf, InetSocketAddress)");
        }
        return p;
    }

    private static MethodHandle original(Class<?> type) {
        for (Method m : type.getDeclaredMethods()) {
            Class<?>[] p = m.getParameterTypes();
            if (m.getName().equals("newDatagramPacket") && p.length == 2 && p[0].getName().endsWith(".buffer.ByteBuf")
                    && p[1] == InetSocketAddress.class) {
                try {
                    m.setAccessible(true);
                    MethodHandle h = MethodHandles.lookup().unreflect(m);
                    return h.asType(h.type().erase());
                } catch (ReflectiveOperationException | RuntimeException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static MethodHandle getter(Class<?> type, String name, Class<?> fieldType)
            throws ReflectiveOperationException {
        Field f = type.getDeclaredField(name);
        if (f.getType() != fieldType) {
            throw new NoSuchFieldException(type.getName() + "." + name + " is a " + f.getType().getName());
        }
        f.setAccessible(true);
        MethodHandle h = MethodHandles.lookup().unreflectGetter(f);
        return h.asType(h.type().erase());
    }
}
