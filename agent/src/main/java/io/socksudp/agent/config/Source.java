package io.socksudp.agent.config;

/**
 * Where one configuration value came from, and how to word errors about it. Package-private.
 */
final class Source {
    enum Kind { SYSTEM_PROPERTY, AGENT_ARGUMENT, ENVIRONMENT_VARIABLE, COMMAND_OPTION }

    private static final int MAX_QUOTED = 120;

    final Kind kind;
    /** The name as the user writes it: {@code socksudp.proxy}, {@code proxy}, {@code SOCKSUDP_PROXY}, {@code socksProxyHost}. */
    final String name;
    final String value;
    /** Why the value must never be echoed (it may be part of a secret), or null. */
    private final String redaction;

    Source(Kind kind, String name, String value) {
        this(kind, name, value, null);
    }

    private Source(Kind kind, String name, String value, String redaction) {
        this.kind = kind;
        this.name = name;
        this.value = value;
        this.redaction = redaction;
    }

    /** This source, whose value no message will ever echo, saying why instead. */
    Source redacted(String why) {
        return new Source(kind, name, value, why);
    }

    /** E.g. {@code System property socksudp.proxy}. */
    String where() {
        // if, not switch: a switch on an enum compiles to a synthetic class, one more for every premain to load
        if (kind == Kind.SYSTEM_PROPERTY) {
            return "System property " + name;
        }
        if (kind == Kind.COMMAND_OPTION) {
            return "Option " + name;
        }
        return kind == Kind.AGENT_ARGUMENT ? "Agent argument " + name : "Environment variable " + name;
    }

    /** How to set {@code exampleValue} in this same place, e.g. {@code -Dsocksudp.proxy=proxy.example:1080}. */
    String example(String exampleValue) {
        if (kind == Kind.SYSTEM_PROPERTY) {
            return "-D" + name + "=" + exampleValue;
        }
        if (kind == Kind.COMMAND_OPTION) {
            return name + " " + exampleValue;
        }
        return kind == Kind.AGENT_ARGUMENT ? "-javaagent:socksudp-agent.jar=" + name + "=" + exampleValue
                : name + "=" + exampleValue;
    }

    /** {@code <where> '<value>' <problem>; <fix>, e.g. <example>.} */
    ConfigException invalid(String problem, String fix, String exampleValue) {
        if (redaction != null) {
            return new ConfigException(where() + " is invalid (its value is not shown: " + redaction + ").");
        }
        return new ConfigException(where() + " " + quote(value) + " " + problem + "; " + fix
                + ", e.g. " + example(exampleValue) + ".");
    }

    /** Like {@link #invalid} but without echoing the value (for secrets): {@code <where> <problem>; ...}. */
    ConfigException invalidSecret(String problem, String fix, String exampleValue) {
        if (redaction != null) {
            return invalid(problem, fix, exampleValue);
        }
        return new ConfigException(where() + " " + problem + "; " + fix + ", e.g. " + example(exampleValue) + ".");
    }

    /** {@code 'text'} on one line: control characters escaped, long text shortened. */
    static String quote(String text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_QUOTED) + 8);
        sb.append('\'');
        for (int i = 0; i < text.length(); i++) {
            if (i == MAX_QUOTED) {
                sb.append("...");
                break;
            }
            char c = text.charAt(i);
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }
}
