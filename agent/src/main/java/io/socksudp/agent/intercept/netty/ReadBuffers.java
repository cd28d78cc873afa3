package io.socksudp.agent.intercept.netty;

import io.socksudp.agent.intercept.NativeFrontEnd;
import io.socksudp.agent.intercept.WeakIdentityMap;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The buffers a tunnelled channel's read loop reads datagrams into. Netty reads each datagram into one buffer of the
 * size its {@code RecvByteBufAllocator.Handle} guesses (2048 by default) and the kernel cuts what does not fit; through
 * the relay each datagram carries its SOCKS header too, so a buffer of the application's size would lose the header's
 * length of a maximal payload. Such a channel's buffer is allocated here instead: the handle's guess plus the longest
 * header ({@link NativeFrontEnd#MAX_HEADER}), from the same allocator, as direct memory (what Netty's native reads
 * need, and what its handles give). The handle's accounting is its own: it sees the guess asked, and the bytes read.
 *
 * <p>Then a payload longer than the application's buffer (the guess) is cut to it when it is fired ({@link #cut}), as
 * the kernel would have cut it without the agent. The guess is kept per channel (one {@code int[]} per channel, made
 * at its first enlarged read; nothing per datagram), since the packet fired may be a slice (UDP GRO) or come from a
 * read submitted ahead (io_uring): each channel has one read buffer at a time, filled and fired before the next one
 * is allocated.
 */
final class ReadBuffers {

    /** Per channel: the application's buffer size of its current read buffer, 0 when that buffer is Netty's own. */
    private final WeakIdentityMap<Object, int[]> limits = new WeakIdentityMap<Object, int[]>();

    /** Per channel class: the calls of its Netty copy, or the failure to find them. */
    private final ClassValue<Object> apis = new ClassValue<Object>() {
        @Override
        protected Object computeValue(Class<?> type) {
            NettyTransport transport = NettyTransport.ofInternalName(type.getName());
            try {
                if (transport == null || !type.getName().endsWith(transport.channelSuffix())) {
                    throw new ClassNotFoundException(type.getName() + " is not one of Netty's datagram channels");
                }
                String name = type.getName();
                return new Api(name.substring(0, name.length() - transport.channelSuffix().length()),
                        type.getClassLoader());
            } catch (ReflectiveOperationException | RuntimeException e) {
                return e;
            }
        }
    };

    /**
     * The buffer for the next read of {@code channel}: {@code handle.allocate(allocator)} as Netty would, or, when
     * {@code enlarge}, the guess plus the longest header.
     */
    Object allocate(Object handle, Object allocator, Object channel, boolean enlarge) throws Throwable {
        Api api = apiOf(channel);
        if (!enlarge) {
            int[] limit = limits.get(channel);
            if (limit != null) {
                limit[0] = 0;
            }
            return (Object) api.allocate.invokeExact(handle, allocator);
        }
        int guess = (int) api.guess.invokeExact(handle);
        int[] limit = limits.get(channel);
        if (limit == null) {
            limit = new int[1];
            int[] raced = limits.putIfAbsent(channel, limit);
            limit = raced != null ? raced : limit;
        }
        limit[0] = guess;
        return (Object) api.directBuffer.invokeExact(allocator, guess + NativeFrontEnd.MAX_HEADER);
    }

    /**
     * {@code packet} (about to be fired on {@code channel}: unwrapped, or as received) with its payload cut to the
     * application's buffer size when it was read into an enlarged buffer and is longer.
     */
    Object cut(Object channel, Object packet) throws Throwable {
        int[] limit = limits.get(channel);
        if (limit == null || limit[0] == 0) {
            return packet; // Netty's own buffer (not a tunnelled channel): as without the agent
        }
        Api api = apiOf(channel);
        if (!api.datagramPacket.isInstance(packet)) {
            return packet;
        }
        Object content = (Object) api.content.invokeExact(packet);
        int from = (int) api.readerIndex.invokeExact(content);
        if ((int) api.writerIndex.invokeExact(content) - from > limit[0]) {
            Object ignored = (Object) api.setWriterIndex.invokeExact(content, from + limit[0]);
        }
        return packet;
    }

    private Api apiOf(Object channel) throws Throwable {
        Object api = apis.get(channel.getClass());
        if (api instanceof Api) {
            return (Api) api;
        }
        throw (Throwable) api;
    }

    /** The members of one Netty copy these buffers use, resolved in its own loader. */
    private static final class Api {
        final Class<?> datagramPacket;
        final MethodHandle allocate;
        final MethodHandle guess;
        final MethodHandle directBuffer;
        final MethodHandle content;
        final MethodHandle readerIndex;
        final MethodHandle writerIndex;
        final MethodHandle setWriterIndex;

        Api(String root, ClassLoader loader) throws ReflectiveOperationException {
            Class<?> handle = Class.forName(root + "channel.RecvByteBufAllocator$Handle", false, loader);
            Class<?> allocator = Class.forName(root + "buffer.ByteBufAllocator", false, loader);
            Class<?> byteBuf = Class.forName(root + "buffer.ByteBuf", false, loader);
            Class<?> envelope = Class.forName(root + "channel.AddressedEnvelope", false, loader);
            datagramPacket = Class.forName(root + "channel.socket.DatagramPacket", false, loader);
            allocate = virtual(handle, "allocate", byteBuf, allocator);
            guess = virtual(handle, "guess", int.class);
            directBuffer = virtual(allocator, "directBuffer", byteBuf, int.class);
            content = virtual(envelope, "content", Object.class);
            readerIndex = virtual(byteBuf, "readerIndex", int.class);
            writerIndex = virtual(byteBuf, "writerIndex", int.class);
            setWriterIndex = virtual(byteBuf, "writerIndex", byteBuf, int.class);
        }

        /** As NettyApi's: a public lookup from the owner, so the types resolve in the copy's own loader. */
        private static MethodHandle virtual(Class<?> owner, String name, Class<?> returns, Class<?>... parameters)
                throws ReflectiveOperationException {
            MethodHandle h = MethodHandles.publicLookup().in(owner)
                    .findVirtual(owner, name, MethodType.methodType(returns, parameters));
            return h.asType(h.type().erase());
        }
    }
}
