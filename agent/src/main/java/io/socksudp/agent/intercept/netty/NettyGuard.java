package io.socksudp.agent.intercept.netty;

import io.socksudp.agent.config.LazyLogger;
import io.socksudp.agent.intercept.Routing;
import org.slf4j.Logger;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fail closed for Netty's native datagram channels, which send from native code on their own socket where the
 * JDK strategies never see them: a write or connect that would reach a proxied destination fails with an
 * IOException saying what to do; destinations that go direct anyway (bypass list, multicast, broadcast) keep
 * working. Netty's objects are read through their public methods ({@code AddressedEnvelope.recipient()},
 * {@code Channel.remoteAddress()}), looked up on the object's own class, so any copy in any class loader under any
 * package works alike.
 */
final class NettyGuard {

    private static final Logger LOG = LazyLogger.getLogger("socksudp");
    /** For Method.invoke: a varargs call without arguments would allocate an empty array per write. */
    private static final Object[] NO_ARGUMENTS = new Object[0];

    private final Routing routing;
    /** Channel classes warned about: each once. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final PublicGetter recipient = new PublicGetter("recipient");
    private final PublicGetter remoteAddress = new PublicGetter("remoteAddress");

    NettyGuard(Routing routing) {
        this.routing = routing;
    }

    public void refuseChannel(String channelClass) throws IOException {
        throw refused(channelClass, "its internals are not what socksudp knows, so it cannot tell what it sends where;"
                + " no channel of it can be created");
    }

    public void checkWrite(Object channel, Object msg) throws IOException {
        Object target = recipient.get(msg);
        if (target == null) {
            target = remoteAddress.get(channel); // a ByteBuf, or an envelope without recipient: the connected peer
        }
        if (target instanceof InetSocketAddress && !routing.isDirect((InetSocketAddress) target)) {
            throw refused(channel.getClass().getName(), "a datagram to " + target
                    + " would leave directly, around the SOCKS5 proxy, so the write is refused");
        }
    }

    public void checkConnect(Object channel, Object remote) throws IOException {
        if (remote instanceof InetSocketAddress && !routing.isDirect((InetSocketAddress) remote)) {
            throw refused(channel.getClass().getName(), "its datagrams to " + remote
                    + " would leave directly, around the SOCKS5 proxy, so the connect is refused");
        }
    }

    private IOException refused(String channelClass, String what) {
        NettyTransport transport = NettyTransport.ofInternalName(channelClass);
        String name = transport == null ? "this Netty transport" : transport.description();
        IOException e = new IOException("socksudp does not tunnel " + name + " (" + channelClass + "): " + what
                + ". Use Netty's NIO transport (NioEventLoopGroup and NioDatagramChannel), which socksudp tunnels"
                + " (-Dio.netty.transport.noNative=true makes frameworks that choose the transport themselves pick it),"
                + " or list the destination in socksudp.nonProxyHosts to send it directly.");
        if (warned.add(channelClass)) {
            LOG.warn(e.getMessage()); // once per class: an app retrying in a loop must not flood its log
        }
        return e;
    }

    /**
     * A public no-argument method of Netty's API, looked up per class (once) and called reflectively: the advice
     * cannot link against Netty's types, which live in the application's loaders, possibly under another package.
     */
    private static final class PublicGetter extends ClassValue<Method> {
        private final String name;

        PublicGetter(String name) {
            this.name = name;
        }

        @Override
        protected Method computeValue(Class<?> type) {
            Method m;
            try {
                m = type.getMethod(name);
            } catch (NoSuchMethodException e) {
                return null; // e.g. a ByteBuf has no recipient
            }
            try {
                m.setAccessible(true); // a public method of a non-public class (e.g. an application's own envelope)
            } catch (RuntimeException e) {
                // a named module that does not open the package: public API is callable anyway, else get() fails
            }
            return m;
        }

        /** The method's result on {@code target}, or null when it has no such method. */
        Object get(Object target) throws IOException {
            if (target == null) {
                return null;
            }
            Method m = get(target.getClass());
            if (m == null) {
                return null;
            }
            try {
                return m.invoke(target, NO_ARGUMENTS);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // Fail closed: a write whose destination cannot be told must not leave.
                throw new IOException("socksudp cannot tell where " + target.getClass().getName()
                        + " goes (" + name + "(): " + e + "); the write is refused", e);
            }
        }
    }
}
