package io.socksudp.demo.relay;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Quirks of real SOCKS5 servers that the reference relay can imitate, one switch each (RFC 1928 leaves room for
 * most of them, or servers simply get it wrong). {@link #cliName()} is the name {@code --misbehave} takes.
 */
public enum Misbehaviour {
    /**
     * WinGate: when a remote host answers a relayed datagram with ICMP port-unreachable, send reply 0x01
     * (general failure) on the control connection, close it, and close the UDP relay port.
     */
    ICMP_TEARDOWN("icmp-teardown", "WinGate: ICMP port-unreachable from a remote ends the association (REP 1, close)"),
    /** CCProxy: datagrams for the client go to the client's IP and the request's DST.PORT (0 if zero-filled). */
    REPLY_TO_DST_PORT("reply-to-dst-port", "CCProxy: replies go to the request's DST.PORT, not the real source port"),
    /** NEC: a DST.PORT of 0 means "the TCP control connection's source port". */
    PORT_ZERO_IS_TCP_PORT("port-zero-is-tcp-port", "NEC: DST.PORT 0 taken as the TCP connection's source port"),
    /**
     * Dante: a non-zero DST.ADDR or DST.PORT is enforced exactly; zeros mean "any" (the port locks onto the first
     * datagram). This is also the relay's default; the name lets a configuration say so explicitly.
     */
    STRICT_DST("strict-dst", "Dante (the default): a non-zero DST.ADDR/DST.PORT is enforced exactly"),
    /**
     * shadowsocks' ss-local: DST is ignored; any port of the control connection's IP may send, the first one
     * locks the association.
     */
    IGNORE_DST("ignore-dst", "ss-local: DST ignored, the first datagram from the control connection's IP locks"),
    /** BND.ADDR 0.0.0.0: the client must send to the proxy's own address. */
    BND_WILDCARD("bnd-wildcard", "BND.ADDR 0.0.0.0 (meaning: the proxy's own address)"),
    /** BND.ADDR {@value RelayOptions#UNREACHABLE_BND}: a private address the client cannot reach (NAT, containers). */
    BND_UNREACHABLE("bnd-unreachable", "BND.ADDR " + RelayOptions.UNREACHABLE_BND + ", a private address the client cannot reach"),
    /** microsocks, ssh -D: UDP ASSOCIATE answered with REP 7 (command not supported). */
    REFUSE_UDP("refuse-udp", "microsocks, ssh -D: UDP ASSOCIATE refused with REP 7"),
    /** Control connections closed at random (exponential lifetime, mean {@code dropAfter}). */
    DROP_TCP_RANDOM("drop-tcp-random", "control connections dropped at random (mean lifetime --drop-after-ms)"),
    /**
     * A relay (or a firewall beside it) that relays datagrams out but never delivers one back, whatever the request
     * names: no form of UDP ASSOCIATE works, which {@code associate=auto} must say and fail closed on.
     */
    NO_REPLIES("no-replies", "datagrams relayed out, replies never delivered, whatever the request names"),
    /**
     * One UDP socket per association for both sides, as many small servers have: the relay address is also the
     * external address, and whatever arrives there from anyone but the client is taken for a remote host's datagram
     * and delivered to the client. Not wrong (RFC 1928 allows it), but a stranger can then reach the client through
     * the relay; it is also what lets two associations relay to each other ({@code probe} behind a NAT).
     */
    SINGLE_SOCKET("single-socket", "one socket per association: the relay address is the external address too");

    private final String cliName;
    private final String description;

    Misbehaviour(String cliName, String description) {
        this.cliName = cliName;
        this.description = description;
    }

    public String cliName() {
        return cliName;
    }

    public String description() {
        return description;
    }

    public static Misbehaviour fromCliName(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (Misbehaviour m : values()) {
            if (m.cliName.equals(wanted)) {
                return m;
            }
        }
        StringBuilder known = new StringBuilder();
        for (Misbehaviour m : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(m.cliName);
        }
        throw new IllegalArgumentException("unknown misbehaviour '" + name + "' (known: " + known + ")");
    }

    /** Parses {@code NAME[,NAME...]}; an empty text is the empty set. */
    public static Set<Misbehaviour> parseList(String text) {
        Set<Misbehaviour> result = EnumSet.noneOf(Misbehaviour.class);
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                result.add(fromCliName(part));
            }
        }
        return result;
    }
}
