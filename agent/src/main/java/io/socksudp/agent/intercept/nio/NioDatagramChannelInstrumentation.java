package io.socksudp.agent.intercept.nio;

import io.socksudp.agent.intercept.ClassFileInventory;
import io.socksudp.agent.intercept.DatagramInstrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Map;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * JDK 17 and newer (JEP 373): {@code DatagramSocket}, {@code MulticastSocket} and {@code DatagramChannel}
 * all do their I/O in {@code sun.nio.ch.DatagramChannelImpl}, so a handful of its methods cover every path.
 */
public final class NioDatagramChannelInstrumentation implements DatagramInstrumentation {

    static final String CHANNEL_CLASS = "sun.nio.ch.DatagramChannelImpl";

    @Override
    public String name() {
        return "nio-datagram-channel";
    }

    @Override
    public String[] targetClasses() {
        return new String[] {CHANNEL_CLASS};
    }

    @Override
    public String missingOnThisJdk() {
        ClassFileInventory channel;
        try {
            channel = ClassFileInventory.of(CHANNEL_CLASS);
        } catch (IOException e) {
            return "cannot read " + CHANNEL_CLASS + " (" + e + ")";
        }
        if (channel == null) {
            return CHANNEL_CLASS + " does not exist";
        }
        String[][] advised = {
            {"send", "(Ljava/io/FileDescriptor;Ljava/nio/ByteBuffer;Ljava/net/InetSocketAddress;)I"},
            {"send", "(Ljava/nio/ByteBuffer;Ljava/net/SocketAddress;)I"},
            {"write", "(Ljava/nio/ByteBuffer;)I"},
            {"write", "([Ljava/nio/ByteBuffer;II)J"},
            {"receive", "(Ljava/nio/ByteBuffer;Z)I"},
            {"read", "(Ljava/nio/ByteBuffer;)I"},
            {"read", "([Ljava/nio/ByteBuffer;II)J"},
            {"sourceSocketAddress", "()Ljava/net/InetSocketAddress;"},
            {"connect", "(Ljava/net/SocketAddress;Z)Ljava/nio/channels/DatagramChannel;"},
            {"disconnect", "()Ljava/nio/channels/DatagramChannel;"},
            {"implCloseSelectableChannel", "()V"},
        };
        for (String[] method : advised) {
            String missing = channel.missing(method[0], method[1]);
            if (missing != null) {
                return missing;
            }
        }
        // Connect advice keeps the application's peer in the JDK's own field.
        return channel.missingField("remoteAddress", "Ljava/net/InetSocketAddress;");
    }

    @Override
    public Map<String, AsmVisitorWrapper> advice() {
        AsmVisitorWrapper channelAdvice = new AsmVisitorWrapper.Compound(
                advice(DatagramChannelAdvice.Send.class, named("send")
                        .and(takesArguments(FileDescriptor.class, ByteBuffer.class, InetSocketAddress.class))),
                advice(DatagramChannelAdvice.PublicSend.class, named("send")
                        .and(takesArguments(ByteBuffer.class, SocketAddress.class))),
                advice(DatagramChannelAdvice.Write.class, named("write").and(takesArguments(ByteBuffer.class))),
                advice(DatagramChannelAdvice.GatheringWrite.class, named("write")
                        .and(takesArguments(ByteBuffer[].class, int.class, int.class))),
                advice(DatagramChannelAdvice.Receive.class, named("receive")
                        .and(takesArguments(ByteBuffer.class, boolean.class))),
                advice(DatagramChannelAdvice.Read.class, named("read").and(takesArguments(ByteBuffer.class))),
                advice(DatagramChannelAdvice.ScatteringRead.class, named("read")
                        .and(takesArguments(ByteBuffer[].class, int.class, int.class))),
                advice(DatagramChannelAdvice.SourceAddress.class, named("sourceSocketAddress")
                        .and(takesArguments(0)).and(returns(InetSocketAddress.class))),
                advice(DatagramChannelAdvice.Connect.class, named("connect")
                        .and(takesArguments(SocketAddress.class, boolean.class))),
                advice(DatagramChannelAdvice.Disconnect.class, named("disconnect").and(takesArguments(0))),
                advice(DatagramChannelAdvice.Close.class, named("implCloseSelectableChannel")
                        .and(takesArguments(0))));
        return Collections.singletonMap(CHANNEL_CLASS, channelAdvice);
    }

    private static AsmVisitorWrapper advice(Class<?> adviceClass,
                                            ElementMatcher<? super MethodDescription> methods) {
        return Advice.to(adviceClass).on(methods);
    }
}
