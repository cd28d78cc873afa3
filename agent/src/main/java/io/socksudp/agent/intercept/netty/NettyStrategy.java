package io.socksudp.agent.intercept.netty;

import io.socksudp.agent.intercept.TunnelHooks;
import io.socksudp.agent.intercept.Routing;

import java.lang.instrument.ClassFileTransformer;

/**
 * The Netty strategy: Netty's native datagram transports (epoll, io_uring, the 4.1 incubator's io_uring, kqueue)
 * send and receive through JNI or io_uring's submission queue on their own socket, around every JDK class the other
 * strategies instrument. Unlike the JDK's classes they live in the application's class loaders, as many copies as
 * the application has, possibly shaded, and they may never load at all: nothing is prepared at start-up but a
 * name check in the agent's one transformer.
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
         * The agent's hooks, activating them now if no JDK datagram class has yet (a Netty native channel is the
         * application's first UDP): called on a channel's first write or connect, never while a class loads.
         */
        TunnelHooks hooks() throws java.io.IOException;

        /** Stops the JVM with {@code sentence}: a channel class left unchanged would send around the proxy. */
        void refuse(String sentence);
    }

    /**
     * The strategy's transformer, which installs the hooks when it first meets a Netty channel class, before that
     * class can run. Not registered: the agent's one transformer hands it the classes whose names may be Netty's, and
     * creates it only at the first of them (a JVM without Netty never loads the strategy). Channel classes loaded
     * already (an agent attached late) are the caller's to retransform, from its one scan of the loaded classes
     * ({@link #isWatched}).
     */
    public static ClassFileTransformer transformer(Routing routing, Host host) {
        // NettyTransport loaded now, with the enum's values, not while the first Netty class is transformed. Not
        // through owning(), whose Role loads with the first Netty class transformed.
        NettyTransport.ofInternalName("EpollDatagramChannel");
        return new NettyTransformer(routing, host);
    }

    /** Whether the strategy transforms the class of this name (a rolled-back attach retransforms those loaded). */
    public static boolean isWatched(String className) {
        return NettyTransport.owning(className) != null;
    }
}
