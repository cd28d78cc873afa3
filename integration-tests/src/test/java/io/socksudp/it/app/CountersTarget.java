package io.socksudp.it.app;

import java.io.File;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;

/**
 * A running program whose one {@code DatagramSocket} does, step by step, what each of the agent's counters counts,
 * for {@code status} to be checked against the far side. Each step is a file {@code DIR/N} (N = 1, 2, ...; the tests
 * run children without standard input) holding one command:
 * <ul>
 *   <li>{@code echo K}: K datagrams to the echo server (payloads of 20, 21, ... bytes), each reply awaited:
 *   {@code echo ok SIZE}, {@code echo timeout} or {@code echo error EXCEPTION} per datagram;</li>
 *   <li>{@code direct K}: K datagrams of 30 bytes to the direct sink (a destination the agent bypasses), no reply;</li>
 *   <li>{@code listen}: one receive; {@code listen timeout} when nothing is delivered within the socket's timeout.</li>
 * </ul>
 * then {@code done N}. Prints {@code local PORT} and {@code READY} at start. Usage:
 * {@code --server HOST:PORT --direct HOST:PORT --rounds DIR}.
 */
public final class CountersTarget {

    public static void main(String[] args) throws Exception {
        InetSocketAddress server = null;
        InetSocketAddress direct = null;
        File rounds = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--server")) {
                server = address(args[++i]);
            } else if (args[i].equals("--direct")) {
                direct = address(args[++i]);
            } else if (args[i].equals("--rounds")) {
                rounds = new File(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setSoTimeout(1000);
        System.out.println("local " + socket.getLocalPort());
        System.out.println("READY");
        for (int round = 1; ; round++) {
            File step = new File(rounds, String.valueOf(round));
            while (!step.exists()) {
                Thread.sleep(20);
            }
            String[] command = new String(Files.readAllBytes(step.toPath()), "US-ASCII").trim().split(" ");
            if (command[0].equals("echo")) {
                for (int k = 0; k < Integer.parseInt(command[1]); k++) {
                    echo(socket, server, 20 + k);
                }
            } else if (command[0].equals("direct")) {
                for (int k = 0; k < Integer.parseInt(command[1]); k++) {
                    socket.send(new DatagramPacket(new byte[30], 30, direct));
                }
            } else if (command[0].equals("listen")) {
                try {
                    DatagramPacket p = new DatagramPacket(new byte[2000], 2000);
                    socket.receive(p);
                    System.out.println("listen got " + p.getLength() + " from " + p.getSocketAddress());
                } catch (java.net.SocketTimeoutException e) {
                    System.out.println("listen timeout");
                }
            }
            System.out.println("done " + round);
        }
    }

    private static void echo(DatagramSocket socket, InetSocketAddress server, int size) {
        try {
            socket.send(new DatagramPacket(new byte[size], size, server));
            DatagramPacket reply = new DatagramPacket(new byte[2000], 2000);
            socket.receive(reply);
            System.out.println("echo ok " + reply.getLength());
        } catch (java.net.SocketTimeoutException e) {
            System.out.println("echo timeout");
        } catch (Exception e) {
            System.out.println("echo error " + e);
        }
    }

    private static InetSocketAddress address(String text) {
        int colon = text.lastIndexOf(':');
        return new InetSocketAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    }
}
