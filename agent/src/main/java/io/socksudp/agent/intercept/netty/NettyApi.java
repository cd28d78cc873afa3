package io.socksudp.agent.intercept.netty;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * One copy of Netty (a class loader and a package root, {@code io.netty.} or a relocated one such as {@code
 * io.grpc.netty.shaded.io.netty.}) as the agent reaches it: method handles on its public API (buffers, envelopes,
 * the channel, the pipeline), found by name in the copy's own loader, so the agent never links against Netty and
 * any number of copies work side by side. The handles are typed with {@code Object} for Netty's types, so the hooks
 * call them with {@code invokeExact} and no allocation.
 */
final class NettyApi {

    private static final MethodHandles.Lookup PUBLIC = MethodHandles.publicLookup();

    final Class<?> byteBuf;
    final Class<?> envelope;
    final Class<?> datagramPacket;
    /** {@code channel.unix.SegmentedDatagramPacket}, or null in a copy without it. */
    final Class<?> segmented;

    final MethodHandle recipient;
    final MethodHandle sender;
    final MethodHandle content;
    final MethodHandle readerIndex;
    final MethodHandle readableBytes;
    final MethodHandle getBytes;
    final MethodHandle writeHeader;
    final MethodHandle copyInto;
    final MethodHandle writerIndex;
    final MethodHandle setWriterIndex;
    final MethodHandle release;
    final MethodHandle retain;
    final MethodHandle refCnt;
    final MethodHandle capacity;
    final MethodHandle clear;
    final MethodHandle retainedSlice;
    final MethodHandle alloc;
    final MethodHandle directBuffer;
    final MethodHandle localAddress;
    final MethodHandle remoteAddress;
    final MethodHandle isOpen;
    final MethodHandle config;
    final MethodHandle pipelineChannel;
    final MethodHandle fireChannelRead;
    final MethodHandle newPacket;
    final MethodHandle newPacketFrom;
    final MethodHandle segmentSize;

    private NettyApi(String root, ClassLoader loader) throws ReflectiveOperationException {
        byteBuf = type(root + "buffer.ByteBuf", loader);
        envelope = type(root + "channel.AddressedEnvelope", loader);
        datagramPacket = type(root + "channel.socket.DatagramPacket", loader);
        Class<?> segmentedType;
        try {
            segmentedType = type(root + "channel.unix.SegmentedDatagramPacket", loader);
        } catch (ClassNotFoundException e) {
            segmentedType = null;
        }
        segmented = segmentedType;
        Class<?> allocator = type(root + "buffer.ByteBufAllocator", loader);
        Class<?> channel = type(root + "channel.Channel", loader);
        Class<?> pipeline = type(root + "channel.ChannelPipeline", loader);
        Class<?> counted = type(root + "util.ReferenceCounted", loader);

        recipient = virtual(envelope, "recipient", SocketAddress.class);
        sender = virtual(envelope, "sender", SocketAddress.class);
        content = virtual(envelope, "content", Object.class);
        readerIndex = virtual(byteBuf, "readerIndex", int.class);
        readableBytes = virtual(byteBuf, "readableBytes", int.class);
        getBytes = virtual(byteBuf, "getBytes", byteBuf, int.class, byte[].class, int.class, int.class);
        writeHeader = virtual(byteBuf, "writeBytes", byteBuf, byte[].class);
        // The payload is copied with the source's getBytes(index, ByteBuf, ...), not the frame's writeBytes(ByteBuf,
        // ...): a direct source copies straight to the frame's memory address, where Netty 4.2's adaptive buffers
        // take a java.nio view of both sides in writeBytes (two DirectByteBuffers, ~150 bytes, per datagram). The
        // same call moves a received payload down within its own buffer (NettyTunnels.moveDownPayload).
        copyInto = virtual(byteBuf, "getBytes", byteBuf, int.class, byteBuf, int.class, int.class);
        writerIndex = virtual(byteBuf, "writerIndex", int.class);
        setWriterIndex = virtual(byteBuf, "writerIndex", byteBuf, int.class);
        release = virtual(counted, "release", boolean.class);
        retain = virtual(counted, "retain", counted);
        refCnt = virtual(counted, "refCnt", int.class);
        capacity = virtual(byteBuf, "capacity", int.class);
        clear = virtual(byteBuf, "clear", byteBuf);
        retainedSlice = virtual(byteBuf, "retainedSlice", byteBuf, int.class, int.class);
        alloc = virtual(channel, "alloc", allocator);
        directBuffer = virtual(allocator, "directBuffer", byteBuf, int.class);
        localAddress = virtual(channel, "localAddress", SocketAddress.class);
        remoteAddress = virtual(channel, "remoteAddress", SocketAddress.class);
        isOpen = virtual(channel, "isOpen", boolean.class);
        config = virtual(channel, "config", type(root + "channel.ChannelConfig", loader));
        pipelineChannel = virtual(pipeline, "channel", channel);
        fireChannelRead = virtual(pipeline, "fireChannelRead", pipeline, Object.class);
        newPacket = erased(from(datagramPacket).findConstructor(datagramPacket,
                MethodType.methodType(void.class, byteBuf, InetSocketAddress.class)));
        newPacketFrom = erased(from(datagramPacket).findConstructor(datagramPacket,
                MethodType.methodType(void.class, byteBuf, InetSocketAddress.class, InetSocketAddress.class)));
        segmentSize = segmented == null ? null : virtual(segmented, "segmentSize", int.class);
    }

