package io.socksudp.demo.relay;

import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One UDP association: a client-side socket (BND.ADDR:BND.PORT, where only the client may send) and an
 * external socket that talks to remote hosts. Two sockets, as Dante has, so that a stranger writing to the
 * client port is dropped rather than mistaken for a remote host's reply, and so that remote hosts see the
 * relay's external address. Each socket has its own pump thread; both stop when the association is closed.
 *
 * <p>With {@link Misbehaviour#ICMP_TEARDOWN} the relay must notice ICMP port-unreachable answers, which Linux
 * reports only on a <em>connected</em> UDP socket (as {@link PortUnreachableException} on its next send or
 * receive; an unconnected socket never hears of them without {@code IP_RECVERR}, which Java does not offer).
 * So datagrams to each remote go out through a {@link DatagramChannel} connected to that remote and bound, with
 * {@code SO_REUSEADDR}, to the very address and port of the external socket: remote hosts still see one external
 * port, the kernel hands the connected channel both that remote's datagrams and its ICMP errors, and one
 * selector thread watches all of them. Verified on Linux 6.x, on loopback and across network namespaces.
 */
final class UdpAssociation implements Closeable {
    /** Enough for any UDP payload plus the largest header we could read. */
    private static final int BUFFER_SIZE = 65536;

    private final int number;
    private final RelayContext context;
    private final ClientFilter filter;
    private final DatagramSocket clientSide;
    private final DatagramSocket externalSide;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Told once, with a reason, when the association must end because of a remote's ICMP error. */
    private final Consumer<String> fatal;
    /** ICMP_TEARDOWN only: one connected channel per remote, all watched by {@link #selector}. */
    private final Map<InetSocketAddress, DatagramChannel> connected = new ConcurrentHashMap<>();
    private final Selector selector;

    private UdpAssociation(int number, RelayContext context, ClientFilter filter, DatagramSocket clientSide,
                           DatagramSocket externalSide, Consumer<String> fatal, Selector selector) {
        this.number = number;
        this.context = context;
        this.filter = filter;
        this.clientSide = clientSide;
        this.externalSide = externalSide;
        this.fatal = fatal;
        this.selector = selector;
    }

    /**
     * Binds both sockets and starts relaying.
     *
     * @param controlPeer  the control connection's peer: the client's IP unless the request named another
     * @param localAddress the address the control connection arrived on: the client port binds there
     * @param requested    DST.ADDR:DST.PORT of the request
     * @param fatal        told once when a misbehaviour ends the association (the control connection then
     *                     answers and closes); the association has already closed itself by then
     */
    static UdpAssociation open(RelayContext context, InetSocketAddress controlPeer, InetAddress localAddress,
                               InetSocketAddress requested, Consumer<String> fatal) throws IOException {
        boolean icmpTeardown = context.options().has(Misbehaviour.ICMP_TEARDOWN);
        DatagramSocket clientSide = new DatagramSocket(new InetSocketAddress(localAddress, 0));
        DatagramSocket externalSide = null;
        Selector selector = null;
        if (context.options().has(Misbehaviour.SINGLE_SOCKET)) {
            externalSide = clientSide; // (ICMP_TEARDOWN does not combine with it)
        } else {
            try {
                InetAddress external = context.options().externalAddress().orElse(localAddress);
                externalSide = new DatagramSocket(null);
                // ICMP_TEARDOWN binds per-remote connected channels to the same address and port.
                externalSide.setReuseAddress(icmpTeardown);
                externalSide.bind(new InetSocketAddress(external, 0));
                selector = icmpTeardown ? Selector.open() : null;
            } catch (IOException e) {
                clientSide.close();
                if (externalSide != null) {
                    externalSide.close();
                }
                throw e;
            }
        }
        int number = context.nextAssociationNumber();
        UdpAssociation association = new UdpAssociation(number, context,
                new ClientFilter(requested, controlPeer, context.options().misbehaviours()), clientSide, externalSide,
                fatal, selector);
        context.counters().associationOpened();
        context.emit(new RelayEvent.AssociationOpened(number, controlPeer, association.relayAddress(),
                association.externalAddress()));
        association.startPump("client", association::pumpFromClient);
        if (externalSide != clientSide) {
            association.startPump("external", association::pumpFromRemote);
        }
        if (selector != null) {
            association.startPump("connected", association::pumpConnected);
        }
        return association;
    }

    int number() {
        return number;
    }

    /** BND.ADDR:BND.PORT for the reply. */
    InetSocketAddress relayAddress() {
        return (InetSocketAddress) clientSide.getLocalSocketAddress();
    }

    InetSocketAddress externalAddress() {
        return (InetSocketAddress) externalSide.getLocalSocketAddress();
    }

    private void startPump(String side, Runnable pump) {
        Thread thread = new Thread(pump, "relay-association-" + number + "-" + side);
        thread.setDaemon(true);
        thread.start();
    }

    private void pumpFromClient() {
        byte[] buffer = new byte[BUFFER_SIZE];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (receive(clientSide, packet)) {
            InetSocketAddress source = (InetSocketAddress) packet.getSocketAddress();
            ClientFilter.Verdict verdict = filter.check(source);
            if (!verdict.accepted() && externalSide == clientSide) {
                deliverToClient(source, buffer, packet.getLength()); // SINGLE_SOCKET: a remote host's datagram
                continue;
            }
            if (!verdict.accepted()) {
                drop(verdict.reason(), source);
                continue;
            }
            Socks5.UdpHeader header;
            try {
                header = Socks5.parseUdp(buffer, packet.getLength());
            } catch (Socks5.MalformedDatagramException e) {
                drop(DropReason.MALFORMED, source);
                continue;
            }
            if (header.frag() != 0) {
                drop(DropReason.FRAGMENT, source);
                continue;
            }
            InetSocketAddress destination = resolve(header.destination());
            if (destination == null) {
                drop(DropReason.UNRESOLVABLE, source);
                continue;
            }
            context.emit(new RelayEvent.ClientToRemote(number, source, destination, header.payloadLength()));
            try {
                if (selector != null) {
                    sendConnected(destination, ByteBuffer.wrap(buffer, header.payloadOffset(), header.payloadLength()));
                } else {
                    externalSide.send(new DatagramPacket(buffer, header.payloadOffset(), header.payloadLength(),
                            destination));
                }
                context.counters().relayedToRemote();
            } catch (PortUnreachableException e) {
                // ICMP_TEARDOWN: an earlier datagram to this remote was refused.
                teardown(destination);
            } catch (IOException | IllegalArgumentException e) {
                if (!closed.get()) {
                    drop(DropReason.UNDELIVERABLE, source);
                }
            }
        }
    }

    /** ICMP_TEARDOWN: sends through the channel connected to the destination, opening it on first use. */
    private void sendConnected(InetSocketAddress destination, ByteBuffer payload) throws IOException {
        DatagramChannel channel = connected.get(destination);
        if (channel == null) {
            channel = DatagramChannel.open();
            try {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                channel.bind(externalAddress());
                channel.connect(destination);
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, destination); // JDK 11+: does not block on select
                selector.wakeup();
            } catch (IOException e) {
                channel.close();
                throw e;
            } catch (RuntimeException e) {
                channel.close(); // e.g. the selector closed meanwhile: the association is closing
                throw new IOException(e);
            }
            connected.put(destination, channel);
        }
        channel.write(payload);
    }

    /** ICMP_TEARDOWN: reads the connected channels; a remote's datagram goes to the client, an ICMP error ends all. */
    private void pumpConnected() {
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
        try {
            while (!closed.get()) {
                selector.select(500);
                for (SelectionKey key : selector.selectedKeys()) {
                    DatagramChannel channel = (DatagramChannel) key.channel();
                    InetSocketAddress remote = (InetSocketAddress) key.attachment();
                    while (true) {
                        buffer.clear();
                        int n;
                        try {
                            n = channel.read(buffer);
                        } catch (PortUnreachableException e) {
                            teardown(remote);
                            return;
                        }
                        if (n <= 0) {
                            break;
                        }
                        deliverToClient(remote, buffer.array(), n);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (ClosedChannelException | ClosedSelectorException e) {
            // closed by close()
        } catch (IOException e) {
            close();
        }
    }

    /** WinGate: the remote answered with port-unreachable, so the whole association goes. */
    private void teardown(InetSocketAddress remote) {
        if (closed.get()) {
            return;
        }
        String reason = "ICMP port unreachable from " + io.socksudp.demo.net.Addresses.format(remote);
        context.emit(new RelayEvent.TornDown(number, remote, reason));
        close();
        fatal.accept(reason);
    }

    private void pumpFromRemote() {
        byte[] buffer = new byte[BUFFER_SIZE];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (receive(externalSide, packet)) {
            InetSocketAddress source = (InetSocketAddress) packet.getSocketAddress();
            deliverToClient(source, buffer, packet.getLength());
        }
    }

    private void deliverToClient(InetSocketAddress source, byte[] buffer, int length) {
        InetSocketAddress client = filter.client();
        if (client == null) {
            drop(DropReason.CLIENT_UNKNOWN, source);
            return;
        }
        if (context.options().has(Misbehaviour.NO_REPLIES)) {
            drop(DropReason.UNDELIVERABLE, source);
            return;
        }
        if (client.getPort() == 0) {
            // REPLY_TO_DST_PORT with a zero-filled request: CCProxy sends to port 0, which nobody can receive.
            drop(DropReason.UNDELIVERABLE, source);
            return;
        }
        byte[] wrapped = Socks5.encapsulate(source, buffer, 0, length);
        context.emit(new RelayEvent.RemoteToClient(number, source, client, length));
        try {
            clientSide.send(new DatagramPacket(wrapped, wrapped.length, client));
            context.counters().relayedToClient();
        } catch (IOException | IllegalArgumentException e) {
            if (!closed.get()) {
                drop(DropReason.UNDELIVERABLE, source);
            }
        }
    }

    /** Receives into the packet; false once the association is closed (or its socket broke). */
    private boolean receive(DatagramSocket socket, DatagramPacket packet) {
        while (true) {
            packet.setLength(packet.getData().length);
            try {
                socket.receive(packet);
                return true;
            } catch (PortUnreachableException e) {
                // Some platforms report an earlier send's ICMP error here; it says nothing about this socket.
            } catch (IOException e) {
                // Closed by close(), or broken: either way this association cannot go on.
                close();
                return false;
            }
        }
    }

    private static InetSocketAddress resolve(InetSocketAddress destination) {
        if (!destination.isUnresolved()) {
            return destination;
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(destination.getHostString()), destination.getPort());
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private void drop(DropReason reason, InetSocketAddress source) {
        context.counters().dropped(reason);
        context.emit(new RelayEvent.Dropped(number, reason, source));
    }

    /** Ends the association at once: both ports stop relaying. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            clientSide.close();
            externalSide.close();
            if (selector != null) {
                for (DatagramChannel channel : connected.values()) {
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            context.counters().associationClosed();
            context.emit(new RelayEvent.AssociationClosed(number));
        }
    }
}
