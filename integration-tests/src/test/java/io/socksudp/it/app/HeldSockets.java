package io.socksudp.it.app;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens N DatagramSockets, sends one datagram from each to args[0] (so each gets its association), keeps them all
 * open and idle for args[2] seconds, prints {@code held N}, closes them. Knows nothing about SOCKS. Java 8 source.
 * Usage: {@code HOST:PORT N SECONDS}.
 */
public final class HeldSockets {

    public static void main(String[] args) throws Exception {
        String[] hostPort = args[0].split(":");
        InetSocketAddress server = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        int n = Integer.parseInt(args[1]);
        long seconds = Long.parseLong(args[2]);
        List<DatagramSocket> open = new ArrayList<DatagramSocket>();
        byte[] payload = {'x'};
        for (int i = 0; i < n; i++) {
            DatagramSocket s = new DatagramSocket();
            open.add(s);
            s.send(new DatagramPacket(payload, 1, server));
        }
        System.out.println("sent " + n);
        System.out.flush();
        Thread.sleep(seconds * 1000L);
        System.out.println("held " + n);
        System.out.flush();
        for (DatagramSocket s : open) {
            s.close();
        }
    }
}
