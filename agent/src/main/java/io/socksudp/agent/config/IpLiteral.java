package io.socksudp.agent.config;

/** IP literals without any name service, for the rest of the agent (the parser itself is {@link IpLiterals}). */
public final class IpLiteral {

    private IpLiteral() {
    }

    /**
     * The bytes of an IPv4 dotted quad or an IPv6 literal (brackets allowed, no scope id), or null when {@code text}
     * is not one: never a look-up.
     */
    public static byte[] bytes(String text) {
        String t = text;
        if (t.length() >= 2 && t.charAt(0) == '[' && t.charAt(t.length() - 1) == ']') {
            t = t.substring(1, t.length() - 1);
        }
        return IpLiterals.toBytes(t);
    }
}
