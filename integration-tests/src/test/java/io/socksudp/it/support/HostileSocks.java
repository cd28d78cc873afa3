package io.socksudp.it.support;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted hostile SOCKS5 server and relay on loopback, in the test JVM: it speaks just enough RFC 1928 to grant
 * UDP ASSOCIATE (no authentication) and then misbehaves as its {@link Script} says. Real sockets throughout; it
 * never resolves or sends a host name anywhere (the names it puts on the wire are "localhost" at most).
 */
public final class HostileSocks implements AutoCloseable, Diagnosable {

    /** What the server does wrong. */
    public enum Script {
        /**
         * A good association whose relay answers each datagram twice: first naming the sender by host name
         * ("localhost", ATYP 3, legal in RFC 1928) with payload {@code named:<payload>}, then by IPv4 literal
         * (the destination the client named) with payload {@code plain:<payload>}.
         */
        NAMED_SENDER,
        /** Sends its replies one byte every {@code trickleMillis}: each read returns soon, the whole takes long. */
        TRICKLE,
        /** Advertises its relay as the host name "localhost" (BND.ADDR with ATYP 3). */
        NAMED_RELAY,
        /** Grants each association and ends it with REP 1 and a close, {@code rep1DelayMillis} after the reply. */
        GRANT_THEN_REP1
    }

    private final Script script;
    private final ServerSocket server;
    private final DatagramSocket relay;
    private final List<Socket> controls = new CopyOnWriteArrayList<>();
    private final AtomicInteger associations = new AtomicInteger();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private volatile long trickleMillis = 400;
    private volatile long rep1DelayMillis = 20;
    private volatile boolean closed;

    private HostileSocks(Script script) throws IOException {
        this.script = script;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.relay = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(this::accept, "hostile-socks-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        if (script == Script.NAMED_SENDER) {
            Thread relayer = new Thread(this::relayNamed, "hostile-socks-relay");
            relayer.setDaemon(true);
            relayer.start();
        }
    }

    public static HostileSocks start(Script script) {
        try {
            return new HostileSocks(script);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public HostileSocks trickleMillis(long ms) {
        trickleMillis = ms;
        return this;
    }

    /** 0: REP 1 goes out in the same write as the successful reply. */
    public HostileSocks rep1DelayMillis(long ms) {
        rep1DelayMillis = ms;
        return this;
    }

    /** "127.0.0.1:port", for socksudp.proxy. */
    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** UDP ASSOCIATE requests granted so far. */
    public int associations() {
        return associations.get();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = server.accept();
                controls.add(s);
                Thread t = new Thread(() -> serve(s), "hostile-socks-control");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            int version = in.readUnsignedByte();
            int methods = in.readUnsignedByte();
            in.readFully(new byte[methods]);
            byte[] selection = {5, 0};
            byte[] request = new byte[4];
            in.readFully(request);
            skipAddress(in, request[3]);
            if (version != 5 || request[1] != 3) {
                events.add("unexpected greeting/request");
                return;
            }
            int n = associations.incrementAndGet();
            events.add("association " + n + " from " + s.getRemoteSocketAddress());
            byte[] reply = script == Script.NAMED_RELAY ? namedReply("localhost", relay.getLocalPort())
                    : ipv4Reply(0, relay.getLocalPort());
            byte[] all = concat(selection, reply);
            switch (script) {
                case TRICKLE -> {
                    for (byte b : all) {
                        sleep(trickleMillis);
                        out.write(b);
                        out.flush();
                    }
                }
                case GRANT_THEN_REP1 -> {
                    byte[] rep1 = ipv4Reply(1, 0);
                    if (rep1DelayMillis == 0) {
                        out.write(concat(all, rep1));
                    } else {
                        out.write(all);
                        out.flush();
                        sleep(rep1DelayMillis);
                        out.write(rep1);
                    }
                    out.flush();
                    return; // and close
                }
                default -> {
                    out.write(all);
                    out.flush();
                }
            }
            InputStream rest = s.getInputStream();
            while (rest.read() >= 0) {
                // hold the association until the client ends it
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** NAMED_SENDER's relay: each framed datagram gets two answers, named then plain. */
    private void relayNamed() {
        byte[] buf = new byte[65536];
        while (!closed) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                relay.receive(p);
                ByteBuffer b = ByteBuffer.wrap(buf, 0, p.getLength());
                b.position(3);
                int atyp = b.get();
                if (atyp != 1) {
                    events.add("datagram with ATYP " + atyp + " ignored");
                    continue;
                }
                byte[] dst = new byte[4];
                b.get(dst);
                int port = b.getShort() & 0xffff;
                String payload = new String(buf, b.position(), b.remaining(), StandardCharsets.ISO_8859_1);
                byte[] name = "localhost".getBytes(StandardCharsets.US_ASCII);
                ByteBuffer named = ByteBuffer.allocate(7 + name.length + 6 + payload.length());
                named.put(new byte[] {0, 0, 0, 3, (byte) name.length}).put(name).putShort((short) port)
                        .put(("named:" + payload).getBytes(StandardCharsets.ISO_8859_1));
                relay.send(new DatagramPacket(named.array(), named.position(), p.getSocketAddress()));
                ByteBuffer plain = ByteBuffer.allocate(10 + 6 + payload.length());
                plain.put(new byte[] {0, 0, 0, 1}).put(dst).putShort((short) port)
                        .put(("plain:" + payload).getBytes(StandardCharsets.ISO_8859_1));
                relay.send(new DatagramPacket(plain.array(), plain.position(), p.getSocketAddress()));
                events.add("answered " + payload + " named and plain");
            } catch (SocketException e) {
                return;
            } catch (IOException e) {
                events.add("relay: " + e);
            }
        }
    }

    private static void skipAddress(DataInputStream in, int atyp) throws IOException {
        int length = switch (atyp) {
            case 1 -> 4;
            case 4 -> 16;
            case 3 -> in.readUnsignedByte();
            default -> throw new IOException("bad ATYP " + atyp);
        };
        in.readFully(new byte[length + 2]);
    }

    private static byte[] ipv4Reply(int rep, int port) {
        return new byte[] {5, (byte) rep, 0, 1, 127, 0, 0, 1, (byte) (port >> 8), (byte) port};
    }

    private static byte[] namedReply(String name, int port) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(7 + n.length);
        b.put(new byte[] {5, 0, 0, 3, (byte) n.length}).put(n).putShort((short) port);
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        relay.close();
        for (Socket s : controls) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    @Override
    public String describe() {
        return "--- hostile SOCKS5 server (" + script + ") at " + address() + ": " + associations() + " association(s)\n"
                + String.join("\n", events.subList(Math.max(0, events.size() - 30), events.size())) + "\n";
    }
}
