package io.socksudp.agent.intercept.nio;

import io.socksudp.agent.intercept.ChannelAccess;
import io.socksudp.agent.intercept.JdkMember;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.DatagramChannel;

/**
 * Reaches into {@code sun.nio.ch.DatagramChannelImpl} (opened to the agent at start-up), through the members of
 * {@link NioInternals} (which the start-up check has verified in the class files). Handles are looked up on first
 * use, when the class is loaded anyway; racing lookups are harmless.
 */
public final class NioChannelAccess implements ChannelAccess {

    /** True on JDK 8 and 11, which have no {@code sourceSocketAddress()}. */
    private final boolean sourceFromCacheFields;
    /**
     * JDK 17+: {@code sourceSocketAddress()} caches its result per source, so for a steady stream from the relay
     * this returns the same object without allocating. It must run exactly once per datagram (it swaps native
     * buffers as it caches): the JDK's own later call is answered by our advice.
     */
    private volatile MethodHandle sourceSocketAddress;
    private volatile MethodHandle cachedAddress;
    private volatile MethodHandle cachedPort;
    private volatile MethodHandle fd;
    private volatile MethodHandle family;
    private volatile MethodHandle netConnect;
    private volatile MethodHandle registry;
    private volatile MethodHandle netPoll;

    /** Linux's POLLIN (sun.nio.ch.Net.POLLIN is initialised from the same native constant). */
    private static final short POLLIN = 0x0001;
    private static final long POLL_SLICE_MILLIS = 100;

    /**
     * @param sourceFromCacheFields read the source of a datagram from the fields the native receive fills (JDK 8
     *                              and 11) rather than by calling {@code sourceSocketAddress()} (JDK 17+)
     */
    public NioChannelAccess(boolean sourceFromCacheFields) {
        this.sourceFromCacheFields = sourceFromCacheFields;
    }

    /** The channel's {@code MembershipRegistry}, created by its first join(). */
    @Override
    public boolean hasJoinedGroups(Object channel) throws IOException {
        try {
            MethodHandle h = registry;
            if (h == null) {
                h = getter(NioInternals.REGISTRY, Object.class);
                registry = h;
            }
            return (Object) h.invokeExact(channel) != null;
        } catch (Throwable t) {
            throw JdkMember.asIOException(t);
        }
    }

    @Override
    public InetSocketAddress actualSource(Object channel, InetSocketAddress previous) throws IOException {
        try {
            return sourceFromCacheFields ? cachedSender(channel, previous) : sourceSocketAddress(channel);
        } catch (Throwable t) {
            throw JdkMember.asIOException(t);
        }
    }

    private InetSocketAddress sourceSocketAddress(Object channel) throws Throwable {
        MethodHandle h = sourceSocketAddress;
        if (h == null) {
            h = NioInternals.SOURCE_SOCKET_ADDRESS.handle()
                    .asType(MethodType.methodType(InetSocketAddress.class, Object.class));
            sourceSocketAddress = h;
        }
        return (InetSocketAddress) h.invokeExact(channel);
    }

    /**
     * JDK 8 and 11: the native receive keeps the source in {@code cachedSenderInetAddress} and
     * {@code cachedSenderPort} (it rebuilds {@code sender} only when they change, and the advice overwrites
     * {@code sender} with the reported peer, so {@code sender} itself cannot be trusted).
     */
    private InetSocketAddress cachedSender(Object channel, InetSocketAddress previous) throws Throwable {
        MethodHandle addressGetter = cachedAddress;
        MethodHandle portGetter = cachedPort;
        if (addressGetter == null || portGetter == null) {
            addressGetter = getter(NioInternals.CACHED_SENDER_ADDRESS, InetAddress.class);
            portGetter = getter(NioInternals.CACHED_SENDER_PORT, int.class);
            cachedAddress = addressGetter;
            cachedPort = portGetter;
        }
        InetAddress address = (InetAddress) addressGetter.invokeExact(channel);
        int port = (int) portGetter.invokeExact(channel);
        if (previous != null && previous.getPort() == port && address != null
                && address.equals(previous.getAddress())) {
            return previous;
        }
        return new InetSocketAddress(address, port);
    }

    @Override
    public InetSocketAddress localAddress(Object channel) throws IOException {
        DatagramChannel datagramChannel = (DatagramChannel) channel;
        SocketAddress local = datagramChannel.getLocalAddress();
        if (local == null) {
            // JDK 8 binds a channel only on its first send, after the association is opened.
            datagramChannel.bind(null);
            local = datagramChannel.getLocalAddress();
        }
        return (InetSocketAddress) local;
    }

    /**
     * {@code sun.nio.ch.Net.poll(fd, POLLIN, ms)} in slices, so that a close (or an interrupt, which closes an
     * interruptible channel) is noticed within one slice; the repeated receive then fails as the JDK's own would.
     */
    @Override
    public boolean awaitDatagram(Object channel, long deadlineNanos) throws IOException {
        try {
            if (netPoll == null) {
                fd = getter(NioInternals.FD, FileDescriptor.class);
                netPoll = NioInternals.NET_POLL.handle();
            }
            FileDescriptor descriptor = (FileDescriptor) fd.invokeExact(channel);
            java.nio.channels.Channel open = (java.nio.channels.Channel) channel;
            while (open.isOpen()) {
                long leftMillis = (deadlineNanos - System.nanoTime()) / 1_000_000L;
                if (leftMillis <= 0) {
                    throw new SocketTimeoutException();
                }
                int events = (int) netPoll.invokeExact(descriptor, (int) POLLIN, Math.min(leftMillis, POLL_SLICE_MILLIS));
                if ((events & POLLIN) != 0) {
                    return true;
                }
            }
            return true;
        } catch (Throwable t) {
            throw JdkMember.asIOException(t);
        }
    }

    /** {@code sun.nio.ch.Net.connect(family, fd, address, port)}: what the channel's connect() itself does. */
    @Override
    public void reconnect(Object channel, InetSocketAddress relay) throws IOException {
        try {
            if (netConnect == null) {
                fd = getter(NioInternals.FD, FileDescriptor.class);
                family = getter(NioInternals.FAMILY, ProtocolFamily.class);
                netConnect = NioInternals.NET_CONNECT.handle();
            }
            FileDescriptor descriptor = (FileDescriptor) fd.invokeExact(channel);
            ProtocolFamily protocolFamily = (ProtocolFamily) family.invokeExact(channel);
            int n = (int) netConnect.invokeExact(protocolFamily, descriptor, relay.getAddress(), relay.getPort());
            if (n <= 0) {
                throw new IOException("reconnecting to the relay " + relay + " returned " + n);
            }
        } catch (Throwable t) {
            throw JdkMember.asIOException(t);
        }
    }

    /** The field's getter taking the channel as an Object (what the advice hands over). */
    private static MethodHandle getter(JdkMember field, Class<?> resultType) throws ReflectiveOperationException {
        return field.handle().asType(MethodType.methodType(resultType, Object.class));
    }
}
