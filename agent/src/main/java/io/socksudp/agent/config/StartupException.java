package io.socksudp.agent.config;

/** The agent cannot run as configured on this JVM; the message is one sentence for the user. */
public final class StartupException extends Exception {

    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
