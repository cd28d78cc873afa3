package io.socksudp.agent.association;

import io.socksudp.agent.config.AssociateMode;
import io.socksudp.agent.config.LazyLogger;
import io.socksudp.agent.socks.UdpHeader;
import org.slf4j.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code socksudp.associate=auto}: which UDP ASSOCIATE form gets replies delivered by this proxy, checked once per
 * proxy per JVM, before the first association, and remembered.
 *
 * <p>The check: for each form in turn (zero, port, full), an association from a UDP socket of the agent's own
 * sends a token through the relay to a second socket of the agent's own, bound to the address the proxy sees this
 * host at (the control connection's local address); that socket answers to whoever delivered the token (the
 * relay's external side), and the first socket waits for the answer to come back through the relay. The first
 * form whose answer comes back wins. A server that handles the zero-filled form (Dante, shadowsocks) costs one
 * extra association and one round trip, once, and its sockets keep the zero-filled form: nothing changes on the
 * data path. The agent's two sockets are {@link #owns owned}: the interception leaves them alone, so the check's
 * datagrams go exactly where it sends them.
 *
 * <p>When no token reaches this host at all, with any form (a NAT between this host and the proxy, or a firewall:
 * the proxy cannot reach the second socket), the check cannot tell: the zero-filled form is used, RFC 1928's form
 * for clients behind NAT, and the log says so. When tokens go out but no answer comes back with any form, nothing
 * works: every association fails, with a sentence naming what was tried (fail closed).
 *
 * <p>The verdict is forgotten when an association opened since the last check is lost (the proxy restarted, or
 * ended it): the next set-up checks again (see {@link #lost}).
 */
final class FormLearner {

    private static final Logger LOG = LazyLogger.getLogger("socksudp");
    private static final Charset ASCII = Charset.forName("US-ASCII");
    /** A failed check (nothing works) is repeated no more often than this; meanwhile set-ups fail at once. */
    static final long FAILED_RECHECK_NANOS = 10_000_000_000L;
    /** The least time the answer is awaited once the token went out through the relay. */
    private static final long ANSWER_WAIT_MIN_NANOS = 250_000_000L;
    private static final AssociateMode[] FORMS = {AssociateMode.ZERO, AssociateMode.PORT, AssociateMode.FULL};

    private final ProxyClient client;
    private final Map<Object, Boolean> own = Collections.synchronizedMap(new WeakHashMap<Object, Boolean>());

    private AssociateMode verdict;
    private ProxyUnavailableException failure;
    private boolean stale;
    private long checkedAtNanos;
    private boolean logged;

    FormLearner(ProxyClient client) {
        this.client = client;
    }

    /** Whether {@code socket} is one of the check's own: the interception must leave it alone. */
    boolean owns(Object socket) {
        return !own.isEmpty() && own.containsKey(socket);
    }

    /**
     * An association of this proxy, opened at {@code establishedNanos}, was lost (the proxy restarted, or ended it):
     * check again before the next set-up, unless a check has run since that association was opened (the losses of
     * one restart come together: the first re-association checks, the others' losses are older than its check).
     * Re-associations are paced already ({@link LossBackoff}, the failure backoff), and so are the checks.
     */
    synchronized void lost(long establishedNanos) {
        if (verdict != null && establishedNanos - checkedAtNanos >= 0) {
            stale = true;
        }
    }

    /** The form to use for the next association: the verdict, after checking if there is none yet (or stale). */
    synchronized AssociateMode form() throws ProxyUnavailableException {
        long now = System.nanoTime();
        if (verdict != null && !stale) {
            return verdict;
        }
        if (failure != null && now - checkedAtNanos < FAILED_RECHECK_NANOS) {
            throw new ProxyUnavailableException(failure.getMessage(), failure);
        }
        AssociateMode previous = verdict;
        try {
            Verdict v = check();
            checkedAtNanos = System.nanoTime();
            verdict = v.form;
            failure = null;
            stale = false;
            if (!logged || v.form != previous) {
                LOG.info("{}", v.reason);
                logged = true;
            } else {
                LOG.debug("{}", v.reason);
            }
            return verdict;
        } catch (ProxyUnavailableException e) {
            if (e.getMessage().startsWith("socksudp.associate=auto")) {
                checkedAtNanos = System.nanoTime();
                failure = e;
                verdict = null;
                LOG.warn("{}", e.getMessage());
            }
            throw e; // cannot reach the proxy now: as for any set-up; the verdict (if any) stays
        }
    }

    /** The verdict and the sentence that explains it. */
    static final class Verdict {
        final AssociateMode form;
        final String reason;

        Verdict(AssociateMode form, String reason) {
            this.form = form;
            this.reason = reason;
        }
    }

    /** What one form did. */
    static final class Attempt {
        final AssociateMode form;
        String refused;
        boolean outbound;
        boolean inbound;

        Attempt(AssociateMode form) {
            this.form = form;
        }

        @Override
        public String toString() {
            String what = refused != null ? "refused (" + refused + ")"
                    : inbound ? "delivered the reply"
                    : outbound ? "relayed out, no reply delivered"
                    : "nothing relayed reached this host";
            return form.configValue() + ": " + what;
        }
    }

    private Verdict check() throws ProxyUnavailableException {
        long started = System.nanoTime();
        String proxy = client.proxyName();
        int waitMillis = (int) Math.min(1000, Math.max(200, client.connectTimeoutMillis() / 5));
        List<Attempt> tried = new ArrayList<Attempt>();
        Selector selector = null;
        DatagramChannel far = null;
        InetAddress local = null;
        try {
            selector = Selector.open();
            for (AssociateMode form : FORMS) {
                if (System.nanoTime() - started > client.connectTimeoutMillis() * 1_000_000L) {
                    break; // the whole check gets one connectTimeout: a waiting sender's deadline is not much longer
                }
                Attempt a = new Attempt(form);
                tried.add(a);
                DatagramChannel socket = ownChannel();
                ProxyClient.Granted granted = null;
                try {
                    if (local != null) {
                        socket.bind(new InetSocketAddress(local, 0));
                    }
                    long opening = System.nanoTime();
                    try {
                        granted = client.open(form, local == null ? null
                                : (InetSocketAddress) socket.getLocalAddress(), null);
                    } catch (ProxyUnavailableException e) {
                        if (form == AssociateMode.ZERO) {
                            throw e; // not a question of form: the proxy is unreachable, refuses UDP, or wants credentials
                        }
                        a.refused = e.getMessage();
                        continue;
                    }
                    if (local == null) {
                        // The handshake's time (TCP connect and one SOCKS round trip) bounds how long a token can
                        // take to go through the relay and back to a socket the proxy can reach: wait five times
                        // that, at least 250 ms, at most the configured share of connectTimeout.
                        waitMillis = (int) Math.min(waitMillis, Math.max(ANSWER_WAIT_MIN_NANOS,
                                5 * (System.nanoTime() - opening)) / 1_000_000L);
                        // The address the proxy sees this host at (unless a NAT is in between).
                        local = granted.control.socket().getLocalAddress();
                        socket.bind(new InetSocketAddress(local, 0));
                        far = ownChannel();
                        far.bind(new InetSocketAddress(local, 0));
                        far.configureBlocking(false);
                        far.register(selector, SelectionKey.OP_READ);
                    }
                    socket.configureBlocking(false);
                    SelectionKey key = socket.register(selector, SelectionKey.OP_READ);
                    exchange(a, socket, far, granted.relay, selector, waitMillis);
                    key.cancel();
                } finally {
                    if (granted != null) {
                        closeQuietly(granted.control);
                    }
                    closeQuietly(socket);
                    selector.selectNow(); // forget the cancelled key
                }
                if (a.inbound) {
                    return new Verdict(form, reason(proxy, tried, form, started));
                }
            }
        } catch (ProxyUnavailableException e) {
            throw e;
        } catch (IOException e) {
            throw new ProxyUnavailableException("socksudp.associate=auto: checking SOCKS5 proxy " + proxy
                    + " failed on this host (" + e + "); tried " + tried, e);
        } finally {
            closeQuietly(far);
            closeQuietly(selector);
        }
        boolean anyOut = false;
        for (Attempt a : tried) {
            anyOut |= a.outbound;
        }
        if (!anyOut) {
            return new Verdict(AssociateMode.ZERO, "socksudp.associate=auto: could not check SOCKS5 proxy " + proxy
                    + ": no datagram relayed through it reached this host at " + local + " (" + join(tried)
                    + "; a NAT or firewall between this host and the proxy?); using zero, RFC 1928's form for"
                    + " clients behind NAT; a server that needs the client's port (hpsockd) delivers no reply with it:"
                    + " if replies never come back, set socksudp.associate=port ('java -jar socksudp-agent.jar probe "
                    + proxy + " --echo HOST:PORT' tells) (checked in " + millisSince(started) + " ms)");
        }
        throw new ProxyUnavailableException("socksudp.associate=auto: SOCKS5 proxy " + proxy + " relayed datagrams"
                + " out but delivered no reply with any UDP ASSOCIATE form (" + join(tried) + "); no datagram is sent"
                + " through it; set socksudp.associate explicitly, or run 'java -jar socksudp-agent.jar probe "
                + proxy + "'");
    }

    private static String reason(String proxy, List<Attempt> tried, AssociateMode form, long started) {
        String because;
        if (form == AssociateMode.ZERO) {
            because = "it delivers replies to the zero-filled association (0.0.0.0:0)";
        } else {
            because = "the zero-filled form did not work (" + join(tried) + ")";
        }
        return "socksudp.associate=auto: using " + form.configValue() + " with SOCKS5 proxy " + proxy + ": "
                + because + " (checked in " + millisSince(started) + " ms)";
    }

    /** Token out through the relay to {@code far}; far answers whoever delivered it; the answer back to socket. */
    private static void exchange(Attempt a, DatagramChannel socket, DatagramChannel far, InetSocketAddress relay,
                                 Selector selector, int waitMillis) throws IOException {
        String token = "socksudp-auto-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        byte[] header = UdpHeader.encode((InetSocketAddress) far.getLocalAddress());
        ByteBuffer out = ByteBuffer.allocate(header.length + token.length());
        out.put(header).put(token.getBytes(ASCII)).flip();
        socket.send(out, relay);
        String answer = "re:" + token;
        ByteBuffer in = ByteBuffer.allocate(2048);
        long sent = System.nanoTime();
        // The token must arrive within the wait; the answer, once the token arrived, within five times the time the
        // token took (a relay that delivers replies does so as fast as it relays out), at least 250 ms.
        long deadline = sent + waitMillis * 1_000_000L;
        while (!a.inbound) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return;
            }
            selector.select(left);
            selector.selectedKeys().clear();
            in.clear();
            SocketAddress from;
            while ((from = far.receive(in)) != null) {
                in.flip();
                if (!a.outbound && token.equals(ASCII.decode(in).toString())) {
                    a.outbound = true;
                    far.send(ByteBuffer.wrap(answer.getBytes(ASCII)), from);
                    long now = System.nanoTime();
                    deadline = now + Math.min(waitMillis * 1_000_000L,
                            Math.max(ANSWER_WAIT_MIN_NANOS, 5 * (now - sent)));
                }
                in.clear();
            }
            while ((from = socket.receive(in)) != null) {
                in.flip();
                if (from.equals(relay)) {
                    int headerLength = UdpHeader.parse(in.duplicate());
                    if (headerLength > 0) {
                        in.position(headerLength);
                        a.inbound = answer.equals(ASCII.decode(in).toString());
                    }
                }
                in.clear();
            }
        }
    }

    /** A UDP channel that the interception leaves alone. */
    private DatagramChannel ownChannel() throws IOException {
        DatagramChannel c = DatagramChannel.open();
        own.put(c, Boolean.TRUE); // before its first send or receive, when the interception would take it
        return c;
    }

    private static String join(List<Attempt> tried) {
        StringBuilder sb = new StringBuilder();
        for (Attempt a : tried) {
            sb.append(sb.length() == 0 ? "" : "; ").append(a);
        }
        return sb.toString();
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000L;
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException ignored) {
            // the check is over either way
        }
    }
}
