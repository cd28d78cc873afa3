package org.slf4j.simple;

import java.io.PrintStream;

/**
 * The agent's one reach into slf4j-simple (shaded and relocated with it, so it only ever touches the agent's own
 * copy): slf4j-simple opens a {@code logFile} itself, truncating it and falling back to stderr silently, while
 * socksudp.logFile must append, be created 0600, and fail the start when it cannot be written. So the agent opens
 * the file and hands the stream over here, before the first logger exists.
 */
public final class SocksudpOutput {

    private SocksudpOutput() {
    }

    /** Every agent log line from now on goes to {@code stream}. */
    public static void use(PrintStream stream) {
        SimpleLogger.lazyInit();
        SimpleLogger.CONFIG_PARAMS.outputChoice = new OutputChoice(stream);
    }
}
