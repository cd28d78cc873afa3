package io.socksudp.agent.jmx;

/** The agent's counters as JMX attributes ({@code io.socksudp:type=Agent}); all read-only. */
public interface SocksudpMBean {

    /** The proxy as configured, HOST:PORT; a failover list as {@code A:PORT (down), B:PORT} (health as of now). */
    String getProxy();

    long getLiveAssociations();

    long getAssociationsOpened();

    long getAssociationsFailed();

    long getAssociationsReestablished();

    long getDatagramsSentThroughProxy();

    long getBytesSentThroughProxy();

    long getDatagramsReceivedThroughProxy();

    long getBytesReceivedThroughProxy();

    /** To destinations that bypass the proxy (nonProxyHosts, multicast, broadcast). */
    long getDatagramsSentDirectly();

    /** Received or sent datagrams dropped, all causes. */
    long getDatagramsDropped();

    /** {@code cause=count} pairs, space-separated, every cause listed. */
    String getDropsByCause();

    /** The last association failure or loss, empty if none. */
    String getLastError();

    /** When {@link #getLastError()} happened (ISO 8601, UTC), empty if never. */
    String getLastErrorTime();
}
