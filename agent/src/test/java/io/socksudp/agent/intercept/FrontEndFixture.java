package io.socksudp.agent.intercept;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.socksudp.agent.association.Association;
import io.socksudp.agent.association.FakeProxy;
import io.socksudp.agent.config.HostMatcher;
import io.socksudp.agent.socks.UdpHeader;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * What the front-end tests share: a {@link FakeProxy} (real loopback control connections, no SOCKS) behind a real
 * AssociationManager, the default routing (loopback bypassed), the JVM-wide-free drop counters of one socket, and
 * the addresses used. Nothing is sent to the documentation-range peers: the front ends only frame for them.
 */
final class FrontEndFixture implements AutoCloseable {

    static final String PROXY = "fake-proxy:1080";
    /** A proxied peer (TEST-NET-2): never contacted, only framed for. */
    static final InetSocketAddress PEER = at("198.51.100.7", 5353);
    static final InetSocketAddress OTHER_PEER = at("198.51.100.8", 5353);
    /** Neither the relay nor bypassed: a stray sender. */
    static final InetSocketAddress STRANGER = at("203.0.113.9", 4000);
    /** Bypassed by the default list (loopback). */
    static final InetSocketAddress LOOPBACK = at("127.0.0.1", 9);

    final Routing routing;
    final DropCounters drops = new DropCounters();
    final FakeProxy proxy;

    FrontEndFixture() throws IOException {
        this(HostMatcher.defaultLoopback());
    }

    /** With {@code bypass} instead of the default list: loopback senders of tests then count as strangers. */
    FrontEndFixture(HostMatcher bypass) throws IOException {
        routing = new Routing(bypass);
        proxy = new FakeProxy(PROXY, 77);
    }

    /** {@code socket} with its association over the fake proxy, reached through {@code access}. */
    AssociatedSocket associated(Object socket, SocketAccess access, boolean dropWhenUnavailable) {
        return new AssociatedSocket(new WeakReference<Object>(socket), proxy.manager(), routing, access,
                drops, dropWhenUnavailable);
    }

    static InetSocketAddress at(String literal, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), port);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The relay of the association the fake proxy granted last (the socket's own, in these tests). */
    InetSocketAddress relay() {
        Association a = proxy.latest();
        return a == null ? null : a.relay();
    }

    /** A datagram as a relay sends it: {@code from}'s SOCKS header, then {@code payload}. */
    static byte[] relayed(InetSocketAddress from, byte[] payload) {
        byte[] header = UdpHeader.encode(from);
        byte[] out = new byte[header.length + payload.length];
        System.arraycopy(header, 0, out, 0, header.length);
        System.arraycopy(payload, 0, out, header.length, payload.length);
        return out;
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** Waits (up to seconds) for the association to be closed, which a release does from its own thread. */
    static void awaitClosed(Association a) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (a.isOpen() && System.nanoTime() - end < 0) {
            Thread.sleep(10);
        }
        assertFalse(a.isOpen(), a + " left open");
    }

    @Override
    public void close() throws IOException {
        proxy.close();
    }
}
