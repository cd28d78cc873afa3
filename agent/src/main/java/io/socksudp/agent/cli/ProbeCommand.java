package io.socksudp.agent.cli;

import io.socksudp.agent.probe.Probe;
import io.socksudp.agent.probe.Report;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * {@code probe HOST:PORT [--user NAME [--password-file FILE]] [--echo HOST:PORT] [--json] [--wait MS]
 * [--idle SECONDS] [--timeout MS]}.
 */
final class ProbeCommand {

    private static final Charset UTF_8 = Charset.forName("UTF-8");

    private ProbeCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws UsageException {
        Probe.Options o = new Probe.Options();
        boolean json = false;
        String passwordFile = null;
        String target = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json")) {
                json = true;
            } else if (a.equals("--user")) {
                o.user = value(args, ++i, a).getBytes(UTF_8);
            } else if (a.equals("--password-file")) {
                passwordFile = value(args, ++i, a);
            } else if (a.equals("--password") || a.startsWith("--password=")) {
                throw new UsageException("a password is never taken from the command line (other users can read"
                        + " it there); give it with --password-file FILE or the environment variable"
                        + " SOCKSUDP_PASSWORD.");
            } else if (a.equals("--echo")) {
                o.echo = address(value(args, ++i, a), "--echo");
            } else if (a.equals("--wait")) {
                o.waitMillis = number(value(args, ++i, a), a);
            } else if (a.equals("--idle")) {
                o.idleSeconds = number(value(args, ++i, a), a);
            } else if (a.equals("--timeout")) {
                o.timeoutMillis = number(value(args, ++i, a), a);
            } else if (a.startsWith("-")) {
                throw new UsageException("unknown probe option '" + a + "'; see java -jar socksudp-agent.jar help.");
            } else if (target == null) {
                target = a;
            } else {
                throw new UsageException("probe takes one HOST:PORT, got '" + target + "' and '" + a + "'.");
            }
        }
        if (target == null) {
            throw new UsageException("probe needs the SOCKS5 server, e.g. java -jar socksudp-agent.jar probe"
                    + " proxy.example:1080.");
        }
        o.proxy = address(target, "the proxy");
        o.proxyName = target;
        if (o.user != null) {
            o.password = password(passwordFile);
        } else if (passwordFile != null) {
            throw new UsageException("--password-file needs --user NAME too.");
        }
        Report report = Probe.run(o);
        if (o.password != null) {
            Arrays.fill(o.password, (byte) 0);
        }
        if (json) {
            out.print(report.toJson());
        } else {
            out.print(report.toText());
        }
        if (!report.works && !json) {
            err.println("socksudp probe: " + report.conclusion);
        }
        return report.works ? 0 : 1;
    }

    private static byte[] password(String file) throws UsageException {
        if (file != null) {
            return PasswordFiles.read(file);
        }
        String env = System.getenv("SOCKSUDP_PASSWORD");
        if (env == null) {
            throw new UsageException("--user needs a password: give it with --password-file FILE or the environment"
                    + " variable SOCKSUDP_PASSWORD (never on the command line).");
        }
        return env.getBytes(UTF_8);
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(option + " needs a value.");
        }
        return args[i];
    }

    private static int number(String text, String option) throws UsageException {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= 600000) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw new UsageException(option + " takes milliseconds from 1 to 600000, got '" + text + "'.");
    }

    /** HOST:PORT, [IPv6]:PORT or HOST (port 1080), resolved here. */
    static InetSocketAddress address(String text, String what) throws UsageException {
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new UsageException(what + " '" + text + "' has no closing ']'; expected [IPv6]:PORT.");
            }
            host = text.substring(1, close);
            if (text.length() > close + 1) {
                if (text.charAt(close + 1) != ':') {
                    throw new UsageException(what + " '" + text + "': expected [IPv6]:PORT.");
                }
                port = text.substring(close + 2);
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon >= 0 && text.indexOf(':') != colon) {
                throw new UsageException(what + " '" + text + "' looks like IPv6 without brackets; write [IPv6]:PORT.");
            }
            host = colon >= 0 ? text.substring(0, colon) : text;
            port = colon >= 0 ? text.substring(colon + 1) : null;
        }
        int p = 1080;
        if (port != null) {
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                p = -1;
            }
            if (p < 1 || p > 65535) {
                throw new UsageException(what + " '" + text + "' has an invalid port; expected HOST:PORT with a port"
                        + " from 1 to 65535.");
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), p);
        } catch (UnknownHostException e) {
            throw new UsageException("cannot resolve " + what + " '" + host + "'.");
        }
    }
}
