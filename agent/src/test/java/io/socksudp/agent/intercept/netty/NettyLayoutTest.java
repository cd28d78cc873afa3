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
 * each native datagram channel is recognised and gets its checks, and the calls are inlined into it and into the
 * classes around it that the tunnel needs (read loops, io_uring's connect path); epoll and io_uring also run in
 * NettyNativeIT, the incubator io_uring and kqueue only here.
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
                + " false, TUNNELLED",
        "netty-incubator-transport-classes-io_uring-0.0.26.Final.jar,"
                + " io.netty.incubator.channel.uring.IOUringDatagramChannel, INCUBATOR_IO_URING, false, TUNNELLED",
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
            assertEquals(transport == NettyTransport.EPOLL ? 3 : 0, reads, "epoll's processPacket, processPacketList"
                    + " and connectedRead fire the packets they read; io_uring's read loop does");
            assertEquals(0, DispatchCalls.fireChannelReadCalls(advised), "every fireChannelRead goes through the hook");
            assertTrue(text.contains("outbound") && text.contains("closing") && text.contains("disconnecting"),
                    "the tunnel's hooks");
            assertEquals(transport == NettyTransport.EPOLL, text.contains("connectTarget") && text.contains("connectDone"),
                    "epoll connects in doConnect; io_uring in its base unsafe");
            assertEquals(transport == NettyTransport.EPOLL, text.contains("holdWrites"),
                    "epoll's doWrite holds writes waiting for their association; io_uring's writes wait");
            assertEquals(transport == NettyTransport.EPOLL ? 3 : 0, hookCalls(advised, "nativePacket"),
                    "epoll's recvmsg and scatteringRead (twice) build their packets through the hook");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "netty-transport-classes-io_uring-4.2.18.Final.jar, io.netty.channel.uring.MsgHdrMemory",
        "netty-incubator-transport-classes-io_uring-0.0.26.Final.jar, io.netty.incubator.channel.uring.MsgHdrMemory",
    })
    void ioUringsReceivedPacketsTakeTheirSenderFromTheHook(String jar, String className) throws IOException {
        NettyTransport transport = NettyTransport.owning(className);
        assertNotNull(transport, className);
        assertEquals(NettyTransport.Role.MSG_HDR, transport.roleOf(className));
        byte[] advised = NettyTransformer.instrument(className, classFile(JARS.resolve(jar), className));
        assertEquals(1, hookCalls(advised, "receivedSender"), "get (4.2) or read (incubator) builds the packet");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "netty-transport-classes-epoll-4.1.118.Final.jar,"
                + " io.netty.channel.epoll.EpollDatagramChannel$EpollDatagramChannelUnsafe, 0",
        "netty-transport-classes-epoll-4.2.18.Final.jar,"
                + " io.netty.channel.epoll.EpollDatagramChannel$EpollDatagramChannelUnsafe, 0",
        "netty-transport-classes-io_uring-4.2.18.Final.jar,"
                + " io.netty.channel.uring.IoUringDatagramChannel$IoUringDatagramChannelUnsafe, 1",
        "netty-incubator-transport-classes-io_uring-0.0.26.Final.jar,"
                + " io.netty.incubator.channel.uring.IOUringDatagramChannel$IOUringDatagramChannelUnsafe, 2",
    })
    void theReadLoopAsksTheSlotSizeAndIoUringsFiresThroughTheHook(String jar, String className, int reads)
            throws IOException {
        NettyTransport transport = NettyTransport.owning(className.replace('.', '/'));
        assertEquals(NettyTransport.Role.READ_LOOP, transport.roleOf(className));
        byte[] classfile = classFile(JARS.resolve(jar), className);
        assertEquals(reads, DispatchCalls.fireChannelReadCalls(classfile), "io_uring's read loop fires what it reads");
        byte[] advised = NettyTransformer.instrument(className, classfile);
        String text = new String(advised, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertEquals(reads == 0, text.contains("slotSize"), "epoll's recvmmsg slot size goes through the hook"
                + " (io_uring's is 0, inlined)");
        assertEquals(0, DispatchCalls.fireChannelReadCalls(advised), "every fireChannelRead goes through the hook");
        assertEquals(false, text.contains("refuseChannel"), "a known read loop is not refused");
    }

    @Test
    void anIoUringReadLoopThatFiresNothingIsRefused() throws IOException {
        // epoll's read loop fires nothing itself (its channel does): under io_uring's name it is a layout unknown.
        String epoll = "io.netty.channel.epoll.EpollDatagramChannel$EpollDatagramChannelUnsafe";
        byte[] classfile = classFile(JARS.resolve("netty-transport-classes-epoll-4.2.18.Final.jar"), epoll);
        byte[] advised = NettyTransformer.instrument(
                "io.netty.channel.uring.IoUringDatagramChannel$IoUringDatagramChannelUnsafe", classfile);
        String text = new String(advised, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("refuseChannel") && text.contains("io.netty.channel.uring.IoUringDatagramChannel"),
                "its constructor refuses, naming the channel");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource({
        "netty-transport-classes-io_uring-4.2.18.Final.jar, io.netty.channel.uring.AbstractIoUringChannel,"
                + " connectedRemote",
        "netty-transport-classes-io_uring-4.2.18.Final.jar,"
                + " io.netty.channel.uring.AbstractIoUringChannel$AbstractUringUnsafe, connectTarget",
        "netty-incubator-transport-classes-io_uring-0.0.26.Final.jar,"
                + " io.netty.incubator.channel.uring.AbstractIOUringChannel, connectedRemote",
        "netty-incubator-transport-classes-io_uring-0.0.26.Final.jar,"
                + " io.netty.incubator.channel.uring.AbstractIOUringChannel$AbstractUringUnsafe, connectTarget",
    })
    void ioUringsConnectPathGoesThroughTheHooks(String jar, String className, String hook) throws IOException {
        NettyTransport transport = NettyTransport.owning(className);
        assertNotNull(transport, className);
        byte[] classfile = classFile(JARS.resolve(jar), className);
        byte[] advised = NettyTransformer.instrument(className, classfile);
        String text = new String(advised, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("io/socksudp/agent/bootstrap/NettyDispatch") && text.contains(hook), hook);
        assertEquals(1, hookCalls(advised, hook), "one call to " + hook);
    }

    /** How many calls to NettyDispatch.{@code hook} the class makes. */
    private static int hookCalls(byte[] classfile, String hook) {
        int[] calls = {0};
        new net.bytebuddy.jar.asm.ClassReader(classfile).accept(
                new net.bytebuddy.jar.asm.ClassVisitor(net.bytebuddy.utility.OpenedClassReader.ASM_API) {
                    @Override
                    public net.bytebuddy.jar.asm.MethodVisitor visitMethod(int access, String name, String descriptor,
                                                                          String signature, String[] exceptions) {
                        return new net.bytebuddy.jar.asm.MethodVisitor(net.bytebuddy.utility.OpenedClassReader.ASM_API) {
                            @Override
                            public void visitMethodInsn(int opcode, String owner, String called, String d, boolean i) {
                                if (owner.equals("io/socksudp/agent/bootstrap/NettyDispatch") && called.equals(hook)) {
                                    calls[0]++;
                                }
                            }
                        };
                    }
                }, 0);
        return calls[0];
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
