package io.socksudp.demo.relay;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * One TCP control connection: method negotiation, optional RFC 1929 authentication, the request, and then,
 * for a UDP ASSOCIATE, holding the association open for exactly as long as the connection lives.
 *
 * <p>Every read takes exactly the bytes the current message needs from one buffered stream, so a client
 * that pipelines greeting, authentication and request in a single segment is served correctly.
 */
final class ControlConnection implements Runnable {
    private final Socket socket;
    private final RelayContext context;
    private final InetSocketAddress peer;
    private volatile int associationNumber;
    private volatile UdpAssociation association;

    ControlConnection(Socket socket, RelayContext context) {
        this.socket = socket;
        this.context = context;
        this.peer = (InetSocketAddress) socket.getRemoteSocketAddress();
    }

    @Override
    public void run() {
        try (socket) {
            socket.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            OutputStream out = socket.getOutputStream();
            if (!negotiateMethod(in, out)) {
                return;
            }
            InetSocketAddress requested = readUdpAssociateRequest(in, out);
            if (requested == null) {
                return;
            }
            serveAssociation(in, out, requested);
        } catch (EOFException e) {
            reject("connection closed during the handshake");
        } catch (IOException e) {
            // The peer went away or the relay is closing; an open association has already been closed.
        }
    }

    /** Greeting and, when credentials are configured, the username/password sub-negotiation. */
    private boolean negotiateMethod(DataInputStream in, OutputStream out) throws IOException {
        int version = in.readUnsignedByte();
        if (version != Socks5.VERSION) {
            // Not SOCKS5: there is no reply format both sides share, so just hang up.
            reject("not SOCKS5 (version byte " + version + ")");
            return false;
        }
        byte[] methods = Socks5.readBytes(in, in.readUnsignedByte());
        Optional<RelayOptions.Credentials> credentials = context.options().credentials();
        int wanted = credentials.isPresent() ? Socks5.METHOD_USERNAME_PASSWORD : Socks5.METHOD_NO_AUTH;
        if (!contains(methods, wanted)) {
            out.write(new byte[] {Socks5.VERSION, (byte) Socks5.METHOD_NONE_ACCEPTABLE});
            out.flush();
            reject("no acceptable authentication method");
            return false;
        }
        out.write(new byte[] {Socks5.VERSION, (byte) wanted});
        out.flush();
        return credentials.isEmpty() || authenticate(in, out, credentials.get());
    }

    /** RFC 1929: {@code VER ULEN UNAME PLEN PASSWD}, answered with {@code VER STATUS}. */
    private boolean authenticate(DataInputStream in, OutputStream out, RelayOptions.Credentials expected)
            throws IOException {
        int version = in.readUnsignedByte();
        byte[] username = Socks5.readBytes(in, in.readUnsignedByte());
        byte[] password = Socks5.readBytes(in, in.readUnsignedByte());
        boolean ok = version == Socks5.AUTH_VERSION
                && MessageDigest.isEqual(username, expected.username().getBytes(StandardCharsets.UTF_8))
                && MessageDigest.isEqual(password, expected.password().getBytes(StandardCharsets.UTF_8));
        out.write(new byte[] {Socks5.AUTH_VERSION, (byte) (ok ? Socks5.AUTH_SUCCESS : Socks5.AUTH_FAILURE)});
        out.flush();
        if (!ok) {
            // RFC 1929: on failure the server MUST close the connection.
            reject(version != Socks5.AUTH_VERSION
                    ? "bad authentication version " + version
                    : "wrong username or password for user '" + new String(username, StandardCharsets.UTF_8) + "'");
        }
        return ok;
    }

