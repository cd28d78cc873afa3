package io.socksudp.agent.intercept.nio;

import io.socksudp.agent.intercept.ChannelAccess;
import io.socksudp.agent.intercept.TunnelHooks;
import io.socksudp.agent.intercept.DatagramInstrumentation;
import io.socksudp.agent.intercept.JdkClassFiles;
import io.socksudp.agent.intercept.JdkMember;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static net.bytebuddy.matcher.ElementMatchers.hasDescriptor;
import static net.bytebuddy.matcher.ElementMatchers.named;

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

    static final String CHANNEL_CLASS = NioInternals.CHANNEL;
    /** The socket adaptor of JDK 8 to 14, whose timed receive the SENDER_FIELD layout also advises. */
    static final String ADAPTOR_CLASS = NioInternals.ADAPTOR;

    /** The two generations of the class. */
    public enum Layout {
        SOURCE_METHOD,
        SENDER_FIELD
    }

    private final Layout layout;
    /** The private receive advised (JDK 11 has a {@code connected} flag, JDK 8 does not). */
    private final JdkMember receive;
    private final String missing;

    private NioDatagramChannelInstrumentation(Layout layout, JdkMember receive, String missing) {
        this.layout = layout;
        this.receive = receive;
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
        return forClassFiles(JdkClassFiles.ofThisJdk(className, classfile));
    }

    /**
     * The layout whose every member ({@link NioInternals#all}) the class files have; else unsupported, naming the
     * first member missing of the layout whose private receive is there (or of the first layout, when none is).
     */
    static NioDatagramChannelInstrumentation forClassFiles(JdkClassFiles classFiles) {
        try {
            if (classFiles.inventory(CHANNEL_CLASS) == null) {
                return unsupported(CHANNEL_CLASS + " does not exist");
            }
        } catch (IOException | IllegalArgumentException e) {
            return unsupported("cannot read " + CHANNEL_CLASS + " (" + e + ")");
        }
        Object[][] candidates = {
            {Layout.SOURCE_METHOD, NioInternals.RECEIVE},
            {Layout.SENDER_FIELD, NioInternals.RECEIVE_FD_CONNECTED},
            {Layout.SENDER_FIELD, NioInternals.RECEIVE_FD},
        };
        String firstMissing = null;
        for (Object[] candidate : candidates) {
            Layout layout = (Layout) candidate[0];
            JdkMember receive = (JdkMember) candidate[1];
            String gap = classFiles.firstMissing(NioInternals.all(layout, receive));
            if (gap == null) {
                return new NioDatagramChannelInstrumentation(layout, receive, null);
            }
            if (classFiles.missing(receive) == null || firstMissing == null) {
                firstMissing = gap; // report the gap of the layout whose receive matched, if any
            }
        }
        return unsupported(firstMissing);
    }

    private static NioDatagramChannelInstrumentation unsupported(String missing) {
        return new NioDatagramChannelInstrumentation(null, null, missing);
    }

    @Override
    public String name() {
        // The receive descriptor tells JDK 8's variant of the sender-field layout from JDK 11's (different advice).
        return "nio-datagram-channel (" + (layout == null ? "unsupported" : layout.name().toLowerCase()
                + (layout == Layout.SENDER_FIELD ? ", receive" + receive.descriptor() : "")) + ")";
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
    public void wire(TunnelHooks hooks) {
        hooks.useChannelAccess(channelAccess());
    }

    @Override
    public Map<String, AsmVisitorWrapper> advice() {
        return Builder.advice(layout, receive);
    }

    /**
     * Builds the advice with Byte Buddy. A class of its own so that linking the strategy (which the verifier does
     * when the first datagram class loads, cache hit or not) never loads a Byte Buddy type.
     */
    private static final class Builder {

        static Map<String, AsmVisitorWrapper> advice(Layout layout, JdkMember receive) {
            List<AsmVisitorWrapper> advice = new ArrayList<AsmVisitorWrapper>();
            advice.add(advice(DatagramChannelAdvice.Send.class, NioInternals.SEND));
            advice.add(advice(DatagramChannelAdvice.PublicSend.class, NioInternals.PUBLIC_SEND));
            advice.add(advice(DatagramChannelAdvice.Write.class, NioInternals.WRITE));
            advice.add(advice(DatagramChannelAdvice.GatheringWrite.class, NioInternals.GATHERING_WRITE));
            advice.add(advice(DatagramChannelAdvice.Read.class, NioInternals.READ));
            advice.add(advice(DatagramChannelAdvice.ScatteringRead.class, NioInternals.SCATTERING_READ));
            advice.add(advice(DatagramChannelAdvice.Disconnect.class, NioInternals.DISCONNECT));
            advice.add(advice(DatagramChannelAdvice.Close.class, NioInternals.CLOSE));
            if (layout == Layout.SOURCE_METHOD) {
                advice.add(advice(DatagramChannelAdvice.Receive.class, receive));
                advice.add(advice(DatagramChannelAdvice.SourceAddress.class, NioInternals.SOURCE_SOCKET_ADDRESS));
                advice.add(advice(DatagramChannelAdvice.Connect.class, NioInternals.CONNECT_BLOCKING));
            } else {
                advice.add(advice(DatagramChannelAdvice.ReceiveIntoSenderField.class, receive));
                advice.add(advice(DatagramChannelAdvice.Connect.class, NioInternals.CONNECT));
            }
            Map<String, AsmVisitorWrapper> byClass = new HashMap<String, AsmVisitorWrapper>();
            byClass.put(CHANNEL_CLASS, new AsmVisitorWrapper.Compound(advice));
            if (layout == Layout.SENDER_FIELD) {
                byClass.put(ADAPTOR_CLASS, advice(DatagramChannelAdvice.AdaptorTimedReceive.class,
                        NioInternals.ADAPTOR_RECEIVE));
            }
            return byClass;
        }

        /** The advice on exactly the method {@code member} names (name and descriptor, as the start-up check). */
        private static AsmVisitorWrapper advice(Class<?> adviceClass, JdkMember member) {
            return Advice.to(adviceClass).on(named(member.name()).and(hasDescriptor(member.descriptor())));
        }
    }

}
