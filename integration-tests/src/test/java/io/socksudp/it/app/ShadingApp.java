package io.socksudp.it.app;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.implementation.FixedValue;
import net.bytebuddy.matcher.ElementMatchers;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An application with its OWN Byte Buddy and SLF4J (other versions than the agent's), run by ShadingIT with the
 * agent: it must get exactly its own libraries, and its UDP must still be socksified.
 *
 * <p>Usage: {@code ShadingApp --server HOST:PORT}. Prints {@code shading-app: ...} lines; exits 0 on success.
 */
public final class ShadingApp {
    public static void main(String[] args) throws Exception {
        String server = null;
        for (int i = 0; i < args.length; i++) {
            if ("--server".equals(args[i])) {
                server = args[++i];
            }
        }
        if (server == null) {
            System.out.println("shading-app: FAILED usage: ShadingApp --server HOST:PORT");
            System.exit(2);
        }

        // Its own Byte Buddy: generate a class.
        Class<?> generated = new ByteBuddy().subclass(Object.class)
                .method(ElementMatchers.named("toString")).intercept(FixedValue.value("made by the app's Byte Buddy"))
                .make().load(ShadingApp.class.getClassLoader()).getLoaded();
        System.out.println("shading-app: generated " + generated.getDeclaredConstructor().newInstance());
        System.out.println("shading-app: bytebuddy " + location(ByteBuddy.class));
        System.out.println("shading-app: bytebuddy copies " + copies("net/bytebuddy/ByteBuddy.class"));

        // Its own SLF4J (1.7: binding through org.slf4j.impl.StaticLoggerBinder).
        Logger log = LoggerFactory.getLogger(ShadingApp.class);
        log.info("shading-app logs through its own SLF4J");
        System.out.println("shading-app: slf4j " + location(LoggerFactory.class));
        System.out.println("shading-app: slf4j copies " + copies("org/slf4j/LoggerFactory.class"));
        System.out.println("shading-app: slf4j factory " + LoggerFactory.getILoggerFactory().getClass().getName()
                + " " + location(LoggerFactory.getILoggerFactory().getClass()));

        // A UDP echo round trip.
        int colon = server.lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(server.substring(0, colon),
                Integer.parseInt(server.substring(colon + 1)));
        byte[] payload = "shading-app ping".getBytes(StandardCharsets.US_ASCII);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(5000);
            System.out.println("shading-app: local " + socket.getLocalSocketAddress());
            socket.send(new DatagramPacket(payload, payload.length, target));
            DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
            socket.receive(reply);
            String text = new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII);
            if (!reply.getSocketAddress().equals(target) || !text.equals("shading-app ping")) {
                System.out.println("shading-app: FAILED reply '" + text + "' from " + reply.getSocketAddress());
                System.exit(1);
            }
            System.out.println("shading-app: OK echo from " + reply.getSocketAddress());
        }
    }

    private static String location(Class<?> c) {
        java.security.CodeSource cs = c.getProtectionDomain().getCodeSource();
        return cs == null || cs.getLocation() == null ? "(bootstrap)" : cs.getLocation().toString();
    }

    /** Where a class file can be found by the application class loader (all copies). */
    private static List<String> copies(String resource) throws java.io.IOException {
        List<String> result = new ArrayList<>();
        for (URL u : Collections.list(ClassLoader.getSystemClassLoader().getResources(resource))) {
            result.add(u.toString());
        }
        return result;
    }
}
