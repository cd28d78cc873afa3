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
    void recognisesTheClassesAroundTheChannels() {
        assertEquals(NettyTransport.Role.READ_LOOP, NettyTransport.EPOLL.roleOf(
                "io/netty/channel/epoll/EpollDatagramChannel$EpollDatagramChannelUnsafe"));
        assertEquals(NettyTransport.IO_URING, NettyTransport.owning(
                "shaded/io/netty/channel/uring/IoUringDatagramChannel$IoUringDatagramChannelUnsafe"));
        assertEquals(NettyTransport.Role.BASE, NettyTransport.IO_URING.roleOf("io.netty.channel.uring.AbstractIoUringChannel"));
        assertEquals(NettyTransport.Role.BASE_UNSAFE, NettyTransport.IO_URING.roleOf(
                "io/netty/channel/uring/AbstractIoUringChannel$AbstractUringUnsafe"));
        assertEquals(NettyTransport.INCUBATOR_IO_URING, NettyTransport.owning(
                "io/netty/incubator/channel/uring/AbstractIOUringChannel$AbstractUringUnsafe"));
        assertEquals(NettyTransport.Role.CHANNEL, NettyTransport.KQUEUE.roleOf("x/KQueueDatagramChannel"));
        assertEquals(NettyTransport.Role.MSG_HDR, NettyTransport.owning("io/netty/incubator/channel/uring/MsgHdrMemory")
                .roleOf("io/netty/incubator/channel/uring/MsgHdrMemory"));
        assertNull(NettyTransport.owning("io/netty/channel/uring/MsgHdrMemoryArray"));
        assertNull(NettyTransport.owning("io/netty/channel/AbstractChannel$AbstractUnsafe"));
        assertNull(NettyTransport.owning("io/netty/channel/uring/IoUringSocketChannel"));
        assertNull(NettyTransport.owning("io/netty/channel/uring/MyAbstractIoUringChannel"));
        assertNull(NettyTransport.owning("io/netty/channel/kqueue/KQueueDatagramChannel$KQueueDatagramChannelUnsafe"));
        assertNull(NettyTransport.owning("java/lang/String"));
        assertNull(NettyTransport.owning(""));
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
