package io.socksudp.it.app;

import java.io.File;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Several copies of Netty in one JVM, each in a class loader of its own over its own jars (none of them on the class
 * path), as an application server or a plugin host has them: each copy opens epoll datagram channels ({@link
 * NettyCopy}), all are open at once, each sends and must get its own echoes back. Then the channels end as {@code
 * --end} says, for the association's release: {@code close} (closed), {@code drop} (taken off the event loop, not
 * closed, and forgotten: only garbage collection can tell), {@code shutdown} (the event loop group shut down without
 * closing them: Netty closes them), {@code hold} (as {@code drop}, but the program keeps
 * its references: the control case, nothing may be released), after which the program calls {@code System.gc()} every 200 ms for {@code
 * --linger} seconds, printing its threads every second, and exits.
 *
 * <p>Usage: {@code NettyLoadersApp --server IP:PORT --copy LABEL=ROOT=DIR [--copy ...] [--count N] [--channels K]
 * [--connect] [--end none|close|drop|hold|shutdown] [--linger S]}; ROOT is the copy's package root with its dot ({@code
 * io.netty.}); {@code LABEL=ROOT=DIR=isolated} loads that copy in a loader that does not delegate to its parents. Prints {@code copy LABEL: channel I CLASS local ADDR}, {@code copy LABEL: reply TEXT from ADDR}, {@code
 * copy LABEL: OK n/n} (or {@code FAILED ...}; {@code FAILED open: CAUSES} for a copy whose channel cannot be made,
 * the others going on), {@code threads: NAME|NAME|...}; exits 0 when every copy got every
 * echo, 1 otherwise, 3 when epoll is not available here.
 */
public final class NettyLoadersApp {
    public static void main(String[] args) throws Exception {
        String server = null;
        List<String[]> copySpecs = new ArrayList<>();
        int count = 3;
        int channels = 1;
        boolean connect = false;
        String end = "none";
        int linger = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server":
                    server = args[++i];
                    break;
                case "--copy":
                    copySpecs.add(args[++i].split("=", 4));
                    break;
                case "--count":
                    count = Integer.parseInt(args[++i]);
                    break;
                case "--channels":
                    channels = Integer.parseInt(args[++i]);
                    break;
                case "--connect":
                    connect = true;
                    break;
                case "--end":
                    end = args[++i];
                    break;
                case "--linger":
                    linger = Integer.parseInt(args[++i]);
                    break;
                default:
                    throw new IllegalArgumentException(args[i]);
            }
        }
        int colon = server.lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(server.substring(0, colon),
                Integer.parseInt(server.substring(colon + 1)));
        printThreads("before");
        List<NettyCopy> copies = new ArrayList<>();
        for (String[] spec : copySpecs) {
            NettyCopy copy = new NettyCopy(spec[0], loaderOver(new File(spec[2]), spec.length > 3
                    && spec[3].equals("isolated")), spec[1], target);
            Throwable unavailable = copy.unavailability();
            if (unavailable != null) {
                System.out.println("loaders: UNAVAILABLE " + spec[0] + " " + unavailable);
                System.out.flush();
                System.exit(3);
            }
            copies.add(copy);
        }
        boolean ok = true;
        try {
            List<String> labels = new ArrayList<>();
            for (int i = 0; i < copies.size(); i++) {
                try {
                    copies.get(i).open(channels, connect);
                    labels.add(copySpecs.get(i)[0]);
                } catch (Exception e) { // this copy is out; the others go on
                    ok = false;
                    StringBuilder chain = new StringBuilder();
                    for (Throwable c = e; c != null; c = c.getCause()) {
                        chain.append(chain.length() == 0 ? "" : " <- ").append(c);
                    }
                    System.out.println("copy " + copySpecs.get(i)[0] + ": FAILED open: " + chain);
                    copies.get(i).shutdown();
                    copies.set(i, null);
                }
            }
            copies.removeIf(c -> c == null);
            int[] sent = new int[copies.size()];
            for (int i = 0; i < copies.size(); i++) {
                sent[i] = copies.get(i).send(count, connect);
            }
            for (int i = 0; i < copies.size(); i++) {
                NettyCopy copy = copies.get(i);
                String label = labels.get(i);
                int expected = count * channels;
                if (sent[i] == expected && copy.awaitReplies(10)) {
                    System.out.println("copy " + label + ": OK " + expected + "/" + expected);
                } else {
                    ok = false;
                    System.out.println("copy " + label + ": FAILED " + sent[i] + "/" + expected + " sent, "
                            + copy.shortfall());
                }
            }
            printThreads("open");
            if (!end.equals("none")) {
                Thread.sleep(1500); // a moment with everything open, for the test to count the control connections
            }
            switch (end) {
                case "close":
                    for (NettyCopy copy : copies) {
                        copy.closeChannels();
                        copy.shutdown();
                    }
                    System.out.println("CLOSED");
                    break;
                case "drop":
                    for (NettyCopy copy : copies) {
                        copy.deregisterAndDrop();
                    }
                    System.out.println("DROPPED");
                    break;
                case "hold":
                    for (NettyCopy copy : copies) {
                        copy.deregister();
                    }
                    System.out.println("HELD");
                    break;
                case "shutdown":
                    for (NettyCopy copy : copies) {
                        copy.shutdown();
                    }
                    System.out.println("SHUTDOWN");
                    break;
                default:
                    for (NettyCopy copy : copies) {
                        copy.closeChannels();
                        copy.shutdown();
                    }
            }
            System.out.flush();
            if (!end.equals("hold")) {
                copies.clear();
            }
            for (int tick = 0; tick < linger * 5; tick++) {
                System.gc();
                Thread.sleep(200);
                if (tick % 5 == 4) {
                    printThreads("linger");
                }
            }
        } catch (Exception e) {
            ok = false;
            System.out.println("loaders: FAILED " + e);
            e.printStackTrace(System.out);
        }
        System.out.flush();
        System.exit(ok ? 0 : 1);
    }

    /**
     * A loader over every jar in {@code dir}, its parent this program's loader (which has no Netty); {@code isolated}:
     * one that, as an OSGi framework's bundle loaders by default, delegates only the JDK's own packages and finds
     * every other class in its jars alone (so it does not see the agent's bootstrap classes either).
     */
    private static ClassLoader loaderOver(File dir, boolean isolated) throws Exception {
        File[] jars = dir.listFiles((d, name) -> name.endsWith(".jar"));
        if (jars == null || jars.length == 0) {
            throw new IllegalArgumentException("no jars in " + dir);
        }
        Arrays.sort(jars);
        URL[] urls = new URL[jars.length];
        for (int i = 0; i < jars.length; i++) {
            urls[i] = jars[i].toURI().toURL();
        }
        return isolated ? new IsolatingLoader(urls) : new URLClassLoader(urls, NettyLoadersApp.class.getClassLoader());
    }

    /** Parent-first for java., javax., jdk. and sun. only (boot delegation); everything else from its own jars. */
    private static final class IsolatingLoader extends URLClassLoader {
        IsolatingLoader(URL[] urls) {
            super(urls, null);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                if (name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                        || name.startsWith("sun.")) {
                    return super.loadClass(name, resolve);
                }
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = findClass(name);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }

    /** The live threads' names, sorted, on one line. */
    static void printThreads(String when) {
        TreeSet<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive()) {
                names.add(t.getName());
            }
        }
        System.out.println("threads " + when + ": " + String.join("|", names));
        System.out.flush();
    }
}
