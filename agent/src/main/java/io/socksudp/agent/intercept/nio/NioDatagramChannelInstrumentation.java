package io.socksudp.agent.intercept.nio;

import io.socksudp.agent.intercept.ChannelAccess;
import io.socksudp.agent.intercept.ChannelTunnels;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * {@code sun.nio.ch.DatagramChannelImpl}, behind every {@code DatagramChannel} on every JDK, and behind
 * {@code DatagramSocket} and {@code MulticastSocket} too from JDK 15 on (JEP 373).
 *
 * <p>The class comes in two layouts, told apart by the methods its class file declares:
 * <ul>
 *   <li>{@link Layout#SOURCE_METHOD} (JDK 17+): the private {@code receive(ByteBuffer, boolean)} leaves the
 *   sender to {@code sourceSocketAddress()}, and blocking callers park and retry on "nothing there";</li>
 *   <li>{@link Layout#SENDER_FIELD} (JDK 8 to 14): the private receive takes the file descriptor, the native
 *   code stores the sender in the field {@code sender}, and a blocking receive that gets "nothing there"
 *   returns null to its caller, so a dropped datagram makes the advice repeat the receive instead.</li>
 * </ul>
 * Sending is the same in both, except that JDK 8's connected {@code send} calls {@code write}: the write
 * advice leaves a buffer that is framed already alone.
 */
public final class NioDatagramChannelInstrumentation implements DatagramInstrumentation {

    static final String CHANNEL_CLASS = "sun.nio.ch.DatagramChannelImpl";
    /** The socket adaptor of JDK 8 to 14, whose timed receive the SENDER_FIELD layout also advises. */
    static final String ADAPTOR_CLASS = "sun.nio.ch.DatagramSocketAdaptor";

    private static final String CONNECT = "(Ljava/net/SocketAddress;)Ljava/nio/channels/DatagramChannel;";

    /** The two generations of the class. */
    public enum Layout {
        SOURCE_METHOD,
        SENDER_FIELD
    }

    private final Layout layout;
    /** For JDK 8 to 14: the private receive's descriptor (JDK 11 has a {@code connected} flag, JDK 8 does not). */
    private final String receiveDescriptor;
    private final String missing;

    private NioDatagramChannelInstrumentation(Layout layout, String receiveDescriptor, String missing) {
        this.layout = layout;
        this.receiveDescriptor = receiveDescriptor;
        this.missing = missing;
    }

    /** The instrumentation for the running JDK's layout of the class, read from its class files. */
    public static NioDatagramChannelInstrumentation forThisJdk() {
        return forClassFiles(null, null);
    }

    /**
     * The instrumentation for the layout of the class, from {@code classfile} when {@code className} is the
     * channel or its socket adaptor (the class being loaded), and the JDK's class files for the others.
     */
    public static NioDatagramChannelInstrumentation forClassFiles(String className, byte[] classfile) {
        ClassFileInventory channel;
        try {
            channel = ClassFileInventory.of(CHANNEL_CLASS, className, classfile);
        } catch (IOException | IllegalArgumentException e) {
            return unsupported("cannot read " + CHANNEL_CLASS + " (" + e + ")");
        }
        if (channel == null) {
            return unsupported(CHANNEL_CLASS + " does not exist");
        }
        NioDatagramChannelInstrumentation strategy = forClass(channel);
        if (strategy.layout == Layout.SENDER_FIELD) {
            String gap;
            try {
                gap = adaptorGap(ClassFileInventory.of(ADAPTOR_CLASS, className, classfile));
            } catch (IOException | IllegalArgumentException e) {
                gap = "cannot read " + ADAPTOR_CLASS + " (" + e + ")";
            }
            if (gap != null) {
                return unsupported(gap);
            }
        }
        return strategy;
    }

    /** Null when JDK 8 to 14's socket adaptor has what {@link DatagramChannelAdvice.AdaptorTimedReceive} needs. */
    static String adaptorGap(ClassFileInventory adaptor) {
        if (adaptor == null) {
            return ADAPTOR_CLASS + " does not exist";
        }
        String gap = adaptor.missing("receive", "(Ljava/nio/ByteBuffer;)Ljava/net/SocketAddress;");
        if (gap == null) {
            gap = adaptor.missingField("dc", "Lsun/nio/ch/DatagramChannelImpl;");
        }
        return gap != null ? gap : adaptor.missingField("timeout", "I");
    }

    static NioDatagramChannelInstrumentation forClass(ClassFileInventory channel) {
        String[][] candidates = {
            // layout, private receive, connect
            {"SOURCE_METHOD", "(Ljava/nio/ByteBuffer;Z)I", "(Ljava/net/SocketAddress;Z)Ljava/nio/channels/DatagramChannel;"},
            {"SENDER_FIELD", "(Ljava/io/FileDescriptor;Ljava/nio/ByteBuffer;Z)I", CONNECT},
            {"SENDER_FIELD", "(Ljava/io/FileDescriptor;Ljava/nio/ByteBuffer;)I", CONNECT},
        };
        String firstMissing = null;
        for (String[] candidate : candidates) {
            Layout layout = Layout.valueOf(candidate[0]);
            String gap = firstGap(channel, layout, candidate[1], candidate[2]);
            if (gap == null) {
                return new NioDatagramChannelInstrumentation(layout, candidate[1], null);
            }
            if (channel.missing("receive", candidate[1]) == null || firstMissing == null) {
                firstMissing = gap; // report the gap of the layout whose receive matched, if any
            }
        }
        return unsupported(firstMissing);
    }

    private static NioDatagramChannelInstrumentation unsupported(String missing) {
        return new NioDatagramChannelInstrumentation(null, null, missing);
    }

    private static String firstGap(ClassFileInventory channel, Layout layout, String receive, String connect) {
        List<String[]> advised = new ArrayList<String[]>();
        advised.add(new String[] {"receive", receive});
        advised.add(new String[] {"connect", connect});
        advised.add(new String[] {"send",
            "(Ljava/io/FileDescriptor;Ljava/nio/ByteBuffer;Ljava/net/InetSocketAddress;)I"});
        advised.add(new String[] {"send", "(Ljava/nio/ByteBuffer;Ljava/net/SocketAddress;)I"});
        advised.add(new String[] {"write", "(Ljava/nio/ByteBuffer;)I"});
        advised.add(new String[] {"write", "([Ljava/nio/ByteBuffer;II)J"});
        advised.add(new String[] {"read", "(Ljava/nio/ByteBuffer;)I"});
        advised.add(new String[] {"read", "([Ljava/nio/ByteBuffer;II)J"});
        advised.add(new String[] {"disconnect", "()Ljava/nio/channels/DatagramChannel;"});
        advised.add(new String[] {"implCloseSelectableChannel", "()V"});
        if (layout == Layout.SOURCE_METHOD) {
            advised.add(new String[] {"sourceSocketAddress", "()Ljava/net/InetSocketAddress;"});
        }
        for (String[] method : advised) {
            String gap = channel.missing(method[0], method[1]);
            if (gap != null) {
                return gap;
            }
        }
        // Connect advice keeps the application's peer in the JDK's own field.
        String gap = channel.missingField("remoteAddress", "Ljava/net/InetSocketAddress;");
        if (gap == null && layout == Layout.SENDER_FIELD) {
            String[][] fields = {
                {"sender", "Ljava/net/SocketAddress;"},
                {"cachedSenderInetAddress", "Ljava/net/InetAddress;"},
                {"cachedSenderPort", "I"},
            };
            for (String[] field : fields) {
                gap = channel.missingField(field[0], field[1]);
                if (gap != null) {
                    break;
                }
            }
        }
        return gap;
    }

    @Override
    public String name() {
        // The receive descriptor tells JDK 8's variant of the sender-field layout from JDK 11's (different advice).
        return "nio-datagram-channel (" + (layout == null ? "unsupported" : layout.name().toLowerCase()
                + (layout == Layout.SENDER_FIELD ? ", receive" + receiveDescriptor : "")) + ")";
    }

    @Override
    public String[] targetClasses() {
        return layout == Layout.SENDER_FIELD ? new String[] {CHANNEL_CLASS, ADAPTOR_CLASS}
                : new String[] {CHANNEL_CLASS};
    }

    @Override
    public String missingOnThisJdk() {
        return missing;
    }

    Layout layout() {
        return layout;
    }

    /** How the agent reads this layout's channels. */
    public ChannelAccess channelAccess() {
        return new NioChannelAccess(layout == Layout.SENDER_FIELD);
    }

    @Override
    public String[] javaBasePackages() {
        return new String[] {"sun.nio.ch"};
    }

    @Override
    public void wire(ChannelTunnels tunnels) {
        tunnels.useChannelAccess(channelAccess());
    }

    @Override
    public Map<String, AsmVisitorWrapper> advice() {
        return Builder.advice(layout, receiveDescriptor);
    }

    /**
     * Builds the advice with Byte Buddy. A class of its own so that linking the strategy (which the verifier does
     * when the first datagram class loads, cache hit or not) never loads a Byte Buddy type.
     */
    private static final class Builder {

        static Map<String, AsmVisitorWrapper> advice(Layout layout, String receiveDescriptor) {
            List<AsmVisitorWrapper> advice = new ArrayList<AsmVisitorWrapper>();
            advice.add(advice(DatagramChannelAdvice.Send.class, named("send")
                    .and(takesArguments(FileDescriptor.class, ByteBuffer.class, InetSocketAddress.class))));
            advice.add(advice(DatagramChannelAdvice.PublicSend.class, named("send")
                    .and(takesArguments(ByteBuffer.class, SocketAddress.class))));
            advice.add(advice(DatagramChannelAdvice.Write.class, named("write").and(takesArguments(ByteBuffer.class))));
            advice.add(advice(DatagramChannelAdvice.GatheringWrite.class, named("write")
                    .and(takesArguments(ByteBuffer[].class, int.class, int.class))));
            advice.add(advice(DatagramChannelAdvice.Read.class, named("read").and(takesArguments(ByteBuffer.class))));
            advice.add(advice(DatagramChannelAdvice.ScatteringRead.class, named("read")
                    .and(takesArguments(ByteBuffer[].class, int.class, int.class))));
            advice.add(advice(DatagramChannelAdvice.Disconnect.class, named("disconnect").and(takesArguments(0))));
            advice.add(advice(DatagramChannelAdvice.Close.class, named("implCloseSelectableChannel")
                    .and(takesArguments(0))));
            if (layout == Layout.SOURCE_METHOD) {
                advice.add(advice(DatagramChannelAdvice.Receive.class, named("receive")
                        .and(takesArguments(ByteBuffer.class, boolean.class))));
                advice.add(advice(DatagramChannelAdvice.SourceAddress.class, named("sourceSocketAddress")
                        .and(takesArguments(0)).and(returns(InetSocketAddress.class))));
                advice.add(advice(DatagramChannelAdvice.Connect.class, named("connect")
                        .and(takesArguments(SocketAddress.class, boolean.class))));
            } else {
                ElementMatcher.Junction<MethodDescription> receive = "(Ljava/io/FileDescriptor;Ljava/nio/ByteBuffer;Z)I"
                        .equals(receiveDescriptor)
                        ? takesArguments(FileDescriptor.class, ByteBuffer.class, boolean.class)
                        : takesArguments(FileDescriptor.class, ByteBuffer.class);
                advice.add(advice(DatagramChannelAdvice.ReceiveIntoSenderField.class, named("receive").and(receive)));
                advice.add(advice(DatagramChannelAdvice.Connect.class, named("connect")
                        .and(takesArguments(SocketAddress.class))));
            }
            Map<String, AsmVisitorWrapper> byClass = new HashMap<String, AsmVisitorWrapper>();
            byClass.put(CHANNEL_CLASS, new AsmVisitorWrapper.Compound(advice));
            if (layout == Layout.SENDER_FIELD) {
                byClass.put(ADAPTOR_CLASS, advice(DatagramChannelAdvice.AdaptorTimedReceive.class, named("receive")
                        .and(takesArguments(ByteBuffer.class)).and(returns(SocketAddress.class))));
            }
            return byClass;
        }

        private static AsmVisitorWrapper advice(Class<?> adviceClass,
                                                ElementMatcher<? super MethodDescription> methods) {
            return Advice.to(adviceClass).on(methods);
        }
    }

}
