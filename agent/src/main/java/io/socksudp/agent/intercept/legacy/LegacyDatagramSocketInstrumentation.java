package io.socksudp.agent.intercept.legacy;

import io.socksudp.agent.intercept.ChannelTunnels;
import io.socksudp.agent.intercept.ClassFileInventory;
import io.socksudp.agent.intercept.DatagramInstrumentation;
import io.socksudp.agent.intercept.PacketAccess;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * {@code DatagramSocket} and {@code MulticastSocket} on the legacy {@code AbstractPlainDatagramSocketImpl}:
 * always on JDK 8 and 11, on JDK 15 to 17 with -Djdk.net.usePlainDatagramSocketImpl (gone from JDK 18).
 * Two layouts, told apart by the class files: where the impl's {@code send} is Java and calls a native
 * {@code send0} (JDK 11, 17) it is advised there; where {@code send} itself is native (JDK 8) the callers,
 * {@code DatagramSocket.send} and {@code MulticastSocket.send(DatagramPacket, byte)}, are advised instead.
 * Receive, connect, disconnect, join and close are the impl's Java methods on all three.
 */
public final class LegacyDatagramSocketInstrumentation implements DatagramInstrumentation {

    static final String IMPL_CLASS = LegacyImplAccess.IMPL_CLASS;
    static final String SOCKET_CLASS = "java.net.DatagramSocket";
    static final String MULTICAST_CLASS = "java.net.MulticastSocket";

    private static final String PACKET = "Ljava/net/DatagramPacket;";

    private final boolean nativeSend;
    private final String missing;

    private LegacyDatagramSocketInstrumentation(boolean nativeSend, String missing) {
        this.nativeSend = nativeSend;
        this.missing = missing;
    }

    /** This strategy when the running JDK has the legacy impl at all, else null; from the JDK's class files. */
    public static LegacyDatagramSocketInstrumentation forThisJdk() throws IOException {
        return forClassFiles(null, null);
    }

    /**
     * This strategy when the JDK has the legacy impl at all, else null: from {@code classfile} for
     * {@code className} (the class being loaded) and the JDK's class files for the others. On JDK 15 to 17 it
     * applies even without -Djdk.net.usePlainDatagramSocketImpl: the JDK reads that property when DatagramSocket
     * initialises, which may be after the agent started (an application can set it in main); only the impl is
     * transformed there, when (if ever) it loads. Which layout: whether the impl declares a native-calling
     * {@code send0}.
     *
     * @throws IOException when a class file cannot be read
     */
    public static LegacyDatagramSocketInstrumentation forClassFiles(String className, byte[] classfile)
            throws IOException {
        ClassFileInventory impl;
        try {
            impl = ClassFileInventory.of(IMPL_CLASS, className, classfile);
        } catch (IllegalArgumentException e) {
            return new LegacyDatagramSocketInstrumentation(false, "cannot read " + IMPL_CLASS + " (" + e + ")");
        }
        if (impl == null) {
            return null;
        }
        boolean nativeSend = impl.missing("send0", "(" + PACKET + ")V") != null;
        String missing;
        try {
            missing = missing(impl, nativeSend, className, classfile);
        } catch (IllegalArgumentException e) {
            missing = "cannot read the java.net datagram classes (" + e + ")";
        }
        return new LegacyDatagramSocketInstrumentation(nativeSend, missing);
    }

    /** How the tunnel reaches into the impl and DatagramPacket (java.net must be opened to the agent). */
    public PacketAccess packetAccess() {
        return new LegacyImplAccess();
    }

    @Override
    public String[] javaBasePackages() {
        return new String[] {"java.net"};
    }

    @Override
    public void wire(ChannelTunnels tunnels) {
        tunnels.usePacketAccess(packetAccess());
    }

    @Override
    public String name() {
        return nativeSend ? "legacy-datagram-socket (native send)" : "legacy-datagram-socket";
    }

    @Override
    public String[] targetClasses() {
        return nativeSend ? new String[] {IMPL_CLASS, SOCKET_CLASS, MULTICAST_CLASS} : new String[] {IMPL_CLASS};
    }

    @Override
    public String missingOnThisJdk() {
        return missing;
    }

