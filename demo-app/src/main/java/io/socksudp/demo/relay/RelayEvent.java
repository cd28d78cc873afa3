package io.socksudp.demo.relay;

import java.net.InetSocketAddress;

import static io.socksudp.demo.net.Addresses.format;

/**
 * Everything observable that happens in the relay, as data (for tests and the demo) and as a line of text.
 * Datagram events are emitted just before the datagram is sent on, so an observer never sees the effect
 * (e.g. the echo server's receipt) before its cause.
 */
public sealed interface RelayEvent {

    /** The line without the program prefix. */
    String describe();

    /** The line the relay program prints. */
    default String line() {
        return "relay: " + describe();
    }

    /**
     * A UDP ASSOCIATE succeeded.
     *
     * @param relayAddress    BND.ADDR:BND.PORT, where the client sends its datagrams
     * @param externalAddress the socket the relay talks to remote hosts from: what they see as the sender
     */
    record AssociationOpened(int association, InetSocketAddress controlPeer, InetSocketAddress relayAddress,
                             InetSocketAddress externalAddress) implements RelayEvent {
        @Override
        public String describe() {
            return "association " + association + " for " + format(controlPeer) + " relaying on "
                    + format(relayAddress) + " (external " + format(externalAddress) + ")";
        }
    }

    /** A client datagram, unwrapped, on its way to {@code destination}. */
    record ClientToRemote(int association, InetSocketAddress client, InetSocketAddress destination, int length)
            implements RelayEvent {
        @Override
        public String describe() {
            return "client " + format(client) + " -> " + format(destination) + " (" + length + " bytes)";
        }
    }

    /** A remote host's datagram, wrapped, on its way to the client. */
    record RemoteToClient(int association, InetSocketAddress source, InetSocketAddress client, int length)
            implements RelayEvent {
        @Override
        public String describe() {
            return format(source) + " -> client " + format(client) + " (" + length + " bytes)";
        }
    }

    /** The control connection ended, and with it the association's UDP sockets. */
    record AssociationClosed(int association) implements RelayEvent {
        @Override
        public String describe() {
            return "association " + association + " closed";
        }
    }

    /**
     * {@link Misbehaviour#ICMP_TEARDOWN}: a remote answered with port-unreachable, so the relay sent reply 1 on the
     * control connection and closed it and the UDP relay port.
     */
    record TornDown(int association, InetSocketAddress remote, String reason) implements RelayEvent {
        @Override
        public String describe() {
            return "association " + association + " torn down: " + reason
                    + " (icmp-teardown: reply 1 on the control connection, then close)";
        }
    }

    /** The relay closed a control connection on purpose ({@link Misbehaviour#DROP_TCP_RANDOM}, or a test's drop). */
    record ControlDropped(int association, String reason) implements RelayEvent {
        @Override
        public String describe() {
            return "association " + association + " control connection dropped: " + reason;
        }
    }

    record Dropped(int association, DropReason reason, InetSocketAddress source) implements RelayEvent {
        @Override
        public String describe() {
            return "dropped " + reason.label() + " from " + format(source);
        }
    }

    /** A control connection that ended without an association (bad version, auth, command, ...). */
    record Rejected(InetSocketAddress controlPeer, String reason) implements RelayEvent {
        @Override
        public String describe() {
            return "rejected " + format(controlPeer) + ": " + reason;
        }
    }
}
