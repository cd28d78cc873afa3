package io.socksudp.it.app;

import java.io.File;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Collections;
import java.util.List;

/**
 * A plain UDP program for the failover test: pings an echo server from ONE long-lived socket every
 * {@code --interval} ms and prints each outcome with the wall-clock time it was known,
 * {@code ping <i> ok at <epoch ms> from <addr>}, {@code ping <i> timeout at ...} or {@code ping <i> error at ...
 * <exception>}. Commands, one a line appended to the {@code --commands} file (read after every ping; the test
 * harness gives children no stdin): {@code fresh} pings once from a NEW socket (a new association), printed as
 * {@code fresh <n> local <port> ok|timeout|error ...}, then closes it; {@code stop} ends the loop. Prints its own
 * socket's port first, {@code local <port>}, so that the far side can tell a datagram sent directly.
 * Usage: {@code --server HOST:PORT --commands FILE [--interval MS] [--timeout MS] [--connect]};
 * {@code --connect} connects every socket to the server first (the agent re-points a connected socket at each new
 * relay).
 */
public final class FailoverPing {

    public static void main(String[] args) throws Exception {
        String server = null;
        int interval = 50;
        int timeout = 300;
        File commands = null;
        boolean connect = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--server")) {
                server = args[++i];
            } else if (args[i].equals("--interval")) {
                interval = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--connect")) {
                connect = true;
            } else if (args[i].equals("--commands")) {
                commands = new File(args[++i]);
            } else if (args[i].equals("--timeout")) {
                timeout = Integer.parseInt(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        int colon = server.lastIndexOf(':');
        final InetSocketAddress target = new InetSocketAddress(server.substring(0, colon),
                Integer.parseInt(server.substring(colon + 1)));
        int ok = 0;
        int fresh = 0;
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(timeout);
            if (connect) {
                socket.connect(target);
            }
            System.out.println("local " + socket.getLocalPort());
            int done = 0;
            boolean stop = false;
            for (int i = 0; !stop; i++) {
                if (ping(socket, target, "ping " + i, "ping " + i)) {
                    ok++;
                }
                List<String> lines = commands != null && commands.exists()
                        ? Files.readAllLines(commands.toPath(), StandardCharsets.UTF_8) : Collections.<String>emptyList();
                for (; done < lines.size(); done++) {
                    String command = lines.get(done).trim();
                    if (command.equals("stop")) {
                        stop = true;
                        continue;
                    }
                    if (!command.equals("fresh")) {
                        continue;
                    }
                    try (DatagramSocket other = new DatagramSocket()) {
                        other.setSoTimeout(timeout);
                        if (connect) {
                            other.connect(target);
                        }
                        ping(other, target, "fresh " + fresh, "fresh " + fresh + " local " + other.getLocalPort());
                    }
                    fresh++;
                }
                Thread.sleep(interval);
            }
        }
        System.out.println("done ok=" + ok + " fresh=" + fresh);
    }

    private static boolean ping(DatagramSocket socket, InetSocketAddress target, String payloadText, String label) {
        byte[] payload = payloadText.getBytes();
        String outcome;
        boolean ok = false;
        try {
            socket.send(new DatagramPacket(payload, payload.length, target));
            DatagramPacket reply = new DatagramPacket(new byte[100], 100);
            do {
                socket.receive(reply); // skip late echoes of earlier pings
            } while (!new String(reply.getData(), 0, reply.getLength()).equals(payloadText));
            outcome = "ok at " + System.currentTimeMillis() + " from " + reply.getSocketAddress();
            ok = true;
        } catch (SocketTimeoutException e) {
            outcome = "timeout at " + System.currentTimeMillis();
        } catch (Exception e) {
            outcome = "error at " + System.currentTimeMillis() + " " + e;
        }
        System.out.println(label + " " + outcome);
        System.out.flush();
        return ok;
    }
}
