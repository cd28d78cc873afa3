package io.socksudp.it.app;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens N DatagramSockets and N DatagramChannels (heap buffers, as most programs use them), each sending one
 * datagram to the echo server at args[0] and receiving its echo, all from the main thread, and keeps them all open;
 * then prints {@code ECHOES n} and {@code DIRECT bytes}, the JVM's direct buffer memory in use. Knows nothing about
 * SOCKS. Java 8 source.
 */
public final class ManyAssociations {

    public static void main(String[] args) throws Exception {
        String[] hostPort = args[0].split(":");
        InetSocketAddress server = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        int n = Integer.parseInt(args[1]);
        long before = direct();
        List<AutoCloseable> open = new ArrayList<AutoCloseable>();
        int echoes = 0;
        byte[] payload = {'x'};
        for (int i = 0; i < n; i++) {
            DatagramSocket s = new DatagramSocket();
            open.add(s);
            s.setSoTimeout(10000);
            s.send(new DatagramPacket(payload, 1, server));
            DatagramPacket echo = new DatagramPacket(new byte[16], 16);
            s.receive(echo);
            echoes += echo.getLength() == 1 ? 1 : 0;

            DatagramChannel c = DatagramChannel.open();
            open.add(c);
            c.send(ByteBuffer.wrap(payload), server);
            ByteBuffer in = ByteBuffer.allocate(16);
            c.receive(in);
            echoes += in.position() == 1 ? 1 : 0;
        }
        System.out.println("ECHOES " + echoes);
        System.out.println("DIRECT " + (direct() - before));
        System.out.flush();
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private static long direct() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return -1;
    }
}
