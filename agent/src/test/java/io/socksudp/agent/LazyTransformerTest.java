package io.socksudp.agent;

import io.socksudp.agent.intercept.netty.NettyStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one transformer's name check for Netty, which stands in at premain for the Netty strategy's own: it must let
 * through every class that check takes (a Netty channel class not handed on would send around the proxy), and should
 * let through little else (each one would load the strategy's classes in a JVM that has no Netty).
 */
class LazyTransformerTest {

    @Test
    void letsThroughEveryClassTheNettyStrategyInstruments() {
        String[] packages = {"io/netty/channel/epoll/", "io.netty.channel.epoll.", "io/netty/channel/uring/",
            "io/netty/incubator/channel/uring/", "io/grpc/netty/shaded/io/netty/channel/kqueue/", ""};
        String[] simpleNames = {"EpollDatagramChannel", "EpollDatagramChannel$EpollDatagramChannelUnsafe",
            "IoUringDatagramChannel", "IoUringDatagramChannel$IoUringDatagramChannelUnsafe", "AbstractIoUringChannel",
            "AbstractIoUringChannel$AbstractUringUnsafe", "IOUringDatagramChannel",
            "IOUringDatagramChannel$IOUringDatagramChannelUnsafe", "AbstractIOUringChannel",
            "AbstractIOUringChannel$AbstractUringUnsafe", "KQueueDatagramChannel", "MsgHdrMemory"};
        for (String pkg : packages) {
            for (String simple : simpleNames) {
                String name = pkg + simple;
                assertTrue(NettyStrategy.isWatched(name), name); // the names are right: the strategy takes them
                assertTrue(LazyTransformer.mayBeNetty(name), name);
            }
        }
    }

    @Test
    void letsThroughNeitherTheJdksChannelsNorCommonClasses() {
        for (String name : new String[] {"java/nio/channels/DatagramChannel", "java.nio.channels.DatagramChannel",
            "sun/nio/ch/DatagramChannelImpl", "java/nio/channels/FileChannel", "sun/misc/Unsafe",
            "io/netty/channel/socket/nio/NioServerSocketChannel", "io/netty/channel/AbstractChannel$AbstractUnsafe",
            "java/lang/String", "DatagramChannel"}) {
            assertFalse(LazyTransformer.mayBeNetty(name), name);
            assertFalse(NettyStrategy.isWatched(name), name);
        }
    }
}
