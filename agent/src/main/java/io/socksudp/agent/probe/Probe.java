package io.socksudp.agent.probe;

import io.socksudp.agent.probe.Finding.Kind;
import io.socksudp.agent.socks.Command;
import io.socksudp.agent.socks.CommandReply;
import io.socksudp.agent.socks.ReplyCode;
import io.socksudp.agent.socks.Socks5;
import io.socksudp.agent.socks.SocksAddress;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Finds out what a SOCKS5 server does with UDP and which socksudp settings work with it. Every check opens its
 * own association; the datagrams go only to the {@link Far} side (a socket of the probe's own, or the echo server
 * the user named) and, for the ICMP check, to a port of this host that was just closed.
 */
public final class Probe {

    /** What to probe and how. */
    public static final class Options {
        public InetSocketAddress proxy;
        public String proxyName;
        public byte[] user;
        public byte[] password;
        /** A UDP echo server to use instead of a local socket (for a probe from behind a NAT); else null. */
        public InetSocketAddress echo;
        public int waitMillis = 1500;
        public int timeoutMillis = 5000;
        /** Long mode: keep an association idle this long, then see whether it still relays; 0 skips it. */
        public int idleSeconds;
    }

    private final Options options;
    private final Report report;
    private final FormCheck.Proxy proxy;
    private InetAddress local;
    private FormCheck check;
    /** The client socket of the zero-filled association kept open for the whole probe. */
    private DatagramSocket keptSocket;

    private Probe(Options options) {
        this.options = options;
        this.report = new Report(options.proxyName);
        this.proxy = new FormCheck.Proxy(options.proxy, options.timeoutMillis, options.user, options.password);
    }

    public static Report run(Options options) {
        Probe p = new Probe(options);
        try {
            p.probe();
        } catch (Fatal f) {
            p.report.works = false;
            p.report.conclusion = f.getMessage();
        }
        return p.report;
    }

    /** Ends the probe: UDP relaying cannot work; the message is the one sentence for the user. */
    private static final class Fatal extends Exception {
        private static final long serialVersionUID = 1L;

        Fatal(String sentence) {
            super(sentence);
        }
    }

    private void probe() throws Fatal {
        methods();
        Far far;
        try {
            far = options.echo != null ? Far.echo(options.echo) : Far.local(local);
        } catch (IOException e) {
            throw new Fatal("cannot open a local UDP socket on " + local.getHostAddress() + ": " + e.getMessage());
        }
        try {
            check = new FormCheck(proxy, far, options.waitMillis);
            forms();
        } finally {
            far.close();
        }
    }

    // ----------------------------------------------------------------------------------------------- methods

    private void methods() throws Fatal {
        int noAuth = select(Socks5.NO_AUTH);
        int password = select(Socks5.USERNAME_PASSWORD);
        report.add("methods", noAuth == Socks5.NO_AUTH || options.user != null ? Kind.OK : Kind.FAIL,
                "no authentication " + (noAuth == Socks5.NO_AUTH ? "accepted" : "refused")
                        + ", username/password (RFC 1929) " + (password == Socks5.USERNAME_PASSWORD ? "accepted"
                        : "refused"));
        if (options.user == null && noAuth != Socks5.NO_AUTH) {
            throw new Fatal("the server " + options.proxyName + " requires authentication"
                    + (password == Socks5.USERNAME_PASSWORD ? "; run probe with --user NAME (the password from"
                    + " --password-file FILE or the environment variable SOCKSUDP_PASSWORD)"
                    : " by a method socksudp does not offer (only username/password)") + ".");
        }
        if (options.user != null && password != Socks5.USERNAME_PASSWORD) {
            throw new Fatal("the server " + options.proxyName + " does not accept username/password authentication.");
        }
        try {
            SocksControl c = proxy.connect();
            local = c.localAddress().getAddress();
            c.close();
        } catch (IOException e) {
            throw new Fatal("the server " + options.proxyName + " did not complete the handshake: " + e.getMessage()
                    + ".");
        }
    }

