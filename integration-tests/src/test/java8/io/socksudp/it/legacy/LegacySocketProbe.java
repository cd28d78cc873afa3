package io.socksudp.it.legacy;

import java.io.File;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Java 8 syntax on purpose: compiled by the JDK under test's own javac (LegacySocketIT), so it runs on JDK 8
 * and 11, whose DatagramSocket goes through the legacy AbstractPlainDatagramSocketImpl. Exercises the legacy
 * socket paths against an echo server through the agent: unconnected and connected DatagramSocket, MulticastSocket
 * (unicast use, both send methods), truncation (length vs bufLength) and SO_TIMEOUT while junk arrives.
 * Prints "ok <case>" per case, "fail <case>: why" and exits 1 on the first failure, "done" at the end.
 *
 * <p>Usage: LegacySocketProbe echoHost:port goFile. For the timeout case it prints "junk-target host:port" and
 * waits for goFile to exist, which the test creates once junk is arriving there.
 */
public final class LegacySocketProbe {

    private static InetSocketAddress echo;
    private static File goFile;

    public static void main(String[] args) throws Exception {
        String[] hp = args[0].split(":");
        echo = new InetSocketAddress(InetAddress.getByName(hp[0]), Integer.parseInt(hp[1]));
        goFile = new File(args[1]);
        System.out.println("java.version " + System.getProperty("java.version"));

        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setSoTimeout(5000);
        System.out.println("local " + socket.getLocalSocketAddress());
        unconnected("unconnected", socket);
        truncation(socket);
        socket.close();

        MulticastSocket multicast = new MulticastSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        multicast.setSoTimeout(5000);
        System.out.println("local " + multicast.getLocalSocketAddress());
        unconnected("multicast-unicast", multicast);
        multicastSendWithTtl(multicast);
        multicast.close();

        DatagramSocket connected = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        connected.setSoTimeout(5000);
        System.out.println("local " + connected.getLocalSocketAddress());
        connected(connected);
        connected.close();

        // Unconnected (a connected socket's kernel filter would keep the junk away), and associated already.
        DatagramSocket timed = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        timed.setSoTimeout(5000);
        unconnected("before-timeout", timed);
        timeoutWhileJunkArrives(timed);
        timed.close();
        System.out.println("done");
    }

    private static void unconnected(String name, DatagramSocket s) throws Exception {
        for (int i = 0; i < 3; i++) {
            byte[] payload = (name + "-" + i).getBytes(StandardCharsets.UTF_8);
            s.send(new DatagramPacket(payload, payload.length, echo));
            DatagramPacket reply = receive(s, 2048);
            expect(name, Arrays.equals(payload, data(reply)), "payload " + text(reply));
            expect(name, echo.equals(reply.getSocketAddress()), "sender " + reply.getSocketAddress());
        }
        System.out.println("ok " + name);
    }

    /** A MulticastSocket's deprecated send(p, ttl): its own code path to the impl on JDK 8. */
    @SuppressWarnings("deprecation")
    private static void multicastSendWithTtl(MulticastSocket s) throws Exception {
        byte[] payload = "ttl-send".getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(payload, payload.length, echo), (byte) 3);
        DatagramPacket reply = receive(s, 2048);
        expect("multicast-ttl-send", Arrays.equals(payload, data(reply)), "payload " + text(reply));
        expect("multicast-ttl-send", echo.equals(reply.getSocketAddress()), "sender " + reply.getSocketAddress());
        System.out.println("ok multicast-ttl-send");
    }

    /**
     * The JDK truncates to the packet's buffer length and keeps that length for the next receive: getLength()
     * reports the last datagram, but a later, longer datagram still fills the whole buffer.
     */
    private static void truncation(DatagramSocket s) throws Exception {
        byte[] buffer = new byte[32];
        DatagramPacket p = new DatagramPacket(buffer, 2, 10); // offset 2, room for 10
        sendText(s, "0123456789abcdefghij"); // 20 bytes
        s.receive(p);
        expect("truncation", p.getLength() == 10 && p.getOffset() == 2, "length " + p.getLength());
        expect("truncation", "0123456789".equals(new String(buffer, 2, 10, StandardCharsets.UTF_8)), text(p));
        expect("truncation", buffer[0] == 0 && buffer[12] == 0, "wrote outside offset..offset+length");
        sendText(s, "short");
        s.receive(p);
        expect("truncation", p.getLength() == 5, "second length " + p.getLength());
        sendText(s, "ABCDEFGHIJKLMNOP");
        s.receive(p);
        expect("truncation", p.getLength() == 10, "third length " + p.getLength() + " (bufLength shrank)");
        expect("truncation", "ABCDEFGHIJ".equals(new String(buffer, 2, 10, StandardCharsets.UTF_8)), text(p));
        System.out.println("ok truncation");
    }

    private static void connected(DatagramSocket s) throws Exception {
        s.connect(echo);
        expect("connected", s.isConnected() && echo.equals(s.getRemoteSocketAddress()),
                "remote " + s.getRemoteSocketAddress());
        for (int i = 0; i < 3; i++) {
            byte[] payload = ("connected-" + i).getBytes(StandardCharsets.UTF_8);
            DatagramPacket out = new DatagramPacket(payload, payload.length); // no address: the JDK fills it in
            s.send(out);
            expect("connected", echo.equals(out.getSocketAddress()), "packet address after send "
                    + out.getAddress() + ":" + out.getPort());
            DatagramPacket reply = receive(s, 2048);
            expect("connected", Arrays.equals(payload, data(reply)), "payload " + text(reply));
            expect("connected", echo.equals(reply.getSocketAddress()), "sender " + reply.getSocketAddress());
        }
        try {
            byte[] payload = "elsewhere".getBytes(StandardCharsets.UTF_8);
            s.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), 9));
            fail("connected", "a send to another address was not refused");
        } catch (IllegalArgumentException expected) {
            // as the JDK refuses it
        }
        System.out.println("ok connected");
    }

    /** SO_TIMEOUT fires on time although junk keeps arriving, and none of the junk is delivered. */
    private static void timeoutWhileJunkArrives(DatagramSocket s) throws Exception {
        System.out.println("junk-target " + s.getLocalAddress().getHostAddress() + ":" + s.getLocalPort());
        for (int i = 0; i < 600 && !goFile.exists(); i++) {
            Thread.sleep(50);
        }
        s.setSoTimeout(1500);
        long start = System.nanoTime();
        try {
            DatagramPacket p = receive(s, 2048);
            fail("timeout", "received " + text(p) + " from " + p.getSocketAddress());
        } catch (SocketTimeoutException expected) {
            long ms = (System.nanoTime() - start) / 1_000_000;
            expect("timeout", ms >= 1400 && ms < 2500, "timed out after " + ms + " ms");
            System.out.println("ok timeout " + ms + " ms");
        }
    }

    private static void sendText(DatagramSocket s, String text) throws Exception {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(payload, payload.length, echo));
    }

    private static DatagramPacket receive(DatagramSocket s, int size) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[size], size);
        s.receive(p);
        return p;
    }

    private static byte[] data(DatagramPacket p) {
        return Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
    }

    private static String text(DatagramPacket p) {
        return new String(p.getData(), p.getOffset(), p.getLength(), StandardCharsets.UTF_8);
    }

    private static void expect(String name, boolean condition, String why) {
        if (!condition) {
            fail(name, why);
        }
    }

    private static void fail(String name, String why) {
        System.out.println("fail " + name + ": " + why);
        System.out.flush();
        System.exit(1);
    }
}
