package io.socksudp.bench.peer;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/**
 * The far side of the isolated benchmarks, in its own process (inside the benchmark JVM every datagram socket
 * is instrumented). Does as little as possible per datagram, so that what the benchmark measures is the
 * client's cost, and prints nothing per datagram.
 *
 * <p>Plain side, three UDP ports: a sink that drains, a reflector that returns every datagram to its sender,
 * and a blaster: a datagram {@code BLAST <n>} from X starts a thread that sends n-byte datagrams to X, as
 * fast as it can, until X is gone (ICMP port-unreachable on the connected socket).
 *
 * <p>SOCKS side: a minimal SOCKS5 server (no authentication, UDP ASSOCIATE only) whose per-association UDP
 * socket forwards nothing. The first datagram of an association picks what it does: {@code SINK} drains,
 * {@code REFLECT} returns every datagram, header and all, to the client (so the client sees a reply from the
 * destination it named), {@code BLAST <n>} sends the client framed n-byte datagrams from that destination.
 * Compared with the plain side, the client's extra work is then the agent's and nothing else's.
 *
 * <p>Prints {@code READY <socksPort> <sinkPort> <reflectPort> <blastPort>} on 127.0.0.1.
 */
public final class BenchPeer {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private BenchPeer() {
    }

    public static void main(String[] args) throws IOException {
        ServerSocket socks = new ServerSocket(0, 50, LOOPBACK);
        DatagramChannel sink = bound();
        DatagramChannel reflect = bound();
        DatagramChannel blast = bound();
        daemon("sink", () -> drain(sink));
        daemon("reflect", () -> reflect(reflect));
        daemon("blast-rendezvous", () -> rendezvous(blast));
        daemon("socks", () -> acceptSocks(socks));
        System.out.println("READY " + socks.getLocalPort() + " " + port(sink) + " " + port(reflect) + " " + port(blast));
        System.out.flush();
        // Until killed, or until the parent goes away (its end of our stdin closes).
        while (System.in.read() >= 0) {
            // ignore
        }
        System.exit(0);
    }

    private static DatagramChannel bound() throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        ch.bind(new InetSocketAddress(LOOPBACK, 0));
        return ch;
    }

    private static int port(DatagramChannel ch) throws IOException {
        return ((InetSocketAddress) ch.getLocalAddress()).getPort();
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void daemon(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Exception e) {
                // the client went away, or we are shutting down
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private static void drain(DatagramChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(65536);
        while (true) {
            b.clear();
            ch.receive(b);
        }
    }

    private static void reflect(DatagramChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(65536);
        while (true) {
            b.clear();
            SocketAddress from = ch.receive(b);
            b.flip();
            ch.send(b, from);
        }
    }

    private static void rendezvous(DatagramChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(256);
        while (true) {
            b.clear();
            SocketAddress from = ch.receive(b);
            b.flip();
            int size = blastSize(b);
            if (size >= 0) {
                DatagramChannel out = bound();
                out.connect(from);
                daemon("blast", () -> blast(out, new byte[0], size));
            }
        }
    }

    /** Sends {@code header} + size bytes on a connected channel until the peer is gone. */
    private static void blast(DatagramChannel out, byte[] header, int size) throws IOException {
        ByteBuffer datagram = ByteBuffer.allocateDirect(header.length + size);
        datagram.put(header);
        while (datagram.hasRemaining()) {
            datagram.put((byte) 'x');
        }
        try (out) {
            while (true) {
                datagram.clear();
                out.write(datagram);
            }
        }
    }

    private static int blastSize(ByteBuffer payload) {
        String s = StandardCharsets.US_ASCII.decode(payload).toString();
        return s.startsWith("BLAST ") ? Integer.parseInt(s.substring(6).trim()) : -1;
    }

    // --- SOCKS5 ---

    private static void acceptSocks(ServerSocket server) throws IOException {
        while (true) {
            Socket control = server.accept();
            daemon("socks-control", () -> associate(control));
        }
    }

    private static void associate(Socket control) throws IOException {
        try (control; DatagramChannel udp = bound()) {
            control.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(control.getInputStream());
            OutputStream out = control.getOutputStream();
            // Greeting: VER NMETHODS METHODS; we take "no authentication".
            require(in.readUnsignedByte() == 5, "version");
            in.readFully(new byte[in.readUnsignedByte()]);
            out.write(new byte[] {5, 0});
            // Request: VER CMD RSV ATYP DST.ADDR DST.PORT
            require(in.readUnsignedByte() == 5, "version");
            require(in.readUnsignedByte() == 3, "UDP ASSOCIATE only");
            in.readUnsignedByte();
            skipAddress(in);
            int port = port(udp);
            out.write(new byte[] {5, 0, 0, 1, 127, 0, 0, 1, (byte) (port >> 8), (byte) port});
            out.flush();
            daemon("socks-udp", () -> serveAssociation(udp));
            // The association lives as long as the control connection.
            InputStream rest = control.getInputStream();
            while (rest.read() >= 0) {
                // ignore
            }
        }
    }

    private static void serveAssociation(DatagramChannel udp) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(65536);
        SocketAddress client = udp.receive(b);
        b.flip();
        int headerLength = headerLength(b);
        byte[] header = new byte[headerLength];
        b.get(header);
        String mode = StandardCharsets.US_ASCII.decode(b.duplicate()).toString();
        if (mode.startsWith("BLAST ")) {
            int size = Integer.parseInt(mode.substring(6).trim());
            udp.connect(client);
            blast(udp, header, size); // framed as coming from the destination the client named
        } else if (mode.startsWith("REFLECT")) {
            b.rewind();
            udp.send(b, client);
            reflect(udp);
        } else {
            drain(udp);
        }
    }

    private static int headerLength(ByteBuffer b) {
        switch (b.get(3)) {
            case 1:
                return 10;
            case 4:
                return 22;
            case 3:
                return 7 + (b.get(4) & 0xff);
            default:
                throw new IllegalArgumentException("ATYP " + b.get(3));
        }
    }

    private static void skipAddress(DataInputStream in) throws IOException {
        int atyp = in.readUnsignedByte();
        int length = atyp == 1 ? 4 : atyp == 4 ? 16 : in.readUnsignedByte();
        in.readFully(new byte[length + 2]);
    }

    private static void require(boolean ok, String what) throws IOException {
        if (!ok) {
            throw new IOException("unsupported SOCKS request: " + what);
        }
    }
}
