package io.socksudp.agent.config;

import java.util.List;

/**
 * The part of the {@link Config} that the association side uses to talk to the proxies: the proxies in the order
 * they are tried, the set-up deadline, the associate mode and the relay host. {@code ProxyClient} and
 * {@code ProxyConnector} take this rather than the whole configuration, so that what they depend on is visible in
 * their constructors. Made by {@link Config#proxySettings()}. Immutable.
 */
public final class ProxySettings {

    private final List<ProxyEndpoint> proxies;
    private final int connectTimeoutMillis;
    /** Null for the default, as in {@code Config}: making this loads no AssociateMode (DnsSetup does at premain). */
    private final AssociateMode associateMode;
    private final String relayHost;

    ProxySettings(List<ProxyEndpoint> proxies, int connectTimeoutMillis, AssociateMode associateMode,
                  String relayHost) {
        this.proxies = proxies;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.associateMode = associateMode;
        this.relayHost = relayHost;
    }

    /** As {@link Config#proxies()}. */
    public List<ProxyEndpoint> proxies() {
        return proxies;
    }

    /** As {@link Config#proxyNames()}. */
    public String proxyNames() {
        return Config.names(proxies);
    }

    /** As {@link Config#connectTimeoutMillis()}. */
    public int connectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    /** As {@link Config#associateMode()}. */
    public AssociateMode associateMode() {
        return associateMode != null ? associateMode : AssociateMode.ZERO;
    }

    /** As {@link Config#relayHost()}: null to use the reply's BND.ADDR. */
    public String relayHost() {
        return relayHost;
    }
}
