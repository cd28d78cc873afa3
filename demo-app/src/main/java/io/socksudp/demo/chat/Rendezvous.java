package io.socksudp.demo.chat;

import io.socksudp.demo.cli.Args;
import io.socksudp.demo.cli.UsageException;
import io.socksudp.demo.net.Addresses;

import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The rendezvous of a tiny P2P chat, plain UDP, knowing nothing of SOCKS or NAT. Peers register by name; the
 * rendezvous tells each peer the other's endpoint <em>as seen on the wire</em> (the source of its datagrams:
 * behind a NAT the NAT's public address, behind a SOCKS relay the relay's external address), and tells both
 * as soon as the second arrives or one of them shows up from a new endpoint.
 *
 * <p>Protocol (one UTF-8 line per datagram): peer to rendezvous {@code REGISTER <name> <peer-name>}; rendezvous to
 * peer {@code SEEN <ip:port>} (the sender's own public endpoint) and, once known, {@code PEER <name> <ip:port>}.
 *
 * <p>As a program: {@code READY <port>}, then one line per registration and per notification, until killed.
 */
public final class Rendezvous implements AutoCloseable {
    static final String USAGE = "usage: Rendezvous [--bind ADDR] [--port N]";

    /** A registered peer: where it was seen, and whom it wants to talk to. */
    private static final class Registration {
        private final InetSocketAddress endpoint;
        private final String wants;

        Registration(InetSocketAddress endpoint, String wants) {
            this.endpoint = endpoint;
            this.wants = wants;
        }

        InetSocketAddress endpoint() { return endpoint; }

        String wants() { return wants; }
    }

    private final DatagramSocket socket;
    private final PrintStream out;
    private final Map<String, Registration> peers = new HashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    private Rendezvous(DatagramSocket socket, PrintStream out) {
        this.socket = socket;
        this.out = out;
        this.thread = new Thread(this::serve, "rendezvous");
        thread.setDaemon(true);
    }

    public static Rendezvous start(InetSocketAddress bind, PrintStream out) throws IOException {
        Rendezvous rendezvous = new Rendezvous(new DatagramSocket(bind), out);
        rendezvous.thread.start();
        return rendezvous;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void serve() {
        byte[] buffer = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!closed) {
            packet.setLength(buffer.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue; // e.g. a port-unreachable from an earlier send: keep serving
            }
            InetSocketAddress source = (InetSocketAddress) packet.getSocketAddress();
            String[] words = new String(buffer, 0, packet.getLength(), StandardCharsets.UTF_8).trim().split(" ");
            if (words.length == 3 && words[0].equals("REGISTER")) {
                register(words[1], words[2], source);
            } else {
                print("ignored a datagram from " + Addresses.format(source));
            }
        }
    }

    private void register(String name, String wants, InetSocketAddress source) {
        Registration before = peers.put(name, new Registration(source, wants));
        boolean moved = before == null || !before.endpoint().equals(source);
        if (moved) {
            print(name + " registered from " + Addresses.format(source)
                    + (before == null ? "" : " (was " + Addresses.format(before.endpoint()) + ")"));
        }
        send("SEEN " + Addresses.format(source), source);
        Registration other = peers.get(wants);
        if (other == null) {
            return;
        }
        send("PEER " + wants + " " + Addresses.format(other.endpoint()), source);
        if (moved) {
            print("told " + name + " that " + wants + " is at " + Addresses.format(other.endpoint()));
            if (name.equals(other.wants())) {
                send("PEER " + name + " " + Addresses.format(source), other.endpoint());
                print("told " + wants + " that " + name + " is at " + Addresses.format(source));
            }
        }
    }

    private void send(String text, InetSocketAddress to) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        try {
            socket.send(new DatagramPacket(data, data.length, to));
        } catch (IOException e) {
            print("could not send to " + Addresses.format(to) + ": " + e);
        }
    }

    private void print(String line) {
        synchronized (out) {
            out.println("rendezvous: " + line);
            out.flush();
        }
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        InetSocketAddress bind;
        try {
            Args args = Args.parse(argv, Args.names(), Args.names("--bind", "--port"));
            bind = new InetSocketAddress(InetAddress.getByName(args.value("--bind", "0.0.0.0")),
                    args.intValue("--port", 0, 0, 65535));
        } catch (UsageException | IOException e) {
            err.println("rendezvous: " + e.getMessage() + "; " + USAGE);
            return 2;
        }
        try (Rendezvous rendezvous = start(bind, out)) {
            out.println("rendezvous: listening on " + Addresses.format(rendezvous.address()));
            out.println("READY " + rendezvous.address().getPort());
            out.flush();
            rendezvous.thread.join();
            return 1;
        } catch (IOException e) {
            out.println("rendezvous: FAILED cannot bind " + Addresses.format(bind) + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
