package io.socksudp.agent.probe;

import java.util.ArrayList;
import java.util.List;

/** What {@link Probe} found: the findings in order, then the settings that work (or why nothing does). */
public final class Report {

    public final String proxy;
    public final List<Finding> findings = new ArrayList<Finding>();
    /** Settings that make socksudp work with this server, e.g. {@code socksudp.associate=port}; empty: defaults. */
    public final List<String> settings = new ArrayList<String>();
    /** Whether UDP relaying works with some setting. */
    public boolean works;
    /** The recommendation (works) or the one sentence saying why UDP relaying cannot work (not works). */
    public String conclusion;

    Report(String proxy) {
        this.proxy = proxy;
    }

    void add(String check, Finding.Kind kind, String text) {
        findings.add(new Finding(check, kind, text));
    }

    public boolean has(String check) {
        return find(check) != null;
    }

    public Finding find(String check) {
        for (Finding f : findings) {
            if (f.check.equals(check)) {
                return f;
            }
        }
        return null;
    }

    /** The human form: one line per finding, the conclusion last. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append("probe of SOCKS5 server ").append(proxy).append('\n');
        for (Finding f : findings) {
            sb.append(String.format("%-8s %-27s %s%n", f.kind.name().toLowerCase(java.util.Locale.ROOT), f.check,
                    f.text));
        }
        sb.append(works ? "RECOMMENDATION: " : "RESULT: ").append(conclusion).append('\n');
        return sb.toString();
    }

    public String toJson() {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"proxy\":").append(quote(proxy)).append(",\"works\":").append(works)
                .append(",\"settings\":[");
        for (int i = 0; i < settings.size(); i++) {
            sb.append(i > 0 ? "," : "").append(quote(settings.get(i)));
        }
        sb.append("],\"findings\":[");
        for (int i = 0; i < findings.size(); i++) {
            Finding f = findings.get(i);
            sb.append(i > 0 ? "," : "").append("{\"check\":").append(quote(f.check)).append(",\"result\":")
                    .append(quote(f.kind.name().toLowerCase(java.util.Locale.ROOT))).append(",\"text\":")
                    .append(quote(f.text)).append('}');
        }
        sb.append("],\"").append(works ? "recommendation" : "error").append("\":").append(quote(conclusion))
                .append("}\n");
        return sb.toString();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