    private int select(int method) throws Fatal {
        SocksControl c;
        try {
            c = SocksControl.open(options.proxy, options.timeoutMillis);
        } catch (IOException e) {
            throw new Fatal("cannot reach the SOCKS5 server " + options.proxyName + ": " + e.getMessage() + ".");
        }
        try {
            return c.negotiate(method);
        } catch (IOException e) {
            throw new Fatal("the server " + options.proxyName + " does not speak SOCKS5: " + e.getMessage() + ".");
        } finally {
            c.close();
        }
    }

    // ----------------------------------------------------------------------------------------------- forms

    private void forms() throws Fatal {
        boolean observes = check.far().observes();
        DatagramSocket zeroSocket = socket();
        DatagramSocket portSocket = socket();
        DatagramSocket fullSocket = socket();
        FormCheck.Outcome kept = null;
        FormCheck.Cross crossZero = null;
        FormCheck.Cross crossPort = null;
        try {
            FormCheck.Outcome zero = check.attempt(SocksAddress.zeroIpv4(), zeroSocket, zeroSocket, null, true);
            kept = zero;
            keptSocket = zeroSocket;
            FormCheck.Outcome port = check.attempt(SocksAddress.ofIpv4(new byte[4], portSocket.getLocalPort()),
                    portSocket, portSocket, null, false);
            FormCheck.Outcome full = check.attempt(SocksAddress.of(
                    (InetSocketAddress) fullSocket.getLocalSocketAddress()), fullSocket, fullSocket, null, false);
            form("associate.zero", "zero-filled (0.0.0.0:0)", zero, observes);
            form("associate.port", "port (0.0.0.0:" + portSocket.getLocalPort() + ")", port, observes);
            form("associate.full", "full (" + hostPort((InetSocketAddress) fullSocket.getLocalSocketAddress()) + ")",
                    full, observes);
            if (!zero.accepted() && !port.accepted() && !full.accepted()) {
                String why = zero.reply != null ? "refused UDP ASSOCIATE: " + ReplyCode.describe(zero.reply.rep())
                        : "failed the UDP ASSOCIATE: " + zero.error;
                throw new Fatal("the server " + options.proxyName + " " + why
                        + " in every form (zero-filled, port, full): it offers no UDP relaying to this client.");
            }
            FormCheck.Outcome accepted = zero.accepted() ? zero : port.accepted() ? port : full;
            boolean relayHostNeeded = bnd(accepted);
            if (observes && !zero.outbound && !port.outbound && !full.outbound && zero.accepted()
                    && !relayHostNeeded) {
                // Nothing reached this host, BND being reachable: behind a NAT (or a firewall) the proxy cannot
                // reach our own socket.
                crossZero = cross(false);
                if (!crossZero.works() && port.accepted()) {
                    crossPort = cross(true);
                    if (crossPort.works()) {
                        report.add("quirk.zero-form-undelivered", Kind.QUIRK, "between two associations the"
                                + " zero-filled form delivered nothing and the port form did: the server needs the"
                                + " client's UDP port in the request (CCProxy-like or NEC-like)");
                    }
                }
            }
            boolean tcpPort = false;
            if (zero.accepted() && !zero.works() && !relayHostNeeded) {
                tcpPort = portZeroIsTcpPort();
                if (!tcpPort && port.works() && (zero.outbound || !observes)) {
                    report.add("quirk.reply-to-dst-port", Kind.QUIRK, "replies come back only when the request names"
                            + " the client's port: the server sends them to DST.PORT (0 in the zero-filled form,"
                            + " CCProxy-like)" + (observes ? "; the zero-filled form relayed out, never back" : ""));
                }
            }
            FormCheck.Outcome working = zero.works() ? zero : port.works() ? port : full.works() ? full : null;
            if (relayHostNeeded) {
                working = working != null ? working : zero;
            }
            if (working != null || tcpPort) {
                InetAddress override = relayHostNeeded ? options.proxy.getAddress() : null;
                dst(observes, override);
                teardowns(observes, override);
                if (kept.control != null && kept.works()) {
                    if (alive(kept)) {
                        frag(kept, observes);
                    }
                    if (alive(kept)) {
                        atyps(kept, observes);
                    }
                }
            }
            pipelining();
            if (options.idleSeconds > 0 && (working != null || tcpPort)) {
                idle(relayHostNeeded ? options.proxy.getAddress() : null);
            }
            if (alive(kept)) {
                report.add("idle", Kind.OK, "an association stayed up for the whole probe");
            }
            conclude(zero, port, full, tcpPort, relayHostNeeded, crossZero, crossPort);
        } finally {
            if (kept != null && kept.control != null) {
                kept.control.close();
            }
            zeroSocket.close();
            portSocket.close();
            fullSocket.close();
        }
    }

