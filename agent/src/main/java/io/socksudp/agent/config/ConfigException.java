package io.socksudp.agent.config;

/**
 * A configuration value is missing or invalid.
 *
 * <p>{@link #getMessage()} is always one sentence on one line: it names the setting as the user
 * wrote it (for example {@code System property socksudp.proxy}, {@code Agent argument proxy},
 * {@code Environment variable SOCKSUDP_PROXY} or a JDK fallback such as
 * {@code System property socksProxyPort}), says what is wrong and how to fix it, and ends with a
 * period. A message never contains a password value.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
