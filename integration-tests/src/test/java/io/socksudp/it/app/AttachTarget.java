package io.socksudp.it.app;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * A running program for {@code attach}: opens its sockets at start (before any agent can be attached), then on each
 * round (the file {@code DIR/N} appearing, N = 1, 2, ...: the tests run children without standard input) sends one
 * datagram from each to the echo server and reports, per socket, {@code <name> ok from <addr>},
 * {@code <name> timeout} or {@code <name> error <exception>}, then {@code done N}; before them, {@code threads}
 * and the names of the agent's threads alive ({@code socksudp-*}).
 * Sockets: {@code socket} (a DatagramSocket), {@code channel} (a DatagramChannel), {@code connected} (a
 * DatagramSocket connected to the echo server). With {@code --jul-manager} it first sets
 * {@code java.util.logging.manager} to its own LogManager, as applications that bring their own logging do, and
 * prints which LogManager it got ({@code jul <class>}). Prints {@code READY} once set up. Usage:
 * {@code --server HOST:PORT --rounds DIR [--jul-manager]}.
 */
public final class AttachTarget {

    /** The application's own LogManager; it must be the one java.util.logging uses. */
    public static final class AppLogManager extends java.util.logging.LogManager {
    }

    public static void main(String[] args) throws Exception {
        String server = null;
        boolean julManager = false;
        java.io.File rounds = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--server")) {
                server = args[++i];
            } else if (args[i].equals("--rounds")) {
                rounds = new java.io.File(args[++i]);
            } else if (args[i].equals("--jul-manager")) {
                julManager = true;
            } else {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (julManager) {
            System.setProperty("java.util.logging.manager", AppLogManager.class.getName());
            System.out.println("jul " + java.util.logging.LogManager.getLogManager().getClass().getName());
        }
        int colon = server.lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(server.substring(0, colon),
                Integer.parseInt(server.substring(colon + 1)));
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setSoTimeout(2000);
        DatagramChannel channel = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        channel.socket().setSoTimeout(2000);
        DatagramSocket connected = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        connected.setSoTimeout(2000);
        connected.connect(target);
        System.out.println("local socket=" + socket.getLocalPort() + " channel=" + channel.socket().getLocalPort()
                + " connected=" + connected.getLocalPort());
        System.out.println("READY");
        for (int round = 1; ; round++) {
            while (!new java.io.File(rounds, String.valueOf(round)).exists()) {
                Thread.sleep(20);
            }
            System.out.println("threads" + agentThreads());
            exchange("socket", socket, target, round);
            exchangeChannel(channel, target, round);
            exchange("connected", connected, target, round);
            System.out.println("done " + round);
        }
    }

    /** The names of the agent's threads (socksudp-*) alive now, each after a space. */
    private static String agentThreads() {
        StringBuilder names = new StringBuilder();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("socksudp")) {
                names.append(' ').append(t.getName());
            }
        }
        return names.toString();
    }

    private static void exchange(String name, DatagramSocket s, InetSocketAddress target, int round) {
        byte[] payload = (name + " " + round).getBytes();
        try {
            s.send(new DatagramPacket(payload, payload.length, target));
            DatagramPacket reply = new DatagramPacket(new byte[100], 100);
            s.receive(reply);
            System.out.println(name + " ok from " + reply.getSocketAddress());
        } catch (java.net.SocketTimeoutException e) {
            System.out.println(name + " timeout");
        } catch (Exception e) {
            System.out.println(name + " error " + e);
        }
    }

    private static void exchangeChannel(DatagramChannel c, InetSocketAddress target, int round) {
        try {
            c.send(ByteBuffer.wrap(("channel " + round).getBytes()), target);
            DatagramPacket reply = new DatagramPacket(new byte[100], 100);
            c.socket().receive(reply); // the adaptor honours SO_TIMEOUT
            System.out.println("channel ok from " + reply.getSocketAddress());
        } catch (java.net.SocketTimeoutException e) {
            System.out.println("channel timeout");
        } catch (Exception e) {
            System.out.println("channel error " + e);
        }
    }
}
