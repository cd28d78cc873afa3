package io.socksudp.agent.dns;

import io.socksudp.agent.association.ProxyConnector;
import io.socksudp.agent.dns.message.Dns;
import io.socksudp.agent.dns.message.DnsFormatException;
import io.socksudp.agent.dns.message.DnsQuery;
import io.socksudp.agent.dns.message.DnsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Asks the DNS server through the proxy. Over UDP, on datagram channels of the agent's own, each with an association
 * of its own: the channels are ordinary JDK channels, so the agent's own interception frames their queries for the
 * relay and believes only what comes back from it, exactly as for an application's socket (the configuration
 * refuses a DNS server that nonProxyHosts would send directly). A few idle channels are kept, so a look-up does not
 * pay for a new association each time. Over TCP (SOCKS5 CONNECT) when a UDP answer comes back truncated.
 *
 * <p>Like a stub resolver (resolv.conf(5)): each attempt sends the questions still unanswered and waits up to the
 * timeout; an answer is believed only if it comes from the DNS server (as the relay reports it), parses, carries the
 * ID of a question still open, and echoes that question. Anything else is dropped and counted ({@link DnsDrops}).
 */
final class DnsTransport {

    private static final Logger LOG = LoggerFactory.getLogger("socksudp");
    private static final int MAX_IDLE_CHANNELS = 4;
    private static final int MAX_TCP_LENGTH = 65535;

    private final InetSocketAddress server;
    private final ProxyConnector tcp;
    private final int timeoutMillis;
    private final int attempts;
    private final DnsDrops drops;
    private final SecureRandom random = new SecureRandom();
    private final Deque<DatagramChannel> idle = new ArrayDeque<DatagramChannel>();

    DnsTransport(InetSocketAddress server, ProxyConnector tcp, int timeoutMillis, int attempts, DnsDrops drops) {
        this.server = server;
        this.tcp = tcp;
        this.timeoutMillis = timeoutMillis;
        this.attempts = attempts;
        this.drops = drops;
    }

    /**
     * Asks every question ({@code names[i]}, {@code types[i]}) at once and returns the answers in the same order.
     * Throws IOException when the proxy cannot be had or no answer came within the attempts.
     */
    DnsResponse[] ask(String[] names, int[] types) throws IOException {
        int n = names.length;
        int[] ids = new int[n];
        byte[][] queries = new byte[n][];
        for (int i = 0; i < n; i++) {
            ids[i] = newId(ids, i);
            queries[i] = DnsQuery.encode(ids[i], names[i], types[i]);
        }
        DnsResponse[] answers = new DnsResponse[n];
        DatagramChannel channel = borrow();
        boolean reusable = false;
        try {
            int open = n;
            byte[] buffer = new byte[Dns.MAX_UDP_LENGTH + 1];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            int[] which = new int[1];
            for (int attempt = 1; attempt <= attempts && open > 0; attempt++) {
                for (int i = 0; i < n; i++) {
                    if (answers[i] == null) {
                        channel.send(ByteBuffer.wrap(queries[i]), server);
                    }
                }
                long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
                while (open > 0) {
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (left <= 0) {
                        break;
                    }
                    channel.socket().setSoTimeout((int) left);
                    packet.setData(buffer);
                    try {
                        channel.socket().receive(packet);
                    } catch (SocketTimeoutException e) {
                        break;
                    }
                    DnsResponse r = believe(packet, names, types, ids, answers, which);
                    if (r != null) {
                        answers[which[0]] = r;
                        open--;
                    }
                }
            }
            if (open > 0) {
                throw new SocketTimeoutException("no answer from DNS server " + describe(server) + " in " + attempts
                        + " attempt(s) of " + timeoutMillis + " ms");
            }
            reusable = true;
        } finally {
            giveBack(channel, reusable);
        }
        for (int i = 0; i < n; i++) {
            if (answers[i].truncated()) {
                LOG.debug("DNS answer for {} {} truncated over UDP; asking over TCP", names[i],
                        Dns.typeName(types[i]));
                answers[i] = askOverTcp(names[i], types[i]);
            }
        }
        return answers;
    }