    private static String missing(ClassFileInventory impl, boolean nativeSend, String className, byte[] classfile)
            throws IOException {
        ClassFileInventory packet = ClassFileInventory.of("java.net.DatagramPacket", className, classfile);
        if (packet == null) {
            return "java.net.DatagramPacket does not exist";
        }
        String[][] implMethods = {
            {"receive", "(" + PACKET + ")V"},
            {"receive0", "(" + PACKET + ")V"},
            {"connect", "(Ljava/net/InetAddress;I)V"},
            {"connect0", "(Ljava/net/InetAddress;I)V"},
            {"dataAvailable", "()I"},
            {"disconnect", "()V"},
            {"join", "(Ljava/net/InetAddress;)V"},
            {"joinGroup", "(Ljava/net/SocketAddress;Ljava/net/NetworkInterface;)V"},
            {"close", "()V"},
            {"isClosed", "()Z"},
            {"send", "(" + PACKET + ")V"},
        };
        String missing = firstMissing(impl, implMethods);
        if (missing == null) {
            missing = impl.missingField("timeout", "I");
        }
        for (String[] field : new String[][] {{"bufLength", "I"}, {"length", "I"}, {"port", "I"},
                {"address", "Ljava/net/InetAddress;"}}) {
            if (missing == null) {
                missing = packet.missingField(field[0], field[1]);
            }
        }
        if (missing == null && nativeSend) {
            ClassFileInventory socket = ClassFileInventory.of(SOCKET_CLASS, className, classfile);
            ClassFileInventory multicast = ClassFileInventory.of(MULTICAST_CLASS, className, classfile);
            if (socket == null || multicast == null) {
                return SOCKET_CLASS + " or " + MULTICAST_CLASS + " does not exist";
            }
            missing = socket.missing("send", "(" + PACKET + ")V");
            if (missing == null) {
                missing = socket.missingField("impl", "Ljava/net/DatagramSocketImpl;");
            }
            if (missing == null) {
                missing = multicast.missing("send", "(" + PACKET + "B)V");
            }
        }
        return missing;
    }

    private static String firstMissing(ClassFileInventory type, String[][] methods) {
        for (String[] method : methods) {
            String missing = type.missing(method[0], method[1]);
            if (missing != null) {
                return missing;
            }
        }
        return null;
    }

    @Override
    public Map<String, AsmVisitorWrapper> advice() {
        return Builder.advice(nativeSend);
    }

    /**
     * Builds the advice with Byte Buddy. A class of its own so that linking the strategy (which the verifier does
     * when the first datagram class loads, cache hit or not) never loads a Byte Buddy type.
     */
    private static final class Builder {

        static Map<String, AsmVisitorWrapper> advice(boolean nativeSend) {
            AsmVisitorWrapper receiveConnectClose = new AsmVisitorWrapper.Compound(
                    advice(LegacySocketAdvice.Receive.class, named("receive").and(takesArguments(DatagramPacket.class))),
                    advice(LegacySocketAdvice.Connect.class, named("connect")
                            .and(takesArguments(InetAddress.class, int.class))),
                    advice(LegacySocketAdvice.Disconnect.class, named("disconnect").and(takesArguments(0))),
                    advice(LegacySocketAdvice.Join.class, named("join").and(takesArguments(InetAddress.class))
                            .or(named("joinGroup").and(takesArguments(SocketAddress.class, NetworkInterface.class)))),
                    advice(LegacySocketAdvice.Close.class, named("close").and(takesArguments(0))));
            Map<String, AsmVisitorWrapper> advice = new HashMap<String, AsmVisitorWrapper>();
            if (nativeSend) {
                advice.put(IMPL_CLASS, receiveConnectClose);
                advice.put(SOCKET_CLASS, advice(LegacySocketAdvice.SocketSend.class,
                        named("send").and(takesArguments(DatagramPacket.class))));
                advice.put(MULTICAST_CLASS, advice(LegacySocketAdvice.SocketSend.class,
                        named("send").and(takesArguments(DatagramPacket.class, byte.class))));
            } else {
                advice.put(IMPL_CLASS, new AsmVisitorWrapper.Compound(receiveConnectClose,
                        advice(LegacySocketAdvice.ImplSend.class, named("send").and(takesArguments(DatagramPacket.class)))));
            }
            return advice;
        }

        private static AsmVisitorWrapper advice(Class<?> adviceClass, ElementMatcher<? super MethodDescription> methods) {
            return Advice.to(adviceClass).on(methods);
        }
    }}