    /**
     * Whether the kept association is still up; the first time it is found ended, says so (nothing in the probe
     * ends it: a server that does drops associations on its own, and the checks that needed it are skipped).
     */
    private boolean alive(FormCheck.Outcome kept) {
        if (kept.control == null) {
            return false;
        }
        String ended = kept.control.endedWithin(1);
        if (ended == null) {
            return true;
        }
        kept.control.close();
        kept.control = null;
        report.add("idle", Kind.QUIRK, "the server ended an association nobody asked it to end: it " + ended
                + " (socksudp re-associates by itself); the checks that needed it were skipped");
        return false;
    }

    private void form(String id, String what, FormCheck.Outcome o, boolean observes) {
        if (o.reply == null) {
            report.add(id, Kind.FAIL, what + ": " + o.error);
            return;
        }
        if (!o.accepted()) {
            report.add(id, Kind.FAIL, what + ": refused, " + ReplyCode.describe(o.reply.rep()));
            return;
        }
        String relayed = observes
                ? "relayed out " + (o.outbound ? "yes (external address " + hostPort(o.external) + ")" : "no")
                        + ", back " + (o.outbound ? (o.inbound ? "yes" : "no") : "not tried")
                : "echo round trip " + (o.inbound ? "yes" : "no");
        report.add(id, o.works() ? Kind.OK : Kind.FAIL, what + ": " + ReplyCode.describe(o.reply.rep()) + ", BND "
                + o.reply.bound() + "; " + relayed + (o.error != null ? " (" + o.error + ")" : ""));
    }

    /** BND.ADDR sanity; true when the relay works only at the proxy's own address (socksudp.relayHost). */
    private boolean bnd(FormCheck.Outcome o) {
        SocksAddress bound = o.reply.bound();
        InetAddress proxyIp = options.proxy.getAddress();
        if (bound.isWildcard()) {
            report.add("bnd", Kind.QUIRK, "BND.ADDR is the wildcard " + bound + ": the relay is at the proxy's own"
                    + " address (socksudp does this by itself)");
            return false;
        }
        InetAddress advertised = o.relay.getAddress();
        if (advertised.equals(proxyIp)) {
            report.add("bnd", Kind.OK, "BND.ADDR " + bound + " is the proxy's own address");
            return false;
        }
        boolean privateAdvertised = advertised.isSiteLocalAddress() || advertised.isLinkLocalAddress()
                || advertised.isLoopbackAddress();
        boolean privateProxy = proxyIp.isSiteLocalAddress() || proxyIp.isLinkLocalAddress()
                || proxyIp.isLoopbackAddress();
        if (o.works()) {
            report.add("bnd", Kind.OK, "BND.ADDR " + bound + " differs from the proxy's address "
                    + proxyIp.getHostAddress() + " but is reachable");
            return false;
        }
        DatagramSocket s = socket();
        try {
            FormCheck.Outcome retry = check.attempt(SocksAddress.zeroIpv4(), s, s, proxyIp, false);
            if (retry.works()) {
                report.add("bnd", Kind.QUIRK, "BND.ADDR " + bound + " is " + (privateAdvertised && !privateProxy
                        ? "a private address " : "an address ") + "this host cannot reach; the relay answers at the"
                        + " proxy's address " + proxyIp.getHostAddress() + " (socksudp.relayHost)");
                return true;
            }
        } finally {
            s.close();
        }
        report.add("bnd", privateAdvertised && !privateProxy ? Kind.QUIRK : Kind.OK, "BND.ADDR " + bound
                + (privateAdvertised && !privateProxy ? " is private while the proxy is not" : "")
                + "; nothing came back at the proxy's address either");
        return false;
    }

