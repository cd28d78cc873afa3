package io.socksudp.agent;

import org.slf4j.LoggerFactory;

/**
 * The agent package's few log lines, without loading SLF4J unless a line is actually logged: SLF4J's start-up
 * (a service lookup, about 30 classes) is not free, and a JVM that never uses UDP must not pay for it.
 */
final class AgentLog {

    private static volatile boolean debug;

    private AgentLog() {
    }

    static void configure(String level) {
        debug = "debug".equals(level) || "trace".equals(level);
    }

    static boolean debugEnabled() {
        return debug;
    }

    static void debug(String message) {
        LoggerFactory.getLogger("socksudp").debug(message);
    }
}
