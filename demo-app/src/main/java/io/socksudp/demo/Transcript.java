package io.socksudp.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges the lines of the child client, the relay and the echo server into one readable story.
 *
 * <p>The in-process lines (relay, server) arrive before the child's own account of the same datagram has
 * made it through its pipe, so they are held back and released around the client's lines: before a
 * {@code reply} line, never after any other: the child's earlier lines (its local address, say) may reach us
 * only after the server already reported the first datagram, and releasing then would print the server's
 * line before the client's {@code sent}. Relay and server report each datagram before passing it on, so by
 * the time the client prints its {@code reply}, the whole round trip is held and comes out in the order it
 * happened: client, relay, server, relay, client.
 */
final class Transcript {
    static final String CLIENT = "[client] ";
    static final String RELAY = "[relay ] ";
    static final String SERVER = "[server] ";

    private final PrintStream out;
    private final List<String> held = new ArrayList<>();

    Transcript(PrintStream out) {
        this.out = out;
    }

    /** A line from the relay or the echo server. */
    synchronized void background(String line) {
        held.add(line);
    }

    /** A line from the client, without its {@code echo-client: } prefix. */
    synchronized void client(String text) {
        if (text.startsWith("reply ")) {
            release();
        }
        print(CLIENT + text);
    }

    /** The demo's own commentary; everything held so far comes first. */
    synchronized void say(String line) {
        release();
        print(line);
    }

    private void release() {
        held.forEach(this::print);
        held.clear();
    }

    private void print(String line) {
        out.println(line);
        out.flush();
    }
}
