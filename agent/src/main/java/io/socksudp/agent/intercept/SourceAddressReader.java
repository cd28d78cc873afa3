package io.socksudp.agent.intercept;

import java.io.IOException;
import java.net.InetSocketAddress;

/** Reads, from the JDK's own channel state, the real source of the datagram just received. */
public interface SourceAddressReader {

    InetSocketAddress actualSource(Object channel) throws IOException;
}
