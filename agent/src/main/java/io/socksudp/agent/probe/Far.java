package io.socksudp.agent.probe;

import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.Charset;

/**
 * The far side of a relayed exchange: where datagrams sent through the relay go, and who answers them.
 * {@link #local} is a socket of the probe's own, which sees each datagram arrive (and from which external address)
 * and answers it: no outside help, but the proxy must be able to reach this host (no NAT in between). {@link #echo}
 * is a UDP echo server the user names: it works from behind a NAT, but only the round trip can be seen.
 */
public abstract class Far implements Closeable {

    /** Closes the far side's socket, if it has one; never throws. */
    @Override
    public abstract void close();

    static final Charset ASCII = Charset.forName("US-ASCII");

    /** Where datagrams are sent through the relay. */
    public abstract InetSocketAddress target();

    /** Whether this far side sees what arrives (a local socket) or only echoes (a remote echo server). */
    public abstract boolean observes();

    /**
     * For {@link #observes()} far sides: waits for {@code token} to arrive and answers it with {@code "re:" +
     * token}; returns the address it came from (the relay's external address), or null when nothing came.
     */
    abstract InetSocketAddress awaitAndAnswer(String token, int waitMillis) throws IOException;

    /**
     * Receives the next datagram into {@code packet} (its whole buffer again) if one comes before
     * {@code deadlineNanos} (System.nanoTime); false when none did. The probe's waits for its own datagrams.
     */
    static boolean receiveBefore(DatagramSocket socket, DatagramPacket packet, long deadlineNanos)
            throws IOException {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
            return false;
        }
        socket.setSoTimeout((int) left);
        packet.setData(packet.getData());
        try {
            socket.receive(packet);
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** The payload the far side sends back for {@code token}. */
    abstract String answerFor(String token);

    /** A socket of the probe's own, bound to {@code address} (port chosen by the OS). */
    public static Far local(InetAddress address) throws IOException {
        return new Local(new DatagramSocket(new InetSocketAddress(address, 0)));
    }

    /** A UDP echo server at {@code echo}. */
    public static Far echo(InetSocketAddress echo) {
        return new Echo(echo);
    }

    static final class Local extends Far {
        private final DatagramSocket socket;
        private final byte[] buffer = new byte[65536];

        Local(DatagramSocket socket) {
            this.socket = socket;
        }

        @Override
        public InetSocketAddress target() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public boolean observes() {
            return true;
        }

        @Override
        InetSocketAddress awaitAndAnswer(String token, int waitMillis) throws IOException {
            long deadline = System.nanoTime() + waitMillis * 1_000_000L;
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            while (receiveBefore(socket, p, deadline)) {
                if (new String(p.getData(), 0, p.getLength(), ASCII).equals(token)) {
                    byte[] answer = answerFor(token).getBytes(ASCII);
                    socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                    return (InetSocketAddress) p.getSocketAddress();
                }
            }
            return null;
        }

        @Override
        String answerFor(String token) {
            return "re:" + token;
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    static final class Echo extends Far {
        private final InetSocketAddress echo;

        Echo(InetSocketAddress echo) {
            this.echo = echo;
        }

        @Override
        public InetSocketAddress target() {
            return echo;
        }

        @Override
        public boolean observes() {
            return false;
        }

        @Override
        InetSocketAddress awaitAndAnswer(String token, int waitMillis) {
            throw new UnsupportedOperationException("an echo server is not observed");
        }

        @Override
        String answerFor(String token) {
            return token;
        }

        @Override
        public void close() {
        }
    }
}
