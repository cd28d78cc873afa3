package io.socksudp.agent.intercept.nio;

import io.socksudp.agent.intercept.DatagramInstrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

import java.io.FileDescriptor;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
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
    public String missingOnThisJdk() {
        Class<?> channel;
        try {
            channel = Class.forName(CHANNEL_CLASS);
        } catch (ClassNotFoundException e) {
            return CHANNEL_CLASS + " does not exist";
        }
        String missing = null;
        missing = orMissing(missing, channel, int.class, "send", FileDescriptor.class, ByteBuffer.class,
                InetSocketAddress.class);
        missing = orMissing(missing, channel, int.class, "receive", ByteBuffer.class, boolean.class);
        missing = orMissing(missing, channel, InetSocketAddress.class, "sourceSocketAddress");
        missing = orMissing(missing, channel, DatagramChannel.class, "connect", SocketAddress.class, boolean.class);
        missing = orMissing(missing, channel, void.class, "implCloseSelectableChannel");
        return missing;
    }

    private static String orMissing(String already, Class<?> type, Class<?> result, String name,
                                    Class<?>... parameters) {
        if (already != null) {
            return already;
        }
        try {
            Method m = type.getDeclaredMethod(name, parameters);
            if (m.getReturnType() == result) {
                return null;
            }
        } catch (NoSuchMethodException e) {
            // fall through to the description
        }
        StringBuilder signature = new StringBuilder(name).append('(');
        for (int i = 0; i < parameters.length; i++) {
            signature.append(i == 0 ? "" : ", ").append(parameters[i].getSimpleName());
        }
        return type.getName() + " has no method " + result.getSimpleName() + " " + signature + ")";
    }

    @Override
    public Map<String, AsmVisitorWrapper> advice() {
        AsmVisitorWrapper channelAdvice = new AsmVisitorWrapper.Compound(
                advice(DatagramChannelAdvice.Send.class, named("send")
                        .and(takesArguments(FileDescriptor.class, ByteBuffer.class, InetSocketAddress.class))),
                advice(DatagramChannelAdvice.Receive.class, named("receive")
                        .and(takesArguments(ByteBuffer.class, boolean.class))),
                advice(DatagramChannelAdvice.SourceAddress.class, named("sourceSocketAddress")
                        .and(takesArguments(0)).and(returns(InetSocketAddress.class))),
                advice(DatagramChannelAdvice.Connect.class, named("connect")
                        .and(takesArguments(SocketAddress.class, boolean.class))),
                advice(DatagramChannelAdvice.Close.class, named("implCloseSelectableChannel")
                        .and(takesArguments(0))));
        return Collections.singletonMap(CHANNEL_CLASS, channelAdvice);
    }

    private static AsmVisitorWrapper advice(Class<?> adviceClass,
                                            ElementMatcher<? super MethodDescription> methods) {
        return Advice.to(adviceClass).on(methods);
    }
}
