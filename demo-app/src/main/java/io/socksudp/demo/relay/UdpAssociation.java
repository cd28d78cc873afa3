package io.socksudp.demo.relay;

import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One UDP association: a client-side socket (BND.ADDR:BND.PORT, where only the client may send) and an
 * external socket that talks to remote hosts. Two sockets, as Dante has, so that a stranger writing to the
 * client port is dropped rather than mistaken for a remote host's reply, and so that remote hosts see the
 * relay's external address. Each socket has its own pump thread; both stop when the association is closed.
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

    private UdpAssociation(int number, RelayContext context, ClientFilter filter, DatagramSocket clientSide,
                           DatagramSocket externalSide) {
        this.number = number;
        this.context = context;
        this.filter = filter;
        this.clientSide = clientSide;
        this.externalSide = externalSide;
    }

    /**
     * Binds both sockets and starts relaying.
     *
     * @param controlPeer  the control connection's peer: the client's IP unless the request named another
     * @param localAddress the address the control connection arrived on: the client port binds there
     * @param requested    DST.ADDR:DST.PORT of the request
     */
    static UdpAssociation open(RelayContext context, InetSocketAddress controlPeer, InetAddress localAddress,
                               InetSocketAddress requested) throws IOException {
        DatagramSocket clientSide = new DatagramSocket(new InetSocketAddress(localAddress, 0));
        DatagramSocket externalSide;
        try {
            InetAddress external = context.options().externalAddress().orElse(localAddress);
            externalSide = new DatagramSocket(new InetSocketAddress(external, 0));
        } catch (IOException e) {
            clientSide.close();
            throw e;
        }
        int number = context.nextAssociationNumber();
        UdpAssociation association = new UdpAssociation(number, context, new ClientFilter(requested, controlPeer),
                clientSide, externalSide);
        context.counters().associationOpened();
        context.emit(new RelayEvent.AssociationOpened(number, controlPeer, association.relayAddress(),
                association.externalAddress()));
        association.startPump("client", association::pumpFromClient);
        association.startPump("external", association::pumpFromRemote);
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
                externalSide.send(new DatagramPacket(buffer, header.payloadOffset(), header.payloadLength(), destination));
                context.counters().relayedToRemote();
            } catch (IOException | IllegalArgumentException e) {
                if (!closed.get()) {
                    drop(DropReason.UNDELIVERABLE, source);
                }
            }
        }
    }

    private void pumpFromRemote() {
        byte[] buffer = new byte[BUFFER_SIZE];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (receive(externalSide, packet)) {
            InetSocketAddress source = (InetSocketAddress) packet.getSocketAddress();
            InetSocketAddress client = filter.client();
            if (client == null) {
                drop(DropReason.CLIENT_UNKNOWN, source);
                continue;
            }
            byte[] wrapped = Socks5.encapsulate(source, buffer, 0, packet.getLength());
            context.emit(new RelayEvent.RemoteToClient(number, source, client, packet.getLength()));
            try {
                clientSide.send(new DatagramPacket(wrapped, wrapped.length, client));
                context.counters().relayedToClient();
            } catch (IOException e) {
                if (!closed.get()) {
                    drop(DropReason.UNDELIVERABLE, source);
                }
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
            context.counters().associationClosed();
            context.emit(new RelayEvent.AssociationClosed(number));
        }
    }
}