    /**
     * NEC-like servers take a zero DST.PORT for the control connection's source port: a datagram from a UDP socket
     * bound to that same port number gets through. True when it did.
     */
    private boolean portZeroIsTcpPort() {
        SocksControl control = null;
        DatagramSocket s = null;
        try {
            control = proxy.connect();
            int tcpPort = control.localAddress().getPort();
            try {
                s = new DatagramSocket(new InetSocketAddress(local, tcpPort));
            } catch (IOException taken) {
                report.add("quirk.port-zero-is-tcp-port", Kind.SKIPPED, "not checked: UDP port " + tcpPort
                        + " (the control connection's) is taken here");
                return false;
            }
            CommandReply reply = control.request(Command.UDP_ASSOCIATE, SocksAddress.zeroIpv4());
            if (!reply.isSuccess()) {
                return false;
            }
            FormCheck.Outcome o = new FormCheck.Outcome();
            o.reply = reply;
            SocksAddress bound = reply.bound();
            o.relay = new InetSocketAddress(bound.isWildcard() ? control.remoteAddress().getAddress()
                    : bound.toInetSocketAddress().getAddress(), bound.port());
            check.exchange(o, s, s);
            if (o.works()) {
                report.add("quirk.port-zero-is-tcp-port", Kind.QUIRK, "a zero DST.PORT is read as the control"
                        + " connection's TCP port (NEC-like): only datagrams from UDP port " + tcpPort
                        + " were relayed");
                return true;
            }
            return false;
        } catch (IOException e) {
            return false;
        } finally {
            if (s != null) {
                s.close();
            }
            if (control != null) {
                control.close();
            }
        }
    }

    /** Whether a non-zero DST.PORT is enforced: request one port, send from another. */
    private void dst(boolean observes, InetAddress relayOverride) {
        if (!observes) {
            // Through an echo server a dropped datagram and one the NAT made unrecognisable look the same.
            report.add("dst", Kind.SKIPPED, "not checked: needs the proxy to reach this host (run without --echo)");
            return;
        }
        DatagramSocket named = socket();
        DatagramSocket other = socket();
        try {
            FormCheck.Outcome o = check.attempt(SocksAddress.of(new InetSocketAddress(local, named.getLocalPort())),
                    other, other, relayOverride, false);
            if (!o.accepted()) {
                report.add("dst", Kind.SKIPPED, "not checked: a request naming this host's address was refused"
                        + (o.reply != null ? " (" + ReplyCode.describe(o.reply.rep()) + ")" : ""));
            } else if (o.outbound) {
                report.add("dst", Kind.QUIRK, "DST.ADDR/DST.PORT ignored: datagrams from a port other than the"
                        + " request named were relayed (ss-local-like)");
            } else {
                report.add("dst", Kind.OK, "a non-zero DST.PORT is enforced: datagrams from another port were"
                        + " dropped (Dante-like; RFC 1928)");
            }
        } finally {
            named.close();
            other.close();
        }
    }

