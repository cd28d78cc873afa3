package io.socksudp.it.app;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An ordinary program that looks names up with the JDK's own {@code InetAddress}, as any application does, and says
 * what it got. Usage: {@code NameLookups STEP...}, each step {@code all:NAME} ({@code getAllByName}),
 * {@code reverse:IP} ({@code getByName(IP).getHostName()}) or {@code canonical:IP}
 * ({@code getCanonicalHostName()}), or {@code wait:FILE} (waits up to 30 s until the file exists: a pause the test
 * ends). Prints one line per step, {@code LOOKUP all:NAME -> [1.2.3.4, ...]} (addresses
 * as literals, in the order the JDK returns them), {@code LOOKUP reverse:IP -> NAME}, or
 * {@code LOOKUP all:NAME -> UnknownHostException: MESSAGE}; then {@code LOOKUP done}.
 */
public final class NameLookups {
    public static void main(String[] args) {
        for (String step : args) {
            int colon = step.indexOf(':');
            String kind = step.substring(0, colon);
            String arg = step.substring(colon + 1);
            long start = System.nanoTime();
            String result;
            try {
                if (kind.equals("all")) {
                    StringBuilder sb = new StringBuilder("[");
                    for (InetAddress a : InetAddress.getAllByName(arg)) {
                        sb.append(sb.length() > 1 ? ", " : "").append(a.getHostAddress());
                    }
                    result = sb.append(']').toString();
                } else if (kind.equals("reverse")) {
                    result = InetAddress.getByName(arg).getHostName();
                } else if (kind.equals("wait")) {
                    // waits (up to 30 s) until the test creates this file: a pause the test ends, e.g. after a failover
                    java.io.File file = new java.io.File(arg);
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    while (!file.exists() && System.nanoTime() < deadline) {
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    result = file.exists() ? "present" : "absent";
                } else if (kind.equals("canonical")) {
                    result = InetAddress.getByName(arg).getCanonicalHostName();
                } else {
                    throw new IllegalArgumentException("unknown step " + step);
                }
            } catch (UnknownHostException e) {
                result = "UnknownHostException: " + e.getMessage();
            }
            long ms = (System.nanoTime() - start) / 1_000_000L;
            say("LOOKUP " + step + " -> " + result);
            say("TIME " + step + " " + ms + " ms");
        }
        say("LOOKUP done");
    }

    /**
     * One line in one write: the JVM's own -verbose:class lines go to the same stdout from other threads, and
     * System.out writes a long line in 128-byte pieces, with its newline apart, so one could land inside this line.
     */
    private static void say(String line) {
        System.out.flush();
        try {
            STDOUT.write((line + "\n").getBytes("UTF-8")); // one write(2), however long the line
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final java.io.FileOutputStream STDOUT = new java.io.FileOutputStream(java.io.FileDescriptor.out);
}
