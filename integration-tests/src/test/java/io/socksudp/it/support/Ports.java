package io.socksudp.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** Loopback port helpers. */
public final class Ports {
    private Ports() {}

    public static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** A TCP port on 127.0.0.1 that was free a moment ago (and whose UDP twin was free too). */
    public static int freeTcpPort() {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                int port = s.getLocalPort();
                try (DatagramSocket u = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                    if (u.getLocalPort() == port) {
                        return port;
                    }
                } catch (IOException udpTaken) {
                    // try another
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free loopback port", e);
            }
        }
        throw new IllegalStateException("no free loopback port after 20 attempts");
    }

    /** Waits until a TCP connection to 127.0.0.1:port succeeds; false on timeout. */
    public static boolean awaitTcpListening(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return true;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        return false;
    }
}
