package io.socksudp.agent.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socksudp.agent.association.ProxyConnector;
import io.socksudp.agent.config.Config;
import io.socksudp.agent.config.ConfigLoader;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The resolver's local rules, and the whole path to a DNS server and back on real loopback sockets. No agent is
 * attached in unit tests, so the transport's channel talks to the server directly here: what is tested is what it
 * asks and what it believes; DnsIT shows the same through a real proxy.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ProxiedResolverTest {

    static Config config(String dns) throws Exception {
        Properties p = new Properties();
        p.setProperty("socksudp.proxy", "proxy.example:1080");
        p.setProperty("socksudp.nonProxyHosts", "*.direct.test|192.0.2.200");
        p.setProperty("socksudp.relayHost", "relay.example");
        p.setProperty("socksudp.dns", dns);
        return ConfigLoader.load(null, p, null);
    }

    static ProxiedResolver resolver(Config c, List<String> hostsLines, ResolvConf rc, DnsTransport transport) {
        return new ProxiedResolver(c, HostsFile.of(hostsLines), rc, transport);
    }

    static String show(InetAddress[] found) {
        StringBuilder sb = new StringBuilder();
        for (InetAddress a : found) {
            sb.append(sb.length() > 0 ? " " : "").append(a.getHostName()).append('/').append(a.getHostAddress());
        }
        return sb.toString();
    }

    /** Local answers never touch the transport: it is null here, so a query would fail the test. */
    @Test
    void literals_hosts_file_localhost_and_system_names_are_local() throws Exception {
        ProxiedResolver r = resolver(config("192.0.2.53"), Arrays.asList("192.0.2.7 filed.test", "2001:db8::7 filed.test",
                "192.0.2.8 named.test"), ResolvConf.defaults(), null);
        assertEquals("192.0.2.1/192.0.2.1", show(r.lookup("192.0.2.1", AddressOrder.IPV4_FIRST)));
        assertEquals("filed.test/192.0.2.7 filed.test/2001:db8:0:0:0:0:0:7",
                show(r.lookup("filed.test", AddressOrder.IPV4_FIRST)));
        assertEquals("FILED.test/2001:db8:0:0:0:0:0:7 FILED.test/192.0.2.7",
                show(r.lookup("FILED.test", AddressOrder.IPV6_FIRST)));
        assertEquals("filed.test/192.0.2.7", show(r.lookup("filed.test", AddressOrder.IPV4_ONLY)));
        assertEquals("localhost/127.0.0.1 localhost/0:0:0:0:0:0:0:1",
                show(r.lookup("localhost", AddressOrder.IPV4_FIRST)));
        assertThrows(UnknownHostException.class, () -> r.lookup("named.test", AddressOrder.IPV6_ONLY));
        // nonProxyHosts, the proxy's own name and relayHost: the system resolver's (null)
        assertNull(r.lookup("x.direct.test", AddressOrder.IPV4_FIRST));
        assertNull(r.lookup("proxy.example", AddressOrder.IPV4_FIRST));
        assertNull(r.lookup("RELAY.example.", AddressOrder.IPV4_FIRST));
        assertEquals("named.test", r.reverse(new byte[] {(byte) 192, 0, 2, 8}));
        assertEquals("localhost", r.reverse(new byte[] {127, 0, 0, 1}));
        assertNull(r.reverse(new byte[] {(byte) 192, 0, 2, (byte) 200}));
    }

    /** A DNS server on loopback that answers each query with {@code answer}, from the real socket. */
    interface Answer {
        void to(DatagramSocket server, DatagramPacket query) throws Exception;
    }

    static Thread serve(DatagramSocket server, int queries, Answer answer) {
        Thread t = new Thread(() -> {
            try {
                for (int i = 0; i < queries; i++) {
                    DatagramPacket q = new DatagramPacket(new byte[512], 512);
                    server.receive(q);
                    answer.to(server, q);
                }
            } catch (Exception e) {
                // the test sees what is missing
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    static byte[] response(byte[] query, int queryLength, int rcode, byte[]... addresses) {
        // the query's header and question, flags QR RD RA + rcode, then one record per address (owner: pointer)
        int type = ((query[queryLength - 4] & 0xFF) << 8) | (query[queryLength - 3] & 0xFF);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(query, 0, queryLength);
        byte[] msg;
        for (byte[] a : addresses) {
            if ((a.length == 4) != (type == 1)) {
                continue;
            }
            out.write(0xC0);
            out.write(0x0C);
            out.write(0);
            out.write(type);
            out.write(0);
            out.write(1);
            out.write(0);
            out.write(0);
            out.write(0x0E);
            out.write(0x10);
            out.write(0);
            out.write(a.length);
            out.write(a, 0, a.length);
        }
        msg = out.toByteArray();
        msg[2] = (byte) 0x81;
        msg[3] = (byte) (0x80 | rcode);
        int count = (msg.length - queryLength) / (12 + (type == 1 ? 4 : 16));
        msg[7] = (byte) count;
        return msg;
    }

    static void reply(DatagramSocket from, DatagramPacket to, byte[] msg) throws Exception {
        from.send(new DatagramPacket(msg, msg.length, to.getSocketAddress()));
    }

    static final byte[] A7 = {(byte) 192, 0, 2, 7};
    static final byte[] AAAA7 = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};

    @Test
    void forged_stray_and_malformed_answers_are_dropped_and_counted() throws Exception {
        try (DatagramSocket server = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket forger = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Config c = configLoopback(server);
            DnsDrops drops = new DnsDrops();
            DnsTransport t = new DnsTransport((InetSocketAddress) server.getLocalSocketAddress(),
                    new ProxyConnector(c.proxySettings()), 2000, 1, drops);
            serve(server, 2, (s, q) -> {
                int len = q.getLength();
                byte[] good = response(q.getData(), len, 0, A7, AAAA7);
                // a stray answer from another socket, a malformed one, one with another ID, one with another question
                reply(forger, q, good);
                reply(s, q, Arrays.copyOf(good, 11));
                byte[] otherId = good.clone();
                otherId[0] ^= 0x55;
                reply(s, q, otherId);
                byte[] otherQuestion = good.clone();
                otherQuestion[13] ^= 0x20; // another case is still the same name (RFC 4343), but
                otherQuestion[14] = (byte) 'z'; // another letter is another question
                reply(s, q, otherQuestion);
                reply(s, q, good);
            });
            ProxiedResolver r = resolver(c, List.of(), ResolvConf.defaults(), t);
            InetAddress[] found = r.lookup("www.socksudp.test", AddressOrder.IPV4_FIRST);
            assertEquals("www.socksudp.test/192.0.2.7 www.socksudp.test/2001:db8:0:0:0:0:0:7", show(found));
            // two queries (A and AAAA), each with four bad answers before the good one
            assertEquals(2, drops.count(DnsDrops.Reason.STRAY));
            assertEquals(2, drops.count(DnsDrops.Reason.MALFORMED));
            assertEquals(2, drops.count(DnsDrops.Reason.UNEXPECTED_ID));
            assertEquals(2, drops.count(DnsDrops.Reason.WRONG_QUESTION));
        }
    }

    static Config configLoopback(DatagramSocket server) throws Exception {
        Properties p = new Properties();
        p.setProperty("socksudp.proxy", "127.0.0.1:1");
        p.setProperty("socksudp.nonProxyHosts", "");
        p.setProperty("socksudp.dns", "127.0.0.1:" + server.getLocalPort());
        return ConfigLoader.load(null, p, null);
    }

    @Test
    void nxdomain_search_list_and_timeouts() throws Exception {
        try (DatagramSocket server = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Config c = configLoopback(server);
            DnsTransport t = new DnsTransport((InetSocketAddress) server.getLocalSocketAddress(),
                    new ProxyConnector(c.proxySettings()), 300, 2, new DnsDrops());
            ResolvConf rc = ResolvConf.parse(List.of("search a.test b.test", "options ndots:1"));
            java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
            // a.test: NXDOMAIN; b.test: the address
            serve(server, 4, (s, q) -> {
                byte[] msg = Arrays.copyOf(q.getData(), q.getLength());
                String name = new String(msg, 12, msg.length - 16, java.nio.charset.StandardCharsets.ISO_8859_1);
                asked.add(name.replaceAll("[\\x00-\\x1f]", "."));
                boolean nx = name.contains("a\u0004test");
                reply(s, q, response(msg, msg.length, nx ? 3 : 0, A7));
            });
            ProxiedResolver r = resolver(c, List.of(), rc, t);
            assertEquals("host/192.0.2.7", show(r.lookup("host", AddressOrder.IPV4_FIRST)));
            assertEquals(List.of(".host.a.test.", ".host.a.test.", ".host.b.test.", ".host.b.test."), asked);

            // nobody answers any more: two attempts of 300 ms, then a failure naming the server and the proxy
            long start = System.nanoTime();
            UnknownHostException e = assertThrows(UnknownHostException.class,
                    () -> r.lookup("silent.test.", AddressOrder.IPV4_ONLY));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 550 && ms < 3000, "took " + ms + " ms");
            assertTrue(e.getMessage().startsWith("silent.test.: cannot be resolved through DNS server 127.0.0.1:"
                    + server.getLocalPort() + " via SOCKS5 proxy 127.0.0.1:1: no answer"), e.getMessage());
        }
    }

    @Test
    void nxdomain_is_an_unknown_host_naming_the_server_and_the_proxy() throws Exception {
        try (DatagramSocket server = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Config c = configLoopback(server);
            DnsTransport t = new DnsTransport((InetSocketAddress) server.getLocalSocketAddress(),
                    new ProxyConnector(c.proxySettings()), 2000, 1, new DnsDrops());
            serve(server, 2, (s, q) -> reply(s, q, response(Arrays.copyOf(q.getData(), q.getLength()), q.getLength(), 3)));
            UnknownHostException e = assertThrows(UnknownHostException.class,
                    () -> resolver(c, List.of(), ResolvConf.defaults(), t).lookup("nx.test", AddressOrder.IPV4_FIRST));
            assertEquals("nx.test: no such name (NXDOMAIN from DNS server 127.0.0.1:" + server.getLocalPort()
                    + " via SOCKS5 proxy 127.0.0.1:1)", e.getMessage());
        }
    }

    @Test
    void ptr() throws Exception {
        try (DatagramSocket server = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Config c = configLoopback(server);
            DnsTransport t = new DnsTransport((InetSocketAddress) server.getLocalSocketAddress(),
                    new ProxyConnector(c.proxySettings()), 2000, 1, new DnsDrops());
            serve(server, 1, (s, q) -> {
                byte[] msg = Arrays.copyOf(q.getData(), q.getLength());
                byte[] target = io.socksudp.agent.dns.message.DnsName.encode("host.socksudp.test");
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                out.write(msg, 0, msg.length);
                out.write(new byte[] {(byte) 0xC0, 0x0C, 0, 12, 0, 1, 0, 0, 0, 60, 0, (byte) target.length}, 0, 12);
                out.write(target, 0, target.length);
                byte[] r = out.toByteArray();
                r[2] = (byte) 0x81;
                r[3] = (byte) 0x80;
                r[7] = 1;
                reply(s, q, r);
            });
            assertEquals("host.socksudp.test", resolver(c, List.of(), ResolvConf.defaults(), t)
                    .reverse(new byte[] {(byte) 192, 0, 2, 7}));
        }
    }
}
