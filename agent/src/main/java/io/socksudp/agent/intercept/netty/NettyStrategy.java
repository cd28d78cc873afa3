package io.socksudp.agent.intercept.netty;

import io.socksudp.agent.intercept.ChannelTunnels;
import io.socksudp.agent.intercept.Routing;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.util.ArrayList;
import java.util.List;

/**
 * The Netty strategy: Netty's native datagram transports (epoll, io_uring, the 4.1 incubator's io_uring, kqueue)
 * send and receive through JNI or io_uring's submission queue on their own socket, around every JDK class the other
 * strategies instrument. Unlike the JDK's classes they live in the application's class loaders, as many copies as
 * the application has, possibly shaded, and they may never load at all: nothing is prepared at start-up but a
 * transformer that matches class names.
 *
 * <p>Epoll and io_uring (Netty 4.2's, and the 4.1 incubator's) are tunnelled; any other layout or transport fails
 * closed: no datagram of such a channel reaches a proxied destination (see {@link NettyLayout}).
 */
public final class NettyStrategy {

    private NettyStrategy() {
    }

    /** What the strategy needs from the agent around it. */
    public interface Host {
        /** Defines the bootstrap bridge (idempotent): the inlined calls must find NettyDispatch in the boot loader. */
        void defineBridge() throws Exception;

        /**
         * The agent's tunnels, activating them now if no JDK datagram class has yet (a Netty native channel is the
         * application's first UDP): called on a channel's first write or connect, never while a class loads.
         */
        ChannelTunnels tunnels() throws java.io.IOException;

        /** Stops the JVM with {@code sentence}: a channel class left unchanged would send around the proxy. */
        void refuse(String sentence);
    }

    /**
     * Installs the transformer (which installs the hooks when it first meets a Netty channel class, before that class
     * can run) and retransforms channel classes that are loaded already (an agent attached late).
     */
    public static ClassFileTransformer install(Instrumentation inst, Routing routing, Host host)
            throws UnmodifiableClassException {
        // The loaded classes are scanned first: that also loads NettyTransport, which the transformer's name check
        // uses. Loaded inside the transformer instead, it would be transformed by itself (a duplicate definition).
        List<Class<?>> loaded = new ArrayList<Class<?>>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (isWatched(c.getName())) {
                loaded.add(c);
            }
        }
        // The enum's values too, whatever was loaded; not through owning(), whose Role would be one more class at
        // premain for every application (LazyStartIT's budget): Role loads with the first Netty class transformed.
        NettyTransport.ofInternalName("EpollDatagramChannel");
        ClassFileTransformer transformer = new NettyTransformer(routing, host);
        inst.addTransformer(transformer, true);
        if (!loaded.isEmpty()) {
            inst.retransformClasses(loaded.toArray(new Class<?>[0]));
        }
        return transformer;
    }

    /** Whether the strategy transforms the class of this name (a rolled-back attach retransforms those loaded). */
    public static boolean isWatched(String className) {
        return NettyTransport.owning(className) != null;
    }
}
