package io.socksudp.it.app;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;

/**
 * A plain UDP program that keeps pinging an echo server from ONE socket and reports every outcome instead of
 * giving up: {@code ping <i> ok}, {@code ping <i> timeout} or {@code ping <i> error <exception>}, then
 * {@code pings ok=A timeout=B error=C}. Used to watch traffic stop and resume around a proxy failure.
 * Usage: {@code --server HOST:PORT --count N --interval MS --timeout MS [--connect]}.
 */
public final class PingLoop {
    public static void main(String[] args) throws Exception {
        String server = null;
        int count = 30, interval = 100, timeout = 300;
        boolean connect = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server":
                    server = args[++i];
                    break;
                case "--count":
                    count = Integer.parseInt(args[++i]);
                    break;
                case "--interval":
                    interval = Integer.parseInt(args[++i]);
                    break;
                case "--timeout":
                    timeout = Integer.parseInt(args[++i]);
                    break;
                case "--connect":
                    connect = true;
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        int colon = server.lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(server.substring(0, colon),
                Integer.parseInt(server.substring(colon + 1)));
        int ok = 0, timeouts = 0, errors = 0;
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(timeout);
            if (connect) {
                socket.connect(target);
            }
            for (int i = 0; i < count; i++) {
                byte[] payload = ("ping " + i).getBytes();
                try {
                    socket.send(new DatagramPacket(payload, payload.length, target));
                    DatagramPacket reply = new DatagramPacket(new byte[100], 100);
                    do {
                        socket.receive(reply); // skip late echoes of earlier pings
                    } while (!new String(reply.getData(), 0, reply.getLength()).equals("ping " + i));
                    ok++;
                    System.out.println("ping " + i + " ok from " + reply.getSocketAddress());
                } catch (SocketTimeoutException e) {
                    timeouts++;
                    System.out.println("ping " + i + " timeout");
                } catch (Exception e) {
                    errors++;
                    System.out.println("ping " + i + " error " + e);
                }
                System.out.flush();
                Thread.sleep(interval);
            }
        }
        System.out.println("pings ok=" + ok + " timeout=" + timeouts + " error=" + errors);
    }
}
