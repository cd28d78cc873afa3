package io.socksudp.it.app;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;

/**
 * A plain UDP program with the receive loop most programs have: it catches {@link IOException} and goes on, so an
 * unchecked exception from a receive ends it (exit 1). For each API it sends {@code COUNT} datagrams to a target and
 * prints every datagram it receives with its sender, until it has {@code COUNT} (each is answered twice, the
 * answer to drop first, so any that was not dropped arrives before the last well-formed one): {@code rx <api> from=<address> resolved=<bool> text=<payload>},
 * then {@code done <api> received=<n>}. Usage: {@code --target HOST:PORT --count N --api socket|channel|nonblocking|
 * adaptor|all}.
 */
public final class RelayedReceiver {

    private static final long WAIT_MS = 800;

    public static void main(String[] args) throws Exception {
        String target = null;
        int count = 3;
        String api = "all";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--target":
                    target = args[++i];
                    break;
                case "--count":
                    count = Integer.parseInt(args[++i]);
                    break;
                case "--api":
                    api = args[++i];
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        int colon = target.lastIndexOf(':');
        InetSocketAddress to = new InetSocketAddress(target.substring(0, colon),
                Integer.parseInt(target.substring(colon + 1)));
        String[] apis = api.equals("all") ? new String[] {"socket", "channel", "nonblocking", "adaptor"}
                : new String[] {api};
        for (String a : apis) {
            int received = 0;
            if (a.equals("socket") || a.equals("adaptor")) {
                DatagramChannel ch = a.equals("adaptor") ? DatagramChannel.open() : null;
                DatagramSocket s = ch != null ? ch.socket() : new DatagramSocket();
                try {
                    s.setSoTimeout((int) WAIT_MS);
                    for (int i = 0; i < count; i++) {
                        byte[] d = (a + i).getBytes(StandardCharsets.ISO_8859_1);
                        s.send(new DatagramPacket(d, d.length, to));
                    }
                    long end = System.currentTimeMillis() + WAIT_MS;
                    while (received < count && System.currentTimeMillis() < end) {
                        DatagramPacket p = new DatagramPacket(new byte[200], 200);
                        try {
                            s.receive(p);
                        } catch (SocketTimeoutException e) {
                            break; // everything there was has arrived
                        } catch (IOException e) { // the usual loop: log and go on
                            System.out.println("ioerror " + a + " " + e);
                            continue;
                        }
                        received++;
                        print(a, p.getSocketAddress(), new String(p.getData(), 0, p.getLength(),
                                StandardCharsets.ISO_8859_1));
                    }
                } finally {
                    s.close();
                }
            } else {
                boolean blocking = a.equals("channel");
                try (DatagramChannel ch = DatagramChannel.open(); Selector selector = Selector.open()) {
                    ch.configureBlocking(blocking);
                    for (int i = 0; i < count; i++) {
                        ByteBuffer d = ByteBuffer.wrap((a + i).getBytes(StandardCharsets.ISO_8859_1));
                        while (ch.send(d, to) == 0) {
                            Thread.sleep(5); // non-blocking: not sent yet, as with a full socket buffer
                        }
                    }
                    if (!blocking) {
                        ch.register(selector, SelectionKey.OP_READ);
                    }
                    long end = System.currentTimeMillis() + WAIT_MS;
                    for (int i = 0; i < 2 * count && received < count && System.currentTimeMillis() < end; i++) {
                        ByteBuffer b = ByteBuffer.allocate(200);
                        SocketAddress from;
                        try {
                            if (blocking) {
                                from = ch.receive(b); // each datagram is answered twice: at most 2 * count
                            } else {
                                from = null;
                                while (from == null && System.currentTimeMillis() < end) {
                                    selector.select(Math.max(1, end - System.currentTimeMillis()));
                                    selector.selectedKeys().clear();
                                    from = ch.receive(b);
                                }
                                if (from == null) {
                                    break;
                                }
                            }
                        } catch (IOException e) {
                            System.out.println("ioerror " + a + " " + e);
                            continue;
                        }
                        received++;
                        b.flip();
                        print(a, from, StandardCharsets.ISO_8859_1.decode(b).toString());
                    }
                }
            }
            System.out.println("done " + a + " received=" + received);
            System.out.flush();
        }
    }

    private static void print(String api, SocketAddress from, String text) {
        InetSocketAddress f = (InetSocketAddress) from;
        String host = f.getAddress() != null ? f.getAddress().getHostAddress() : f.getHostString();
        System.out.println("rx " + api + " from=" + host + ":" + f.getPort() + " resolved=" + !f.isUnresolved()
                + " text=" + text);
        System.out.flush();
    }
}
