package io.socksudp.agent;

import io.socksudp.agent.intercept.StrategyWatch;
import io.socksudp.agent.intercept.legacy.LegacySocketWatch;
import io.socksudp.agent.intercept.nio.NioChannelWatch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The strategies the agent knows, as {@link StrategyWatch}es: the NIO channel (every JDK), and the legacy
 * DatagramSocketImpl (wherever the JDK still has it, JDK 8 to 17). Each is resolved from the bytes of its first
 * class to load; creating this list loads nothing but the watches themselves. It lives here, with the start-up
 * wiring, not in {@code intercept}: that package is what the strategies build on, so naming them there would make
 * it and {@code intercept.nio}, {@code intercept.legacy} refer to each other ({@code PackageCyclesTest}).
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