    /** ICMP port-unreachable and the control connection's close: does the association end when it should? */
    private void teardowns(boolean observes, InetAddress relayOverride) {
        if (!observes) {
            report.add("teardown.icmp", Kind.SKIPPED, "not checked: needs the proxy to reach this host (run without"
                    + " --echo)");
            report.add("teardown.tcp", Kind.SKIPPED, "not checked: needs the proxy to reach this host (run without"
                    + " --echo)");
            return;
        }
        DatagramSocket s = socket();
        try {
            FormCheck.Outcome o = workingAssociation(s, relayOverride);
            if (o == null) {
                report.add("teardown.icmp", Kind.SKIPPED, "not checked: no association that relays");
                return;
            }
            int closedPort;
            try {
                DatagramSocket gone = new DatagramSocket(new InetSocketAddress(local, 0));
                closedPort = gone.getLocalPort();
                gone.close();
                FormCheck.sendThrough(s, o.relay, new InetSocketAddress(local, closedPort),
                        "socksudp-probe-icmp".getBytes(Far.ASCII), 0);
            } catch (IOException e) {
                report.add("teardown.icmp", Kind.SKIPPED, "not checked: " + e.getMessage());
                return;
            }
            String ended = o.control.endedWithin(check.waitMillis());
            report.add("teardown.icmp", ended != null ? Kind.QUIRK : Kind.OK, ended != null
                    ? "an ICMP port-unreachable from a remote ended the association: the server " + ended
                    + " (WinGate-like; socksudp re-associates by itself)"
                    : "an ICMP port-unreachable from a remote left the association up");
            o.control.close();
        } finally {
            s.close();
        }
        s = socket();
        try {
            FormCheck.Outcome o = workingAssociation(s, relayOverride);
            if (o == null) {
                return;
            }
            o.control.close();
            sleep(200);
            FormCheck.Outcome after = new FormCheck.Outcome();
            after.relay = o.relay;
            try {
                check.exchange(after, s, s);
            } catch (IOException e) {
                after.outbound = false;
            }
            report.add("teardown.tcp", after.outbound ? Kind.QUIRK : Kind.OK, after.outbound
                    ? "the relay kept relaying after the control connection closed (RFC 1928: it must end)"
                    : "the association ended with its control connection (RFC 1928)");
        } finally {
            s.close();
        }
    }

    /** Long mode: does an association that relayed once still relay after {@code idleSeconds} of silence? */
    private void idle(InetAddress relayOverride) {
        DatagramSocket s = socket();
        try {
            FormCheck.Outcome o = workingAssociation(s, relayOverride);
            if (o == null) {
                return;
            }
            String ended = o.control.endedWithin(options.idleSeconds * 1000);
            FormCheck.Outcome after = new FormCheck.Outcome();
            after.relay = o.relay;
            try {
                check.exchange(after, s, s);
            } catch (IOException e) {
                after.error = e.getMessage();
            }
            o.control.close();
            if (ended == null && after.works()) {
                report.add("idle-timeout", Kind.OK, "an association idle for " + options.idleSeconds + " s still"
                        + " relayed both ways");
            } else {
                report.add("idle-timeout", Kind.QUIRK, "after " + options.idleSeconds + " s idle the association "
                        + (ended != null ? "had ended: the server " + ended : "no longer relayed")
                        + " (socksudp re-associates when the server ends it; a silent relay loses datagrams until"
                        + " then)");
            }
        } finally {
            s.close();
        }
    }

    /** An open association that relayed a token both ways from {@code s}, by the first form that does; or null. */
    private FormCheck.Outcome workingAssociation(DatagramSocket s, InetAddress relayOverride) {
        SocksAddress[] forms = {SocksAddress.zeroIpv4(), SocksAddress.ofIpv4(new byte[4], s.getLocalPort()),
            SocksAddress.of((InetSocketAddress) s.getLocalSocketAddress())};
        for (SocksAddress dst : forms) {
            FormCheck.Outcome o = check.attempt(dst, s, s, relayOverride, true);
            if (o.works() && o.control != null) {
                return o;
            }
            if (o.control != null) {
                o.control.close();
            }
        }
        return null;
    }

