package io.socksudp.agent.cli;

import io.socksudp.agent.config.Config;

import java.util.LinkedHashMap;
import java.util.Map;

/** The usage text: commands, then every setting with its default. */
final class Help {

    /** Setting -> "meaning | default", in the order of {@link Config#KEYS}. */
    private static final Map<String, String[]> SETTINGS = new LinkedHashMap<String, String[]>();

    static {
        setting("proxy", "the SOCKS5 proxy, HOST:PORT, [IPv6]:PORT, HOST (port 1080) or socks5://[USER@]HOST:PORT;"
                + " or a failover list A,B (A|B in agent arguments), tried in order",
                "socksProxyHost/socksProxyPort; required");
        setting("username", "RFC 1929 user name (1 to 255 bytes)", "java.net.socks.username; none");
        setting("password", "RFC 1929 password (never logged; -D and agent arguments are visible in ps, prefer"
                + " passwordFile or SOCKSUDP_PASSWORD)", "java.net.socks.password; none");
        setting("passwordFile", "file whose first line is the password (not readable by others: chmod 600)",
                "none; with no credentials the java.net.Authenticator is asked");
        setting("nonProxyHosts", "destinations sent directly, |-separated, * at either end; empty proxies all",
                "socksNonProxyHosts; loopback");
        setting("log", "error, warn, info, debug or trace", "info");
        setting("connectTimeout", "TCP connect plus SOCKS handshake, in ms or with s (5s)", "10000");
        setting("associate", "UDP ASSOCIATE form: zero, port, full or auto (see probe)", "zero");
        setting("relayHost", "replaces the relay address the proxy advertises (BND.ADDR)", "none");
        setting("onUnavailable", "a send while no association can be had: fail (IOException) or drop", "fail");
        setting("cache", "directory of the per-user cache of instrumented JDK classes, or off",
                "$XDG_CACHE_HOME/socksudp, else ~/.cache/socksudp");
        setting("dns", "DNS server (IP[:PORT]) the JVM's own look-ups go to, through the proxy",
                "none: the system resolver, directly");
        setting("logFile", "the agent's log lines go to this file (appended, timestamped, created 0600)",
                "none: stderr");
    }

    private Help() {
    }

    private static void setting(String key, String meaning, String defaultValue) {
        SETTINGS.put(key, new String[] {meaning, defaultValue});
    }

    static String version() {
        Package p = Help.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    static String text() {
        StringBuilder sb = new StringBuilder();
        sb.append("socksudp ").append(version())
                .append(": sends any Java program's UDP through a SOCKS5 proxy (RFC 1928 UDP ASSOCIATE)\n\n");
        sb.append("As an agent:\n");
        sb.append("  java -javaagent:socksudp-agent.jar -Dsocksudp.proxy=HOST:PORT -jar app.jar\n\n");
        sb.append("Commands (java -jar socksudp-agent.jar COMMAND):\n");
        sb.append("  help                         this text (also: no command, --help)\n");
        sb.append("  version                      the agent's version\n");
        sb.append("  probe HOST:PORT [--user NAME [--password-file FILE]] [--echo HOST:PORT] [--json] [--wait MS]\n");
        sb.append("        [--idle SECONDS]       (long mode: does an association survive that long idle?)\n");
        sb.append("                               what this SOCKS5 server does with UDP, and the settings that work\n");
        sb.append("                               with it (the password from the file or SOCKSUDP_PASSWORD); exit 0\n");
        sb.append("                               when UDP relaying works with some setting (behind a NAT: two\n");
        sb.append("                               associations through each other's relay, else --echo needed)\n");
        sb.append("  attach PID [KEY=VALUE ...] [--password-file FILE]\n");
        sb.append("                               loads the agent into a running JVM (Attach API; needs a JDK);\n");
        sb.append("                               on any failure that JVM is left as it was (exit 1 or 2)\n");
        sb.append("  status PID                   the agent's counters in a running JVM (JMX io.socksudp:type=Agent)\n");
        sb.append("  cache [prepare | list | clean [--all]] [--cache DIR]\n");
        sb.append("                               the per-user cache of instrumented JDK classes (socksudp.cache):\n");
        sb.append("                               prepare fills it for the java it runs on (run it with the programs'\n");
        sb.append("                               own java, as their user), so that even their first start skips the\n");
        sb.append("                               instrumenting; list (the default) shows it; clean deletes entries of\n");
        sb.append("                               other agent builds and corrupt ones (--all: every entry)\n\n");
        sb.append("Settings: -Dsocksudp.KEY=VALUE, agent argument KEY=VALUE (comma-separated) or environment\n");
        sb.append("variable SOCKSUDP_KEY (upper snake case), in that order of precedence:\n");
        for (String key : Config.KEYS) {
            String[] s = SETTINGS.get(key);
            if (s == null) {
                sb.append(String.format("  %-16s (see the README)%n", key));
            } else {
                sb.append(String.format("  %-16s %s%n  %-16s default: %s%n", key, s[0], "", s[1]));
            }
        }
        sb.append("\nSymptoms and fixes: the README's Troubleshooting section (symptom -> probe -> setting).\n");
        return sb.toString();
    }
}
