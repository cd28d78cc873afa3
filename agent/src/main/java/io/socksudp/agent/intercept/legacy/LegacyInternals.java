package io.socksudp.agent.intercept.legacy;

import io.socksudp.agent.intercept.JdkMember;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static io.socksudp.agent.intercept.JdkMember.field;
import static io.socksudp.agent.intercept.JdkMember.method;

/**
 * The table of {@code java.net} internals the legacy strategy relies on, each named once. The start-up check
 * ({@link LegacyDatagramSocketInstrumentation}) verifies every member of a layout's {@link #all} in the class files,
 * the advice's matchers are built from the advised members, and {@link LegacyImplAccess} looks its handles up from
 * the reflective ones: a JDK that changed any of them is refused when the first datagram class loads.
 */
final class LegacyInternals {

    static final String IMPL = "java.net.AbstractPlainDatagramSocketImpl";
    static final String SOCKET_IMPL = "java.net.DatagramSocketImpl";
    static final String PACKET = "java.net.DatagramPacket";
    static final String SOCKET = "java.net.DatagramSocket";
    static final String MULTICAST = "java.net.MulticastSocket";

    private static final String P = "Ljava/net/DatagramPacket;";

    /** Where the impl declares it, {@code send} is Java and calls this native method (JDK 11, 17): the layout's mark. */
    static final JdkMember SEND0 = method(IMPL, "send0", "(" + P + ")V");

    // Advised on the impl, every layout.
    static final JdkMember RECEIVE = method(IMPL, "receive", "(" + P + ")V");
    static final JdkMember CONNECT = method(IMPL, "connect", "(Ljava/net/InetAddress;I)V");
    static final JdkMember DISCONNECT = method(IMPL, "disconnect", "()V");
    static final JdkMember JOIN = method(IMPL, "join", "(Ljava/net/InetAddress;)V");
    static final JdkMember JOIN_GROUP = method(IMPL, "joinGroup", "(Ljava/net/SocketAddress;Ljava/net/NetworkInterface;)V");
    static final JdkMember CLOSE = method(IMPL, "close", "()V");
    /** Advised on the impl where it is Java; native on JDK 8 (then the sockets' sends are advised), present on all. */
    static final JdkMember SEND = method(IMPL, "send", "(" + P + ")V");
    /** Read and written by the receive advice ({@code @FieldValue}). */
    static final JdkMember TIMEOUT = field(IMPL, "timeout", "I");

    // Reached reflectively (LegacyImplAccess).
    static final JdkMember RECEIVE0 = method(IMPL, "receive0", "(" + P + ")V");
    static final JdkMember CONNECT0 = method(IMPL, "connect0", "(Ljava/net/InetAddress;I)V");
    static final JdkMember DATA_AVAILABLE = method(IMPL, "dataAvailable", "()I");
    static final JdkMember IS_CLOSED = method(IMPL, "isClosed", "()Z");
    static final JdkMember CONNECTED = field(IMPL, "connected", "Z");
    static final JdkMember CONNECTED_ADDRESS = field(IMPL, "connectedAddress", "Ljava/net/InetAddress;");
    static final JdkMember CONNECTED_PORT = field(IMPL, "connectedPort", "I");
    static final JdkMember LOCAL_PORT = field(SOCKET_IMPL, "localPort", "I");
    static final JdkMember BUF_LENGTH = field(PACKET, "bufLength", "I");
    static final JdkMember LENGTH = field(PACKET, "length", "I");
    static final JdkMember PORT = field(PACKET, "port", "I");
    static final JdkMember ADDRESS = field(PACKET, "address", "Ljava/net/InetAddress;");

    // Native send (JDK 8): advised on the sockets instead.
    static final JdkMember SOCKET_SEND = method(SOCKET, "send", "(" + P + ")V");
    /** Read by the socket send advice ({@code @FieldValue}). */
    static final JdkMember SOCKET_IMPL_FIELD = field(SOCKET, "impl", "Ljava/net/DatagramSocketImpl;");
    static final JdkMember MULTICAST_SEND = method(MULTICAST, "send", "(" + P + "B)V");

    private static final List<JdkMember> COMMON = Arrays.asList(RECEIVE, RECEIVE0, CONNECT, CONNECT0, DATA_AVAILABLE,
            DISCONNECT, JOIN, JOIN_GROUP, CLOSE, IS_CLOSED, SEND, TIMEOUT, CONNECTED, CONNECTED_ADDRESS, CONNECTED_PORT,
            LOCAL_PORT, BUF_LENGTH, LENGTH, PORT, ADDRESS);

    private LegacyInternals() {
    }

    /** Every member the layout relies on. */
    static List<JdkMember> all(boolean nativeSend) {
        List<JdkMember> members = new ArrayList<JdkMember>(COMMON);
        if (nativeSend) {
            members.addAll(Arrays.asList(SOCKET_SEND, SOCKET_IMPL_FIELD, MULTICAST_SEND));
        }
        return Collections.unmodifiableList(members);
    }
}