    private void frag(FormCheck.Outcome kept, boolean observes) {
        if (!observes) {
            report.add("frag", Kind.SKIPPED, "not checked: needs the proxy to reach this host (run without --echo)");
            return;
        }
        try {
            String token = "socksudp-probe-frag";
            FormCheck.sendThrough(keptSocket, kept.relay, check.far().target(), token.getBytes(Far.ASCII), 1);
            boolean forwarded = check.far().awaitAndAnswer(token, check.waitMillis()) != null;
            report.add("frag", forwarded ? Kind.QUIRK : Kind.OK, forwarded
                    ? "a datagram with FRAG=1 was forwarded as a whole (RFC 1928: drop it; harmless, socksudp never"
                    + " fragments)"
                    : "a datagram with FRAG=1 was dropped (RFC 1928 without fragmentation)");
        } catch (IOException e) {
            report.add("frag", Kind.SKIPPED, "not checked: " + e.getMessage());
        }
    }

    private void atyps(FormCheck.Outcome kept, boolean observes) {
        if (!observes || !local.isLoopbackAddress()) {
            String why = !observes ? "needs the proxy to reach this host (run without --echo)"
                    : "needs the proxy on this host (the only name ever sent is localhost)";
            report.add("atyp.domain", Kind.SKIPPED, "not checked: " + why);
            report.add("atyp.ipv6", Kind.SKIPPED, "not checked: " + why);
            return;
        }
        atyp("atyp.domain", "a destination given as the name localhost (ATYP 3)", kept, "::", true);
        atyp("atyp.ipv6", "a destination given as [::1] (ATYP 4)", kept, "::1", false);
    }

    private void atyp(String id, String what, FormCheck.Outcome kept, String bind, boolean byName) {
        Far far;
        try {
            far = Far.local(InetAddress.getByName(bind));
        } catch (IOException e) {
            report.add(id, Kind.SKIPPED, "not checked: this host has no " + bind + " (" + e.getMessage() + ")");
            return;
        }
        try {
            int port = far.target().getPort();
            InetSocketAddress dst = byName ? InetSocketAddress.createUnresolved("localhost", port)
                    : new InetSocketAddress(InetAddress.getByName("::1"), port);
            String token = "socksudp-probe-" + id;
            FormCheck.sendThrough(keptSocket, kept.relay, dst, token.getBytes(Far.ASCII), 0);
            boolean arrived = far.awaitAndAnswer(token, check.waitMillis()) != null;
            report.add(id, arrived ? Kind.OK : Kind.QUIRK, what + (arrived ? " was relayed"
                    : " was not relayed (socksudp sends " + (byName ? "host names" : "IPv6 destinations")
                    + " so; plain IPv4 works)"));
        } catch (IOException e) {
            report.add(id, Kind.SKIPPED, "not checked: " + e.getMessage());
        } finally {
            far.close();
        }
    }

    /** The agent sends greeting, credentials and request in one write: does the server take that? */
    private void pipelining() {
        SocksControl c = null;
        try {
            c = SocksControl.open(options.proxy, options.timeoutMillis);
            CommandReply reply = c.pipelinedAssociate(options.user, options.password == null ? null
                    : options.password.clone(), SocksAddress.zeroIpv4());
            report.add("pipelining", reply.isSuccess() ? Kind.OK : Kind.FAIL, "greeting"
                    + (options.user != null ? ", credentials " : " ") + "and UDP ASSOCIATE in one write (as socksudp"
                    + " sends them): " + ReplyCode.describe(reply.rep()));
        } catch (IOException e) {
            report.add("pipelining", Kind.FAIL, "greeting" + (options.user != null ? ", credentials " : " ")
                    + "and UDP ASSOCIATE in one write (as socksudp sends them) failed: " + e.getMessage());
        } finally {
            if (c != null) {
                c.close();
            }
        }
    }

