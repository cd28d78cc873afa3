package io.socksudp.agent.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.helpers.LegacyAbstractLogger;

/**
 * The agent's logger, which starts SLF4J only when a line is actually logged: the level is the configured one
 * (known without SLF4J), and SLF4J's own start-up (a service lookup, some 30 classes, 10 ms or more on a cold
 * JVM) is paid by the first line that passes it, usually never. Here rather than in the agent package because
 * every layer logs, and config is the one they all may use.
 */
public final class LazyLogger extends LegacyAbstractLogger {

    private static final long serialVersionUID = 1L;
    private transient volatile Logger delegate;

    private LazyLogger(String name) {
        this.name = name;
    }

    /** A logger named {@code name}; creating it starts nothing. */
    public static Logger getLogger(String name) {
        return new LazyLogger(name);
    }

    /**
     * The configured level (one of {@link Config}'s log levels); before any logger logs. Kept in a class of its own,
     * so that premain setting it loads no SLF4J type (this class extends one).
     */
    public static final class Level {
        /** 0 trace, 1 debug, 2 info, 3 warn, 4 error; info until {@link #configure} says otherwise. */
        static volatile int threshold = 2;

        private Level() {
        }

        public static void configure(String level) {
            int i = Config.LOG_LEVELS.indexOf(level);
            threshold = i < 0 ? 2 : Config.LOG_LEVELS.size() - 1 - i;
        }
    }

    @Override
    public boolean isTraceEnabled() {
        return Level.threshold <= 0;
    }

    @Override
    public boolean isDebugEnabled() {
        return Level.threshold <= 1;
    }

    @Override
    public boolean isInfoEnabled() {
        return Level.threshold <= 2;
    }

    @Override
    public boolean isWarnEnabled() {
        return Level.threshold <= 3;
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(org.slf4j.event.Level level, Marker marker, String message,
                                               Object[] arguments, Throwable throwable) {
        Logger d = delegate;
        if (d == null) {
            d = LoggerFactory.getLogger(name);
            delegate = d;
        }
        Object[] all = arguments;
        if (throwable != null) { // SLF4J takes a trailing throwable as the exception to print
            all = arguments == null ? new Object[1] : java.util.Arrays.copyOf(arguments, arguments.length + 1);
            all[all.length - 1] = throwable;
        }
        if (all == null) {
            all = new Object[0];
        }
        switch (level) {
            case ERROR:
                d.error(message, all);
                break;
            case WARN:
                d.warn(message, all);
                break;
            case INFO:
                d.info(message, all);
                break;
            case DEBUG:
                d.debug(message, all);
                break;
            default:
                d.trace(message, all);
                break;
        }
    }
}
