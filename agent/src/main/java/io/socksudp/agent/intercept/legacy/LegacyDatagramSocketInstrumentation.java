package io.socksudp.agent.intercept.legacy;

import io.socksudp.agent.intercept.TunnelHooks;
import io.socksudp.agent.intercept.ClassFileInventory;
import io.socksudp.agent.intercept.DatagramInstrumentation;
import io.socksudp.agent.intercept.JdkClassFiles;
import io.socksudp.agent.intercept.JdkMember;
import io.socksudp.agent.intercept.PacketAccess;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import static net.bytebuddy.matcher.ElementMatchers.hasDescriptor;
import static net.bytebuddy.matcher.ElementMatchers.named;

/**
 * {@code DatagramSocket} and {@code MulticastSocket} on the legacy {@code AbstractPlainDatagramSocketImpl}:
 * always on JDK 8 and 11, on JDK 15 to 17 with -Djdk.net.usePlainDatagramSocketImpl (gone from JDK 18).
 * Two layouts, told apart by the class files: where the impl's {@code send} is Java and calls a native
 * {@code send0} (JDK 11, 17) it is advised there; where {@code send} itself is native (JDK 8) the callers,
 * {@code DatagramSocket.send} and {@code MulticastSocket.send(DatagramPacket, byte)}, are advised instead.
 * Receive, connect, disconnect, join and close are the impl's Java methods on all three.
 */
public final class LegacyDatagramSocketInstrumentation implements DatagramInstrumentation {

    static final String IMPL_CLASS = LegacyInternals.IMPL;
    static final String SOCKET_CLASS = LegacyInternals.SOCKET;
    static final String MULTICAST_CLASS = LegacyInternals.MULTICAST;

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
        return forClassFiles(JdkClassFiles.ofThisJdk(className, classfile));
    }

    /** As {@link #forClassFiles(String, byte[])}, from any class files: every member of {@link LegacyInternals#all}. */
    static LegacyDatagramSocketInstrumentation forClassFiles(JdkClassFiles classFiles) throws IOException {
        ClassFileInventory impl;
        try {
            impl = classFiles.inventory(IMPL_CLASS);
        } catch (IllegalArgumentException e) {
            return new LegacyDatagramSocketInstrumentation(false, "cannot read " + IMPL_CLASS + " (" + e + ")");
        }
        if (impl == null) {
            return null;
        }
        boolean nativeSend = LegacyInternals.SEND0.missingFrom(impl) != null;
        return new LegacyDatagramSocketInstrumentation(nativeSend,
                classFiles.firstMissing(LegacyInternals.all(nativeSend)));
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
    public void wire(TunnelHooks hooks) {
        hooks.usePacketAccess(packetAccess());
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
                    advice(LegacySocketAdvice.Receive.class, matches(LegacyInternals.RECEIVE)),
                    advice(LegacySocketAdvice.Connect.class, matches(LegacyInternals.CONNECT)),
                    advice(LegacySocketAdvice.Disconnect.class, matches(LegacyInternals.DISCONNECT)),
                    advice(LegacySocketAdvice.Join.class, matches(LegacyInternals.JOIN)
                            .or(matches(LegacyInternals.JOIN_GROUP))),
                    advice(LegacySocketAdvice.Close.class, matches(LegacyInternals.CLOSE)));
            Map<String, AsmVisitorWrapper> advice = new HashMap<String, AsmVisitorWrapper>();
            if (nativeSend) {
                advice.put(IMPL_CLASS, receiveConnectClose);
                advice.put(SOCKET_CLASS, advice(LegacySocketAdvice.SocketSend.class,
                        matches(LegacyInternals.SOCKET_SEND)));
                advice.put(MULTICAST_CLASS, advice(LegacySocketAdvice.SocketSend.class,
                        matches(LegacyInternals.MULTICAST_SEND)));
            } else {
                advice.put(IMPL_CLASS, new AsmVisitorWrapper.Compound(receiveConnectClose,
                        advice(LegacySocketAdvice.ImplSend.class, matches(LegacyInternals.SEND))));
            }
            return advice;
        }

        /** Exactly the method {@code member} names (name and descriptor, as the start-up check). */
        private static ElementMatcher.Junction<MethodDescription> matches(JdkMember member) {
            return named(member.name()).and(hasDescriptor(member.descriptor()));
        }

        private static AsmVisitorWrapper advice(Class<?> adviceClass, ElementMatcher<? super MethodDescription> methods) {
            return Advice.to(adviceClass).on(methods);
        }
    }
}