    private void conclude(FormCheck.Outcome zero, FormCheck.Outcome port, FormCheck.Outcome full, boolean tcpPort,
                          boolean relayHostNeeded, FormCheck.Cross crossZero, FormCheck.Cross crossPort)
            throws Fatal {
        Finding pipelining = report.find("pipelining");
        boolean pipelined = pipelining != null && pipelining.kind == Kind.OK;
        String relayHost = relayHostNeeded ? "socksudp.relayHost=" + options.proxy.getAddress().getHostAddress()
                : null;
        String advice;
        if (zero.works() || (relayHostNeeded && zero.accepted()) || (crossZero != null && crossZero.works())) {
            advice = relayHost == null ? "socksudp works with this server with the defaults (associate=zero)"
                    : "use " + relayHost + ": the relay is at the proxy's address, not at BND.ADDR";
        } else if (port.works() || tcpPort || (crossPort != null && crossPort.works())) {
            report.settings.add("socksudp.associate=port");
            advice = "use socksudp.associate=port: this server needs the client's UDP port in the request (across a"
                    + " NAT this works only if the NAT keeps UDP source ports)";
        } else if (full.works()) {
            report.settings.add("socksudp.associate=full");
            advice = "use socksudp.associate=full: this server needs the client's address and port in the request"
                    + " (only without a NAT between this host and the proxy)";
        } else {
            throw new Fatal(nothingRelayed(zero, crossZero));
        }
        if (relayHost != null) {
            report.settings.add(0, relayHost);
        }
        if (!pipelined) {
            throw new Fatal("the server relays UDP, but not after the handshake socksudp sends (greeting, credentials"
                    + " and request in one write): " + pipelining.text + ".");
        }
        report.works = true;
        report.conclusion = advice + ".";
    }

    private String nothingRelayed(FormCheck.Outcome zero, FormCheck.Cross crossZero) {
        if (!check.far().observes()) {
            return "no datagram came back from the echo server " + hostPort(options.echo) + " through "
                    + options.proxyName + " with any UDP ASSOCIATE form (zero-filled, port, full).";
        }
        if (!zero.outbound) {
            return "the server " + options.proxyName + " accepted UDP ASSOCIATE but relayed no datagram to this host"
                    + " (" + local.getHostAddress() + ") with any form" + (crossZero != null ? ", and two of its"
                    + " associations did not relay to each other either" : "") + "; if this host is behind a NAT the"
                    + " proxy cannot reach it: run probe with --echo HOST:PORT of a UDP echo server the proxy can"
                    + " reach.";
        }
        return "the server " + options.proxyName + " relayed datagrams out but never back with any UDP ASSOCIATE"
                + " form (zero-filled, port, full).";
    }

    /**
     * The check that needs no outside help from behind a NAT ({@link FormCheck#cross}), with the zero-filled or the
     * port form, on two fresh sockets; one finding line.
     */
    private FormCheck.Cross cross(boolean portForm) {
        DatagramSocket a = socket();
        DatagramSocket b = socket();
        try {
            FormCheck.Cross x = check.cross(portForm ? SocksAddress.ofIpv4(new byte[4], a.getLocalPort())
                    : SocksAddress.zeroIpv4(), a, portForm ? SocksAddress.ofIpv4(new byte[4], b.getLocalPort())
                    : SocksAddress.zeroIpv4(), b);
            String id = portForm ? "cross.port" : "cross.zero";
            String what = (portForm ? "port" : "zero-filled") + " form, two associations sending to each other's"
                    + " relay address";
            if (x.works()) {
                report.add(id, Kind.OK, what + ": delivered both ways (the proxy cannot reach this host directly,"
                        + " e.g. a NAT, yet its relay delivers to this host's associations)");
            } else if (x.aToB) {
                report.add(id, Kind.FAIL, what + ": A to B delivered, B's answer back to A not");
            } else {
                report.add(id, Kind.SKIPPED, what + ": nothing delivered" + (x.error != null ? " (" + x.error + ")"
                        : "") + "; a server that takes datagrams at its relay address only from its own client (as"
                        + " Dante does) shows nothing this way: run probe with --echo HOST:PORT");
            }
            return x;
        } finally {
            a.close();
            b.close();
        }
    }

    private DatagramSocket socket() {
        try {
            return new DatagramSocket(new InetSocketAddress(local, 0));
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a UDP socket on " + local.getHostAddress() + ": " + e, e);
        }
    }

    static String hostPort(InetSocketAddress a) {
        if (a == null) {
            return "?";
        }
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (a.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static void sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
