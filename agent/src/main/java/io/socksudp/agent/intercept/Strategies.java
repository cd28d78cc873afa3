package io.socksudp.agent.intercept;

import io.socksudp.agent.intercept.legacy.LegacySocketWatch;
import io.socksudp.agent.intercept.nio.NioChannelWatch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The strategies the agent knows, as {@link StrategyWatch}es: the NIO channel (every JDK), and the legacy
 * DatagramSocketImpl (wherever the JDK still has it, JDK 8 to 17). Each is resolved from the bytes of its first
 * class to load; creating this list loads nothing but the watches themselves.
 */
public final class Strategies {

    private Strategies() {
    }

    public static List<StrategyWatch> watches() {
        List<StrategyWatch> watches = new ArrayList<StrategyWatch>();
        watches.add(new NioChannelWatch());
        watches.add(new LegacySocketWatch());
        return Collections.unmodifiableList(watches);
    }
}
