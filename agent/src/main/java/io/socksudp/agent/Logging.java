package io.socksudp.agent;

import io.socksudp.agent.config.LazyLogger;

/**
 * Configures the agent's own (shaded) slf4j-simple before the first logger exists. The property names are
 * rewritten by the shade plugin along with the classes, so they only ever reach the agent's relocated copy:
 * an application's own {@code org.slf4j.simpleLogger.*} settings and ours never meet.
 */
final class Logging {

    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private Logging() {
    }

    static void configure(String level) {
        LazyLogger.Level.configure(level);
        System.setProperty(PREFIX + "defaultLogLevel", level);
        System.setProperty(PREFIX + "logFile", "System.err");
        System.setProperty(PREFIX + "showThreadName", "false");
        System.setProperty(PREFIX + "showLogName", "true");
        System.setProperty(PREFIX + "showDateTime", "false");
        System.setProperty(PREFIX + "levelInBrackets", "false");
        // No provider lookup chatter: the agent jar carries exactly one provider.
        System.setProperty("org.slf4j.internal.verbosity", "WARN");
    }
}
