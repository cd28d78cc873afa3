package io.socksudp.demo.relay;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A SOCKS5 client written byte by byte from RFC 1928 and RFC 1929 for the tests, deliberately independent
 * of the relay's own {@code Socks5} class: a shared mistake would otherwise pass unnoticed.
 */
final class RawSocks5Client implements AutoCloseable {
    final Socket socket;
    final DataInputStream in;
    final OutputStream out;

    RawSocks5Client(int port) throws IOException {
        socket = new Socket(InetAddress.getByName("127.0.0.1"), port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(5000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void write(byte[]... parts) throws IOException {
        // One write call, so that several messages leave in one segment (pipelining).
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        out.write(all.toByteArray());
        out.flush();
    }

    byte[] read(int n) throws IOException {
        byte[] bytes = new byte[n];
        in.readFully(bytes);
        return bytes;
    }

    /** True when the server has closed the connection (EOF, or reset). */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    static byte[] greeting(int... methods) {
        byte[] bytes = new byte[2 + methods.length];
        bytes[0] = 5;
        bytes[1] = (byte) methods.length;
        for (int i = 0; i < methods.length; i++) {
            bytes[2 + i] = (byte) methods[i];
        }
        return bytes;
    }

    static byte[] auth(String user, String password) {
        byte[] u = user.getBytes(StandardCharsets.UTF_8);
        byte[] p = password.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(1);
        out.write(u.length);
        out.writeBytes(u);
        out.write(p.length);
        out.writeBytes(p);
        return out.toByteArray();
    }

    /** A request with an IPv4 DST; 0.0.0.0:0 is the zero-filled UDP ASSOCIATE. */
    static byte[] request(int command, String ipv4, int port) throws IOException {
        byte[] ip = InetAddress.getByName(ipv4).getAddress();
        return new byte[] {5, (byte) command, 0, 1, ip[0], ip[1], ip[2], ip[3], (byte) (port >> 8), (byte) port};
    }

    static byte[] zeroUdpAssociate() throws IOException {
        return request(3, "0.0.0.0", 0);
    }

    /** Reads a 10-byte IPv4 reply; returns BND, and checks VER, REP, RSV, ATYP. */
    InetSocketAddress readIpv4Reply(int expectedRep) throws IOException {
        byte[] reply = read(10);
        if (reply[0] != 5 || reply[1] != expectedRep || reply[2] != 0 || reply[3] != 1) {
            throw new AssertionError("unexpected reply " + java.util.Arrays.toString(reply));
        }
        InetAddress ip = InetAddress.getByAddress(java.util.Arrays.copyOfRange(reply, 4, 8));
        return new InetSocketAddress(ip, (reply[8] & 0xFF) << 8 | reply[9] & 0xFF);
    }

    /** No-auth greeting and a zero-filled UDP ASSOCIATE, one step at a time; returns BND. */
    InetSocketAddress associate() throws IOException {
        write(greeting(0));
        byte[] method = read(2);
        if (method[0] != 5 || method[1] != 0) {
            throw new AssertionError("method " + java.util.Arrays.toString(method));
        }
        write(zeroUdpAssociate());
        return readIpv4Reply(0);
    }

    /** {@code RSV RSV FRAG ATYP=1 ADDR PORT DATA}. */
    static byte[] udpIpv4(int frag, InetSocketAddress destination, byte[] data) {
        byte[] ip = destination.getAddress().getAddress();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 0, (byte) frag, 1});
        out.writeBytes(ip);
        out.write(destination.getPort() >> 8);
        out.write(destination.getPort() & 0xFF);
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** {@code RSV RSV FRAG=0 ATYP=3 LEN NAME PORT DATA}. */
    static byte[] udpDomain(String name, int port, byte[] data) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 0, 0, 3, (byte) n.length});
        out.writeBytes(n);
        out.write(port >> 8);
        out.write(port & 0xFF);
        out.writeBytes(data);
        return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
