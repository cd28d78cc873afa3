package io.socksudp.it.app;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;

/**
 * A plain UDP program that keeps pinging an echo server from ONE socket and reports every outcome instead of
 * giving up: {@code ping <i> ok}, {@code ping <i> timeout} or {@code ping <i> error <exception>}, then
 * {@code pings ok=A timeout=B error=C}. Used to watch traffic stop and resume around a proxy failure.
 * Usage: {@code --server HOST:PORT --count N --interval MS --timeout MS [--connect] [--timed]}; {@code --timed}
 * appends each ping's time from send to outcome, {@code (N ms)}.
 */
public final class PingLoop {
    public static void main(String[] args) throws Exception {
        String server = null;
        int count = 30, interval = 100, timeout = 300;
        boolean connect = false;
        boolean timed = false;
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
                case "--timed":
                    timed = true;
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
                long t0 = System.nanoTime();
                String took = "";
                try {
                    socket.send(new DatagramPacket(payload, payload.length, target));
                    DatagramPacket reply = new DatagramPacket(new byte[100], 100);
                    do {
                        socket.receive(reply); // skip late echoes of earlier pings
                    } while (!new String(reply.getData(), 0, reply.getLength()).equals("ping " + i));
                    ok++;
                    took = timed ? " (" + (System.nanoTime() - t0) / 1_000_000 + " ms)" : "";
                    System.out.println("ping " + i + " ok from " + reply.getSocketAddress() + took);
                } catch (SocketTimeoutException e) {
                    timeouts++;
                    took = timed ? " (" + (System.nanoTime() - t0) / 1_000_000 + " ms)" : "";
                    System.out.println("ping " + i + " timeout" + took);
                } catch (Exception e) {
                    errors++;
                    took = timed ? " (" + (System.nanoTime() - t0) / 1_000_000 + " ms)" : "";
                    System.out.println("ping " + i + " error " + e + took);
                }
                System.out.flush();
                Thread.sleep(interval);
            }
        }
        System.out.println("pings ok=" + ok + " timeout=" + timeouts + " error=" + errors);
    }
}
