package io.socksudp.it.app;

import java.net.Authenticator;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.nio.charset.StandardCharsets;

/**
 * CredentialsIT's program: an unmodified-looking UDP client that, as applications do, may install a
 * {@link java.net.Authenticator} (or a SecurityManager) in main, after the agent's premain.
 *
 * <p>{@code AuthEcho HOST:PORT [--authenticator USER PASSWORD | --authenticator-null] [--security-manager] [--hold]}:
 * sends one datagram to the echo server and prints {@code ECHO OK <reply source>} or {@code ECHO FAILED <exception>};
 * the Authenticator prints each request it gets as {@code AUTHENTICATOR host=... address=... port=... protocol=...
 * prompt=... scheme=... type=...} (never the password); with {@code --hold} it then prints {@code HOLDING} and waits
 * to be killed (for jcmd). Exits 0 after ECHO OK, 1 after ECHO FAILED.
 */
public final class AuthEcho {

    public static void main(String[] args) throws Exception {
        String[] hostPort = args[0].split(":");
        InetSocketAddress server = new InetSocketAddress(InetAddress.getByName(hostPort[0]),
                Integer.parseInt(hostPort[1]));
        boolean hold = false;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--authenticator":
                    install(args[++i], args[++i].toCharArray());
                    break;
                case "--authenticator-null":
                    install(null, null);
                    break;
                case "--security-manager":
                    System.setSecurityManager(new SecurityManager());
                    break;
                case "--hold":
                    hold = true;
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        boolean ok = echo(server);
        if (hold) {
            System.out.println("HOLDING");
            System.out.flush();
            Thread.sleep(600_000);
        }
        System.exit(ok ? 0 : 1);
    }

    private static boolean echo(InetSocketAddress server) {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(10_000);
            byte[] ping = "auth-echo".getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(ping, ping.length, server));
            DatagramPacket reply = new DatagramPacket(new byte[100], 100);
            socket.receive(reply);
            System.out.println("ECHO OK " + reply.getSocketAddress());
            return true;
        } catch (Exception e) {
            System.out.println("ECHO FAILED " + e);
            return false;
        } finally {
            System.out.flush();
        }
    }

    private static void install(final String user, final char[] password) {
        Authenticator.setDefault(new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                System.out.println("AUTHENTICATOR host=" + getRequestingHost() + " address=" + getRequestingSite()
                        + " port=" + getRequestingPort() + " protocol=" + getRequestingProtocol() + " prompt="
                        + getRequestingPrompt() + " scheme=" + getRequestingScheme() + " type=" + getRequestorType());
                System.out.flush();
                return user == null ? null : new PasswordAuthentication(user, password.clone());
            }
        });
    }
}
