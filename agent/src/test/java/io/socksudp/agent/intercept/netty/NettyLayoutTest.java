package io.socksudp.agent.intercept.netty;

import io.socksudp.agent.intercept.ClassFileInventory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layouts of the real Netty releases, from their class files (target/netty-classfiles, copied by the build):
 * each native datagram channel is recognised and gets its checks, and Byte Buddy can inline the advice into it;
 * epoll and io_uring also run in NettyNativeIT, the incubator io_uring and kqueue only here.
 */
class NettyLayoutTest {

    private static final Path JARS = Paths.get("target", "netty-classfiles");

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "netty-transport-classes-epoll-4.1.118.Final.jar, io.netty.channel.epoll.EpollDatagramChannel, EPOLL, true,"
                + " TUNNELLED",
        "netty-transport-classes-epoll-4.2.18.Final.jar, io.netty.channel.epoll.EpollDatagramChannel, EPOLL, true,"
                + " TUNNELLED",
        "netty-transport-classes-io_uring-4.2.18.Final.jar, io.netty.channel.uring.IoUringDatagramChannel, IO_URING,"
                + " false, GUARDED",
        "netty-incubator-transport-classes-io_uring-0.0.26.Final.jar,"
                + " io.netty.incubator.channel.uring.IOUringDatagramChannel, INCUBATOR_IO_URING, false, GUARDED",
        "netty-transport-classes-kqueue-4.1.118.Final.jar, io.netty.channel.kqueue.KQueueDatagramChannel, KQUEUE, true,"
                + " GUARDED",
        "netty-transport-classes-kqueue-4.2.18.Final.jar, io.netty.channel.kqueue.KQueueDatagramChannel, KQUEUE, true,"
                + " GUARDED",
    })
    void everyReleasedChannelIsTunnelledOrGuarded(String jar, String className, NettyTransport transport,
                                                  boolean connectChecked, NettyLayout expected) throws IOException {
        byte[] classfile = classFile(JARS.resolve(jar), className);
        assertEquals(transport, NettyTransport.ofInternalName(className.replace('.', '/')));
        ClassFileInventory inventory = ClassFileInventory.of(className, classfile);
        int reads = DispatchCalls.fireChannelReadCalls(classfile);
        assertEquals(expected, NettyLayout.of(transport, inventory, reads));
        assertEquals(connectChecked, NettyMember.DO_CONNECT.declaredIn(inventory));
        byte[] advised = NettyTransformer.instrument(className, classfile);
        String text = new String(advised, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("io/socksudp/agent/bootstrap/NettyDispatch"), "the advice calls NettyDispatch");
        if (expected == NettyLayout.TUNNELLED) {
            assertEquals(3, reads, "processPacket, processPacketList and connectedRead fire the packets they read");
            assertEquals(0, DispatchCalls.fireChannelReadCalls(advised), "every fireChannelRead goes through the hook");
            assertTrue(text.contains("outbound") && text.contains("connectTarget") && text.contains("connectDone")
                    && text.contains("closing") && text.contains("disconnecting"), "the tunnel's hooks");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"netty-transport-classes-epoll-4.1.118.Final.jar", "netty-transport-classes-epoll-4.2.18.Final.jar"})
    void epollsReadLoopAsksTheSlotSize(String jar) throws IOException {
        String className = "io.netty.channel.epoll." + NettyTransport.EPOLL_READ_LOOP;
        assertTrue(NettyTransport.isEpollReadLoop(className.replace('.', '/')));
        byte[] advised = NettyTransformer.instrument(className, classFile(JARS.resolve(jar), className));
        assertTrue(new String(advised, java.nio.charset.StandardCharsets.ISO_8859_1).contains("slotSize"),
                "recvmmsg's slot size goes through the hook");
    }

    @Test
    void aChannelWithoutFilterOutboundMessageIsUnknown() throws IOException {
        // A class of that name without Netty's write path: this test class's own bytes stand in for it.
        String self = NettyLayoutTest.class.getName();
        byte[] classfile;
        try (InputStream in = NettyLayoutTest.class.getResourceAsStream("NettyLayoutTest.class")) {
            classfile = in.readAllBytes();
        }
        assertEquals(NettyLayout.UNKNOWN, NettyLayout.of(NettyTransport.EPOLL, ClassFileInventory.of(self, classfile),
                DispatchCalls.fireChannelReadCalls(classfile)));
    }

    private static byte[] classFile(Path jar, String className) throws IOException {
        assertTrue(Files.isRegularFile(jar), jar + " is missing: the build copies it (maven-dependency-plugin)");
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(className.replace('.', '/') + ".class");
            assertNotNull(entry, className + " in " + jar);
            try (InputStream in = zip.getInputStream(entry)) {
                return in.readAllBytes();
            }
        }
    }
}
