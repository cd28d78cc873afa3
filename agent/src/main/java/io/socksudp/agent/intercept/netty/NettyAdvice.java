package io.socksudp.agent.intercept.netty;

import io.socksudp.agent.bootstrap.NettyDispatch;
import net.bytebuddy.asm.Advice;

import java.io.IOException;

/**
 * Advice inlined into Netty's native datagram channels, in the application's class loaders. It holds no logic and
 * references nothing but JDK types and {@link NettyDispatch}, which every loader finds in the bootstrap loader.
 * The IOExceptions it throws are not declared by the advised methods; Netty catches them as Throwable (a failed
 * write or connect promise, a failed channel creation), the JVM does not check.
 */
final class NettyAdvice {

    private NettyAdvice() {
    }

    /** Every constructor of a channel of {@link NettyLayout#UNKNOWN} layout: refused before the socket is made. */
    static final class RefuseConstruction {
        @Advice.OnMethodEnter
        static void enter(@Advice.Origin("#t") String channelClass) throws IOException {
            NettyDispatch.refuseChannel(channelClass);
        }
    }

    /** {@code filterOutboundMessage(Object)}: a write that would leave directly to a proxied destination fails. */
    static final class CheckWrite {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Object channel, @Advice.Argument(0) Object msg) throws IOException {
            NettyDispatch.checkWrite(channel, msg);
        }
    }

    /** {@code doConnect(SocketAddress, SocketAddress)}: connecting the socket to a proxied peer fails. */
    static final class CheckConnect {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Object channel, @Advice.Argument(0) Object remote) throws IOException {
            NettyDispatch.checkConnect(channel, remote);
        }
    }
}