    /**
     * The API of the Netty copy {@code nettyClass} belongs to, whose binary name is {@code root} followed by {@code
     * suffix} (e.g. {@code channel.epoll.EpollDatagramChannel}).
     */
    static NettyApi of(Class<?> nettyClass, String suffix) throws ReflectiveOperationException {
        String name = nettyClass.getName();
        if (!name.endsWith(suffix)) {
            throw new ClassNotFoundException(name + " is not " + suffix + " under a package root");
        }
        return new NettyApi(name.substring(0, name.length() - suffix.length()), nettyClass.getClassLoader());
    }

    /** A constructor {@code (ByteBuf, int, InetSocketAddress)} of {@code packetClass} (a SegmentedDatagramPacket). */
    static MethodHandle segmentedConstructor(Class<?> packetClass) throws ReflectiveOperationException {
        for (Constructor<?> c : packetClass.getConstructors()) {
            Class<?>[] p = c.getParameterTypes();
            if (p.length == 3 && p[0].getName().endsWith(".buffer.ByteBuf") && p[1] == int.class
                    && p[2] == InetSocketAddress.class) {
                return erased(MethodHandles.publicLookup().unreflectConstructor(c));
            }
        }
        throw new NoSuchMethodException(packetClass.getName() + "(ByteBuf, int, InetSocketAddress)");
    }

    /** A getter and a setter for the instance field {@code name} of {@code type}, declared in it or a superclass. */
    static Field field(Class<?> type, String name, Class<?> fieldType) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getName().equals(name) && f.getType() == fieldType) {
                    f.setAccessible(true);
                    return f;
                }
            }
        }
        throw new NoSuchFieldException(type.getName() + " has no field " + fieldType.getSimpleName() + " " + name);
    }

    /** The public method {@code name} of {@code type} (or a supertype), looked up on its class: for rare calls. */
    static Method method(Class<?> type, String name, Class<?>... parameters) throws NoSuchMethodException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Method m = c.getMethod(name, parameters);
                if (java.lang.reflect.Modifier.isPublic(m.getDeclaringClass().getModifiers())) {
                    return m;
                }
            } catch (NoSuchMethodException e) {
                // a non-public class's public method: try the superclass
            }
        }
        throw new NoSuchMethodException(type.getName() + "." + name);
    }

    private static Class<?> type(String name, ClassLoader loader) throws ClassNotFoundException {
        return Class.forName(name, false, loader);
    }

    private static MethodHandle virtual(Class<?> owner, String name, Class<?> returns, Class<?>... parameters)
            throws ReflectiveOperationException {
        return erased(from(owner).findVirtual(owner, name, MethodType.methodType(returns, parameters)));
    }

    /**
     * A public lookup whose lookup class is {@code owner}, so that the JVM resolves the member (and the Netty types
     * in its signature) in the copy's own loader. From {@code publicLookup()} itself (lookup class Object) JDK 8 and
     * 11 resolve as if from the boot loader, which records a loader constraint on each Netty type name: the second copy
     * of {@code io.netty} in another loader then fails with a LinkageError ("no such method"), and its datagrams were
     * refused rather than tunnelled (NettyLoadersIT; JDK 17's public lookup did not).
     */
    private static MethodHandles.Lookup from(Class<?> owner) {
        return PUBLIC.in(owner);
    }

    /** {@code handle} with every reference type as Object, for invokeExact from code that cannot name Netty's. */
    private static MethodHandle erased(MethodHandle handle) {
        return handle.asType(handle.type().erase());
    }
}
