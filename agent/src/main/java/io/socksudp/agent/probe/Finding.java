package io.socksudp.agent.probe;

/** One line of a probe report: which check, what it found, in a sentence. */
public final class Finding {

    /** How a finding bears on using the server. */
    public enum Kind {
        /** As RFC 1928 and socksudp's defaults want it. */
        OK,
        /** Off the RFC or the defaults, but there is a setting or socksudp copes by itself. */
        QUIRK,
        /** Keeps socksudp from working (alone or with the other findings). */
        FAIL,
        /** Not checked, and why. */
        SKIPPED
    }

    public final String check;
    public final Kind kind;
    public final String text;

    public Finding(String check, Kind kind, String text) {
        this.check = check;
        this.kind = kind;
        this.text = text;
    }

    @Override
    public String toString() {
        return check + ": " + text;
    }
}