    /** {@code VER CMD RSV ATYP DST.ADDR DST.PORT}; returns DST for a UDP ASSOCIATE, or null after refusing. */
    private InetSocketAddress readUdpAssociateRequest(DataInputStream in, OutputStream out) throws IOException {
        int version = in.readUnsignedByte();
        int command = in.readUnsignedByte();
        in.readUnsignedByte(); // RSV
        int atyp = in.readUnsignedByte();
        InetSocketAddress destination;
        try {
            destination = Socks5.readAddress(in, atyp);
        } catch (Socks5.BadAddressTypeException e) {
            refuse(out, Socks5.REP_ADDRESS_TYPE_NOT_SUPPORTED, e.getMessage());
            return null;
        }
        if (version != Socks5.VERSION) {
            refuse(out, Socks5.REP_GENERAL_FAILURE, "request with version byte " + version);
            return null;
        }
        if (command != Socks5.CMD_UDP_ASSOCIATE) {
            refuse(out, Socks5.REP_COMMAND_NOT_SUPPORTED, Socks5.commandName(command) + " not supported");
            return null;
        }
        if (context.options().has(Misbehaviour.REFUSE_UDP)) {
            refuse(out, Socks5.REP_COMMAND_NOT_SUPPORTED, "UDP ASSOCIATE not supported (refuse-udp)");
            return null;
        }
        return destination;
    }

    private void serveAssociation(DataInputStream in, OutputStream out, InetSocketAddress requested)
            throws IOException {
        UdpAssociation association;
        try {
            association = UdpAssociation.open(context, peer, socket.getLocalAddress(), requested,
                    reason -> failAndClose(out));
        } catch (IOException e) {
            refuse(out, Socks5.REP_GENERAL_FAILURE, "cannot open UDP sockets: " + e.getMessage());
            return;
        }
        this.association = association;
        this.associationNumber = association.number();
        context.register(association.number(), this);
        try (association) {
            synchronized (out) {
                out.write(Socks5.reply(Socks5.REP_SUCCEEDED, advertised(association.relayAddress())));
                out.flush();
            }
            context.scheduleRandomDrop(this);
            drainUntilEof(in);
        } finally {
            context.unregister(association.number());
        }
    }

    /** BND.ADDR:BND.PORT as this relay advertises it: the real relay address unless a BND misbehaviour is on. */
    private InetSocketAddress advertised(InetSocketAddress relay) throws IOException {
        if (context.options().has(Misbehaviour.BND_WILDCARD)) {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[4]), relay.getPort());
        }
        if (context.options().has(Misbehaviour.BND_UNREACHABLE)) {
            return new InetSocketAddress(InetAddress.getByName(RelayOptions.UNREACHABLE_BND), relay.getPort());
        }
        return relay;
    }

    /** ICMP_TEARDOWN (WinGate): reply 0x01 on the control connection, then close it. */
    private void failAndClose(OutputStream out) {
        try {
            synchronized (out) {
                out.write(Socks5.reply(Socks5.REP_GENERAL_FAILURE, null));
                out.flush();
            }
        } catch (IOException ignored) {
            // the client went away already
        }
        closeSocket();
    }

    /** The association number once UDP ASSOCIATE succeeded, else 0. */
    int associationNumber() {
        return associationNumber;
    }

    /** Closes the control connection on purpose (and so the association), with an event saying why. */
    void drop(String reason) {
        if (!socket.isClosed()) {
            context.emit(new RelayEvent.ControlDropped(associationNumber, reason));
            context.unregister(associationNumber); // gone now, not when the control thread notices
            UdpAssociation current = association;
            if (current != null) {
                current.close(); // at once, not when the control thread notices
            }
            closeSocket();
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /**
     * The association lives as long as the connection (RFC 1928 section 7). A client has nothing more to say,
     * so anything it does send is ignored; EOF or an error ends the association.
     */
    private static void drainUntilEof(InputStream in) throws IOException {
        byte[] sink = new byte[256];
        while (in.read(sink) >= 0) {
            // ignore
        }
    }

    private void refuse(OutputStream out, int rep, String reason) throws IOException {
        out.write(Socks5.reply(rep, null));
        out.flush();
        reject(reason + " (REP " + rep + ")");
    }

    private void reject(String reason) {
        context.counters().rejected();
        context.emit(new RelayEvent.Rejected(peer, reason));
    }

    private static boolean contains(byte[] methods, int method) {
        for (byte m : methods) {
            if ((m & 0xFF) == method) {
                return true;
            }
        }
        return false;
    }
}
