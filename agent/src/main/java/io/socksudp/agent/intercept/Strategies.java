package io.socksudp.agent.intercept;

import io.socksudp.agent.intercept.legacy.LegacyDatagramSocketInstrumentation;
import io.socksudp.agent.intercept.nio.NioDatagramChannelInstrumentation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The instrumentation strategies the running JDK needs, from what its class files have: the NIO channel on
 * every JDK, and the legacy DatagramSocketImpl wherever the JDK still has it (JDK 8 to 17).
 */
public final class Strategies {

    private final List<DatagramInstrumentation> strategies = new ArrayList<DatagramInstrumentation>();
    private final PacketAccess packetAccess;
    private final ChannelAccess channelAccess;

    private Strategies() throws IOException {
        NioDatagramChannelInstrumentation nio = NioDatagramChannelInstrumentation.forThisJdk();
        strategies.add(nio);
        channelAccess = nio.channelAccess();
        LegacyDatagramSocketInstrumentation legacy = LegacyDatagramSocketInstrumentation.forThisJdk();
        if (legacy != null) {
            strategies.add(legacy);
        }
        packetAccess = legacy == null ? null : legacy.packetAccess();
    }

    public static Strategies forThisJdk() throws IOException {
        return new Strategies();
    }

    public List<DatagramInstrumentation> all() {
        return strategies;
    }

    /** The NIO strategy's access to DatagramChannelImpl's internals, for its layout. */
    public ChannelAccess channelAccess() {
        return channelAccess;
    }

    /** The legacy strategy's access to java.net internals (open java.net to the agent), or null. */
    public PacketAccess packetAccess() {
        return packetAccess;
    }
}
