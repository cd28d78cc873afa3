package io.socksudp.agent.intercept.nio;

import io.socksudp.agent.intercept.JdkMember;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static io.socksudp.agent.intercept.JdkMember.field;
import static io.socksudp.agent.intercept.JdkMember.method;

/**
 * The table of {@code sun.nio.ch} internals the NIO strategy relies on, each named once. The start-up check
 * ({@link NioDatagramChannelInstrumentation}) verifies every member of a layout's {@link #all} in the class files, the
 * advice's matchers are built from the advised members' names and descriptors, and {@link NioChannelAccess} looks its
 * handles up from the reflective ones: a JDK that changed any of them is refused when the first datagram class loads.
 */
final class NioInternals {

    static final String CHANNEL = "sun.nio.ch.DatagramChannelImpl";
    /** The socket adaptor of JDK 8 to 14, whose timed receive the SENDER_FIELD layout also advises. */
    static final String ADAPTOR = "sun.nio.ch.DatagramSocketAdaptor";
    static final String NET = "sun.nio.ch.Net";

    // Advised in every layout.
    static final JdkMember SEND = method(CHANNEL, "send",
            "(Ljava/io/FileDescriptor;Ljava/nio/ByteBuffer;Ljava/net/InetSocketAddress;)I");
    static final JdkMember PUBLIC_SEND = method(CHANNEL, "send", "(Ljava/nio/ByteBuffer;Ljava/net/SocketAddress;)I");
    static final JdkMember WRITE = method(CHANNEL, "write", "(Ljava/nio/ByteBuffer;)I");
    static final JdkMember GATHERING_WRITE = method(CHANNEL, "write", "([Ljava/nio/ByteBuffer;II)J");
    static final JdkMember READ = method(CHANNEL, "read", "(Ljava/nio/ByteBuffer;)I");
    static final JdkMember SCATTERING_READ = method(CHANNEL, "read", "([Ljava/nio/ByteBuffer;II)J");
    static final JdkMember DISCONNECT = method(CHANNEL, "disconnect", "()Ljava/nio/channels/DatagramChannel;");
    static final JdkMember CLOSE = method(CHANNEL, "implCloseSelectableChannel", "()V");
    /** Connect advice keeps the application's peer in the JDK's own field ({@code @FieldValue}). */
    static final JdkMember REMOTE_ADDRESS = field(CHANNEL, "remoteAddress", "Ljava/net/InetSocketAddress;");

    // Reached reflectively in every layout (NioChannelAccess).
    static final JdkMember FD = field(CHANNEL, "fd", "Ljava/io/FileDescriptor;");
    static final JdkMember FAMILY = field(CHANNEL, "family", "Ljava/net/ProtocolFamily;");
    static final JdkMember REGISTRY = field(CHANNEL, "registry", "Lsun/nio/ch/MembershipRegistry;");
    static final JdkMember NET_POLL = method(NET, "poll", "(Ljava/io/FileDescriptor;IJ)I");
    static final JdkMember NET_CONNECT = method(NET, "connect",
            "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)I");

    // SOURCE_METHOD (JDK 17+).
    static final JdkMember RECEIVE = method(CHANNEL, "receive", "(Ljava/nio/ByteBuffer;Z)I");
    static final JdkMember CONNECT_BLOCKING = method(CHANNEL, "connect",
            "(Ljava/net/SocketAddress;Z)Ljava/nio/channels/DatagramChannel;");
    /** Advised, and called reflectively once per datagram from the relay. */
    static final JdkMember SOURCE_SOCKET_ADDRESS = method(CHANNEL, "sourceSocketAddress",
            "()Ljava/net/InetSocketAddress;");

    // SENDER_FIELD (JDK 8 to 14).
    /** JDK 11's private receive, with its {@code connected} flag. */
    static final JdkMember RECEIVE_FD_CONNECTED = method(CHANNEL, "receive",
            "(Ljava/io/FileDescriptor;Ljava/nio/ByteBuffer;Z)I");
    /** JDK 8's private receive. */
    static final JdkMember RECEIVE_FD = method(CHANNEL, "receive", "(Ljava/io/FileDescriptor;Ljava/nio/ByteBuffer;)I");
    static final JdkMember CONNECT = method(CHANNEL, "connect",
            "(Ljava/net/SocketAddress;)Ljava/nio/channels/DatagramChannel;");
    static final JdkMember SENDER = field(CHANNEL, "sender", "Ljava/net/SocketAddress;");
    static final JdkMember CACHED_SENDER_ADDRESS = field(CHANNEL, "cachedSenderInetAddress", "Ljava/net/InetAddress;");
    static final JdkMember CACHED_SENDER_PORT = field(CHANNEL, "cachedSenderPort", "I");
    static final JdkMember ADAPTOR_RECEIVE = method(ADAPTOR, "receive", "(Ljava/nio/ByteBuffer;)Ljava/net/SocketAddress;");
    static final JdkMember ADAPTOR_CHANNEL = field(ADAPTOR, "dc", "Lsun/nio/ch/DatagramChannelImpl;");
    static final JdkMember ADAPTOR_TIMEOUT = field(ADAPTOR, "timeout", "I");

    private static final List<JdkMember> COMMON = Arrays.asList(SEND, PUBLIC_SEND, WRITE, GATHERING_WRITE, READ,
            SCATTERING_READ, DISCONNECT, CLOSE, REMOTE_ADDRESS, FD, FAMILY, REGISTRY, NET_POLL, NET_CONNECT);

    private NioInternals() {
    }

    /** Every member a layout relies on, {@code receive} (which tells the layouts apart) and {@code connect} first. */
    static List<JdkMember> all(NioDatagramChannelInstrumentation.Layout layout, JdkMember receive) {
        List<JdkMember> members = new ArrayList<JdkMember>();
        members.add(receive);
        if (layout == NioDatagramChannelInstrumentation.Layout.SOURCE_METHOD) {
            members.add(CONNECT_BLOCKING);
            members.addAll(COMMON);
            members.add(SOURCE_SOCKET_ADDRESS);
        } else {
            members.add(CONNECT);
            members.addAll(COMMON);
            members.addAll(Arrays.asList(SENDER, CACHED_SENDER_ADDRESS, CACHED_SENDER_PORT,
                    ADAPTOR_RECEIVE, ADAPTOR_CHANNEL, ADAPTOR_TIMEOUT));
        }
        return Collections.unmodifiableList(members);
    }
}
