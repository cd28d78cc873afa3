package io.socksudp.agent.association;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * One UDP ASSOCIATE: the TCP control connection and the relay it granted. RFC 1928 section 7: the
 * association lives exactly as long as the control connection, so closing this closes the relay too.
 */
public final class Association implements Closeable {

    private final Socket control;
    private final InetSocketAddress relay;
    private final String proxy;
    private final String description;
    private volatile boolean closed;

    Association(Socket control, InetSocketAddress relay, String proxy) {
        this.control = control;
        this.relay = relay;
        this.proxy = proxy;
        this.description = "association via " + proxy + " relaying at " + relay + " (control "
                + control.getLocalSocketAddress() + ")";
    }

    /** Where the client sends its encapsulated datagrams, and where relayed replies come from. */
    public InetSocketAddress relay() {
        return relay;
    }

    /** The proxy as configured, for messages. */
    public String proxy() {
        return proxy;
    }

    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            control.close();
        } catch (IOException ignored) {
            // nothing useful to do: the proxy ends the association when the connection goes away
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
