package io.socksudp.agent.intercept.nio;

import io.socksudp.agent.intercept.DatagramInstrumentation;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

import java.io.FileDescriptor;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * JDK 17 and newer (JEP 373): {@code DatagramSocket}, {@code MulticastSocket} and {@code DatagramChannel}
 * all do their I/O in {@code sun.nio.ch.DatagramChannelImpl}, so four private methods cover every path.
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
    public AgentBuilder instrument(AgentBuilder builder) {
        return builder.type(named(CHANNEL_CLASS)).transform(new AgentBuilder.Transformer() {
            @Override
            public net.bytebuddy.dynamic.DynamicType.Builder<?> transform(
                    net.bytebuddy.dynamic.DynamicType.Builder<?> type,
                    net.bytebuddy.description.type.TypeDescription typeDescription, ClassLoader classLoader,
                    net.bytebuddy.utility.JavaModule module, java.security.ProtectionDomain protectionDomain) {
                return type.visit(advice(DatagramChannelAdvice.Send.class, named("send")
                                .and(takesArguments(FileDescriptor.class, ByteBuffer.class, InetSocketAddress.class))))
                        .visit(advice(DatagramChannelAdvice.Receive.class, named("receive")
                                .and(takesArguments(ByteBuffer.class, boolean.class))))
                        .visit(advice(DatagramChannelAdvice.SourceAddress.class, named("sourceSocketAddress")
                                .and(takesArguments(0)).and(returns(InetSocketAddress.class))))
                        .visit(advice(DatagramChannelAdvice.Close.class, named("implCloseSelectableChannel")
                                .and(takesArguments(0))));
            }
        });
    }

    private static AsmVisitorWrapper advice(Class<?> adviceClass,
                                            ElementMatcher<? super MethodDescription> methods) {
        return Advice.to(adviceClass).on(methods);
    }
}
