package io.socksudp.it.support;

/** Something whose state and captured output belong in a failure message. */
public interface Diagnosable {
    /** A multi-line description: what it is, how it ended, everything it printed or logged. */
    String describe();

    /** Joins the descriptions of several fixtures, skipping nulls, for use in assertion messages. */
    static String describeAll(Diagnosable... items) {
        StringBuilder sb = new StringBuilder();
        for (Diagnosable d : items) {
            if (d == null) {
                continue;
            }
            String text;
            try {
                text = d.describe();
            } catch (RuntimeException e) {
                text = "(could not describe " + d + ": " + e + ")";
            }
            sb.append('\n').append(text);
        }
        return sb.toString();
    }
}
