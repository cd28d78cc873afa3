package io.socksudp.agent.dns;

import io.socksudp.agent.association.ProxyConnector;
import io.socksudp.agent.config.Config;
import io.socksudp.agent.config.HostMatcher;
import io.socksudp.agent.config.IpLiteral;
import io.socksudp.agent.dns.message.Dns;
import io.socksudp.agent.dns.message.DnsName;
import io.socksudp.agent.dns.message.DnsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Paths;
import java.security.AccessController;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The JVM's name look-ups with {@code socksudp.dns} set, in the order the system resolver uses ({@code hosts: files
 * dns}): an IP literal is never sent; the hosts file first; {@code localhost} answered locally; names that
 * nonProxyHosts lists, and the names the agent itself needs to reach the proxy (the proxy's host, relayHost), left to
 * the system resolver (the hook asks it when this returns null); everything else asked of the DNS server through the
 * proxy, with the search list and ndots of resolv.conf. Fail closed: whatever goes wrong on the way is an
 * {@link UnknownHostException} naming the proxy and the DNS server, never a fallback to the system resolver.
 *
 * <p>Under a SecurityManager the work runs in {@code doPrivileged}: the JDK asks the application's permission to
 * resolve the name ({@code SocketPermission "resolve"}) before it calls here; reading the hosts file and resolv.conf,
 * the association and the datagrams to the relay, the TCP CONNECT of a truncated answer are the agent's own work,
 * which the application need not be allowed (the agent jar is granted AllPermission, as start-up checks).
 *
 * <p>No cache: the JDK's own ({@code networkaddress.cache.ttl}, negative {@code networkaddress.cache.negative.ttl})
 * stays in charge, as with its built-in resolver, which does not see TTLs either.
 */
public final class ProxiedResolver {

    private static final Logger LOG = LoggerFactory.getLogger("socksudp");
    private static final byte[] LOOPBACK4 = {127, 0, 0, 1};
    private static final byte[] LOOPBACK6 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    /** Set while this thread is inside a DNS exchange: a look-up the exchange itself needs goes to the system. */
    private static final ThreadLocal<Boolean> EXCHANGING = new ThreadLocal<Boolean>();

    private final HostsFile hosts;
    private final ResolvConf resolvConf;
    private final DnsTransport transport;
    private final HostMatcher nonProxyHosts;
    private final Set<String> systemNames = new HashSet<String>();
    private final String via;

    /**
     * The resolver for this machine: {@code /etc/hosts} and {@code /etc/resolv.conf} as glibc reads them, the DNS
     * server of {@code socksudp.dns} asked through the proxies of {@code config}. Reads the two files, looks nothing up.
     */
    public static ProxiedResolver forThisMachine(Config config) {
        ResolvConf resolvConf = ResolvConf.read(Paths.get("/etc/resolv.conf"));
        DnsTransport transport = new DnsTransport(config.dns(), new ProxyConnector(config.proxySettings()),
                resolvConf.timeoutSeconds() * 1000, resolvConf.attempts(), new DnsDrops());
        return new ProxiedResolver(config, new HostsFile(Paths.get("/etc/hosts")), resolvConf, transport);
    }

    /** The search list, ndots, timeout and attempts this resolver follows. */
    public ResolvConf resolvConf() {
        return resolvConf;
    }

    ProxiedResolver(Config config, HostsFile hosts, ResolvConf resolvConf, DnsTransport transport) {
        this.hosts = hosts;
        this.resolvConf = resolvConf;
        this.transport = transport;
        this.nonProxyHosts = config.nonProxyHosts();
        for (io.socksudp.agent.config.ProxyEndpoint proxy : config.proxies()) {
            systemNames.add(DnsName.key(proxy.address().host()));
        }
        if (config.relayHost() != null) {
            systemNames.add(DnsName.key(config.relayHost()));
        }
        this.via = "DNS server " + Config.formatDns(config.dns()) + " via SOCKS5 proxy " + config.proxy();
    }

    /**
     * The addresses of {@code host} in {@code order}, or null when the system resolver is to answer (nonProxyHosts,
     * the proxy's own name, or a look-up that the DNS exchange itself needs).
     */
    public InetAddress[] lookup(final String host, final AddressOrder order) throws UnknownHostException {
        if (System.getSecurityManager() == null) {
            return lookupAsAgent(host, order);
        }
        return privileged(new PrivilegedExceptionAction<InetAddress[]>() {
            @Override
            public InetAddress[] run() throws UnknownHostException {
                return lookupAsAgent(host, order);
            }
        });
    }

    /** The name of {@code address}, or null when the system resolver is to answer (nonProxyHosts). */
    public String reverse(final byte[] address) throws UnknownHostException {
        if (System.getSecurityManager() == null) {
            return reverseAsAgent(address);
        }
        return privileged(new PrivilegedExceptionAction<String>() {
            @Override
            public String run() throws UnknownHostException {
                return reverseAsAgent(address);
            }
        });
    }

    private static <T> T privileged(PrivilegedExceptionAction<T> action) throws UnknownHostException {
        try {
            return AccessController.doPrivileged(action);
        } catch (PrivilegedActionException e) {
            throw (UnknownHostException) e.getException(); // the only checked exception the actions throw
        }
    }

    private InetAddress[] lookupAsAgent(String host, AddressOrder order) throws UnknownHostException {
        byte[] literal = IpLiteral.bytes(host);
        if (literal != null) {
            return new InetAddress[] {InetAddress.getByAddress(host, literal)}; // never sent anywhere
        }
        List<byte[]> fromFile = hosts.addresses(host);
        if (!fromFile.isEmpty()) {
            return addresses(host, fromFile, order, "the hosts file " + hosts.path());
        }
        String key = DnsName.key(host);
        if (key.equals("localhost")) {
            List<byte[]> loopback = new ArrayList<byte[]>();
            loopback.add(LOOPBACK4);
            loopback.add(LOOPBACK6);
            return addresses(host, loopback, order, "localhost");
        }
        if (leftToSystem(host, key)) {
            return null;
        }
        EXCHANGING.set(Boolean.TRUE);
        try {
            return askDns(host, order);
        } finally {
            EXCHANGING.remove();
        }
    }

    private String reverseAsAgent(byte[] address) throws UnknownHostException {
        String fromFile = hosts.name(address);
        if (fromFile != null) {
            return fromFile;
        }
        if (java.util.Arrays.equals(address, LOOPBACK4) || java.util.Arrays.equals(address, LOOPBACK6)) {
            return "localhost";
        }
        InetAddress a = InetAddress.getByAddress(address);
        if (nonProxyHosts.matches(new InetSocketAddress(a, 0)) || EXCHANGING.get() != null) {
            return null;
        }
        String name = DnsName.reverse(address);
        EXCHANGING.set(Boolean.TRUE);
        try {
            DnsResponse r = transport.ask(new String[] {name}, new int[] {Dns.TYPE_PTR})[0];
            String target = r.rcode() == Dns.RCODE_NOERROR ? r.pointer(name) : null;
            if (target == null) {
                throw new UnknownHostException(a.getHostAddress() + ": no name ("
                        + (r.rcode() == Dns.RCODE_NOERROR ? "no PTR record" : Dns.rcodeName(r.rcode())) + " from "
                        + via + ")");
            }
            LOG.debug("{} is {} (PTR from {})", a.getHostAddress(), target, via);
            return target;
        } catch (IOException e) {
            throw failure(a.getHostAddress(), e);
        } finally {
            EXCHANGING.remove();
        }
    }

    private boolean leftToSystem(String host, String key) {
        if (EXCHANGING.get() != null || systemNames.contains(key)) {
            LOG.debug("{}: the agent's own look-up, left to the system resolver", host);
            return true;
        }
        if (nonProxyHosts.matches(InetSocketAddress.createUnresolved(host, 0))) {
            LOG.debug("{}: in nonProxyHosts, left to the system resolver", host);
            return true;
        }
        return false;
    }

    private InetAddress[] askDns(String host, AddressOrder order) throws UnknownHostException {
        List<String> candidates = resolvConf.candidates(host);
        String lastNegative = null;
        for (String candidate : candidates) {
            String[] names;
            int[] types;
            if (order.ipv4() && order.ipv6()) {
                names = new String[] {candidate, candidate};
                types = new int[] {Dns.TYPE_A, Dns.TYPE_AAAA};
            } else {
                names = new String[] {candidate};
                types = new int[] {order.ipv4() ? Dns.TYPE_A : Dns.TYPE_AAAA};
            }
            DnsResponse[] answers;
            try {
                answers = transport.ask(names, types);
            } catch (IllegalArgumentException e) {
                throw new UnknownHostException(host + ": not a name that can be asked of DNS (" + e.getMessage() + ")");
            } catch (IOException e) {
                throw failure(host, e);
            }
            List<byte[]> v4 = new ArrayList<byte[]>();
            List<byte[]> v6 = new ArrayList<byte[]>();
            boolean nxdomain = false;
            for (int i = 0; i < answers.length; i++) {
                int rcode = answers[i].rcode();
                if (rcode == Dns.RCODE_NXDOMAIN) {
                    nxdomain = true; // whatever records came with it (RFC 6604: a CNAME chain) lead nowhere
                } else if (rcode != Dns.RCODE_NOERROR) {
                    throw new UnknownHostException(host + ": " + Dns.rcodeName(rcode) + " for " + candidate + " "
                            + Dns.typeName(types[i]) + " from " + via);
                } else {
                    (types[i] == Dns.TYPE_A ? v4 : v6).addAll(answers[i].addresses(candidate, types[i]));
                }
            }
            if (!v4.isEmpty() || !v6.isEmpty()) {
                List<byte[]> all = new ArrayList<byte[]>(v4);
                all.addAll(v6);
                return addresses(host, all, order, via + (candidate.equals(host) ? "" : " as " + candidate));
            }
            // As glibc's res_search: a candidate that exists without the records asked for (NODATA) says more than
            // a later one that does not exist at all.
            if (!nxdomain || lastNegative == null) {
                String noData = "no " + (order.ipv4() && order.ipv6() ? "A or AAAA" : order.ipv4() ? "A" : "AAAA")
                        + " record for " + candidate + " (from " + via + ")";
                lastNegative = nxdomain ? "no such name (NXDOMAIN from " + via + ")" : noData;
            }
        }
        throw new UnknownHostException(host + ": " + lastNegative
                + (candidates.size() > 1 ? "; tried " + candidates : ""));
    }

    private UnknownHostException failure(String what, IOException cause) {
        UnknownHostException e = new UnknownHostException(what + ": cannot be resolved through " + via
                + ": " + cause.getMessage());
        e.initCause(cause);
        return e;
    }

    /** Filtered to the families {@code order} allows and sorted as it says, keeping each family's own order. */
    private static InetAddress[] addresses(String host, List<byte[]> found, AddressOrder order, String source)
            throws UnknownHostException {
        List<InetAddress> v4 = new ArrayList<InetAddress>();
        List<InetAddress> v6 = new ArrayList<InetAddress>();
        for (byte[] b : found) {
            InetAddress a = InetAddress.getByAddress(host, b);
            if (b.length == 4 || a.getAddress().length == 4) {
                if (order.ipv4()) {
                    v4.add(a);
                }
            } else if (order.ipv6()) {
                v6.add(a);
            }
        }
        List<InetAddress> result = new ArrayList<InetAddress>(v4.size() + v6.size());
        result.addAll(order.ipv6First() ? v6 : v4);
        result.addAll(order.ipv6First() ? v4 : v6);
        if (result.isEmpty()) {
            throw new UnknownHostException(host + ": no address of the families asked for (from " + source + ")");
        }
        LOG.debug("{} is {} (from {})", host, result, source);
        return result.toArray(new InetAddress[0]);
    }
}