    /**
     * The response in {@code packet} with the index of the question it answers in {@code which[0]}, or null after
     * dropping and counting it.
     */
    private DnsResponse believe(DatagramPacket packet, String[] names, int[] types, int[] ids, DnsResponse[] answers,
                                int[] which) {
        Object source = packet.getSocketAddress();
        if (!server.equals(source)) {
            drops.drop(DnsDrops.Reason.STRAY, source, null);
            return null;
        }
        DnsResponse r;
        try {
            r = DnsResponse.decode(packet.getData(), packet.getOffset(), packet.getLength());
        } catch (DnsFormatException e) {
            drops.drop(DnsDrops.Reason.MALFORMED, source, e.getMessage());
            return null;
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == r.id() && answers[i] == null) {
                if (!r.answers(names[i], types[i])) {
                    drops.drop(DnsDrops.Reason.WRONG_QUESTION, source, r.questionName() + " "
                            + Dns.typeName(r.questionType()) + " instead of " + names[i] + " " + Dns.typeName(types[i]));
                    return null;
                }
                which[0] = i;
                return r;
            }
        }
        drops.drop(DnsDrops.Reason.UNEXPECTED_ID, source, "ID " + r.id());
        return null;
    }

    /** RFC 1035 section 4.2.2: the same question over TCP, each message prefixed by its length. */
    private DnsResponse askOverTcp(String name, int type) throws IOException {
        int id = random.nextInt(0x10000);
        byte[] query = DnsQuery.forTcp(DnsQuery.encode(id, name, type));
        SocketChannel channel = tcp.connect(server, timeoutMillis * attempts);
        try {
            channel.socket().getOutputStream().write(query);
            InputStream in = channel.socket().getInputStream();
            byte[] length = readFully(in, 2);
            int size = ((length[0] & 0xFF) << 8) | (length[1] & 0xFF);
            if (size < Dns.HEADER_LENGTH || size > MAX_TCP_LENGTH) {
                throw new IOException("DNS server " + describe(server) + " sent a TCP message of " + size + " bytes");
            }
            byte[] msg = readFully(in, size);
            DnsResponse r;
            try {
                r = DnsResponse.decode(msg, 0, msg.length);
            } catch (DnsFormatException e) {
                drops.drop(DnsDrops.Reason.MALFORMED, server, e.getMessage());
                throw new IOException("DNS server " + describe(server) + " sent a malformed answer over TCP: "
                        + e.getMessage());
            }
            if (r.id() != id || !r.answers(name, type)) {
                drops.drop(r.id() != id ? DnsDrops.Reason.UNEXPECTED_ID : DnsDrops.Reason.WRONG_QUESTION, server,
                        "over TCP");
                throw new IOException("DNS server " + describe(server) + " answered another question over TCP");
            }
            return r;
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("no answer over TCP from DNS server " + describe(server) + " within "
                    + timeoutMillis * attempts + " ms");
        } finally {
            channel.close();
        }
    }

    private static byte[] readFully(InputStream in, int length) throws IOException {
        byte[] b = new byte[length];
        int got = 0;
        while (got < length) {
            int r = in.read(b, got, length - got);
            if (r < 0) {
                throw new EOFException("the DNS server closed the TCP connection after " + got + " of " + length
                        + " bytes");
            }
            got += r;
        }
        return b;
    }

    private int newId(int[] taken, int count) {
        while (true) {
            int id = random.nextInt(0x10000);
            boolean clash = false;
            for (int i = 0; i < count; i++) {
                clash |= taken[i] == id;
            }
            if (!clash) {
                return id;
            }
        }
    }

    private DatagramChannel borrow() throws IOException {
        synchronized (idle) {
            DatagramChannel c = idle.pollFirst();
            if (c != null) {
                return c;
            }
        }
        return DatagramChannel.open();
    }

    private void giveBack(DatagramChannel channel, boolean reusable) {
        if (reusable) {
            synchronized (idle) {
                if (idle.size() < MAX_IDLE_CHANNELS) {
                    idle.addFirst(channel);
                    return;
                }
            }
        }
        try {
            channel.close(); // and with it its association
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    static String describe(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + a.getPort() : host + ":" + a.getPort();
    }
}
