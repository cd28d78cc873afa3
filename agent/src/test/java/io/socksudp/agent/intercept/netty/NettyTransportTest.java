package io.socksudp.agent.intercept.netty;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class NettyTransportTest {

    @Test
    void recognisesNettysNativeDatagramChannelsUnderAnyPackage() {
        assertEquals(NettyTransport.EPOLL, NettyTransport.ofInternalName("io/netty/channel/epoll/EpollDatagramChannel"));
        assertEquals(NettyTransport.EPOLL, NettyTransport.ofInternalName(
                "io/grpc/netty/shaded/io/netty/channel/epoll/EpollDatagramChannel"));
        assertEquals(NettyTransport.EPOLL, NettyTransport.ofInternalName("io.netty.channel.epoll.EpollDatagramChannel"));
        assertEquals(NettyTransport.IO_URING, NettyTransport.ofInternalName(
                "io/netty/channel/uring/IoUringDatagramChannel"));
        assertEquals(NettyTransport.INCUBATOR_IO_URING, NettyTransport.ofInternalName(
                "io/netty/incubator/channel/uring/IOUringDatagramChannel"));
        assertEquals(NettyTransport.KQUEUE, NettyTransport.ofInternalName(
                "com/acme/shaded/kqueue/KQueueDatagramChannel"));
        assertEquals(NettyTransport.EPOLL, NettyTransport.ofInternalName("EpollDatagramChannel"));
    }

    @Test
    void leavesEverythingElseAlone() {
        assertNull(NettyTransport.ofInternalName("io/netty/channel/socket/nio/NioDatagramChannel"));
        assertNull(NettyTransport.ofInternalName("io/netty/channel/epoll/EpollDomainDatagramChannel"));
        assertNull(NettyTransport.ofInternalName("io/netty/channel/epoll/MyEpollDatagramChannel"));
        assertNull(NettyTransport.ofInternalName("io/netty/channel/epoll/EpollDatagramChannel$1"));
        assertNull(NettyTransport.ofInternalName("io/netty/channel/epoll/EpollDatagramChannelConfig"));
        assertNull(NettyTransport.ofInternalName("sun/nio/ch/DatagramChannelImpl"));
        assertNull(NettyTransport.ofInternalName("java/lang/String"));
        assertNull(NettyTransport.ofInternalName(""));
    }
}
