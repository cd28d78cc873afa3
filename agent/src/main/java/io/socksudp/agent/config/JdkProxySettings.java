package io.socksudp.agent.config;

import java.util.Collections;
import java.util.List;

/**
 * The JDK's own SOCKS settings that socksudp cannot honour. {@code socksProxyVersion=4} makes the JDK speak SOCKS4
 * to {@code socksProxyHost}; SOCKS4 has no UDP, so a proxy taken from {@code socksProxyHost} with that setting would
 * be spoken to in a protocol it does not understand: an error at start. With {@code socksudp.proxy} set, the JDK's
 * setting only concerns the application's TCP, which socksudp leaves alone: a warning says so.
 */
final class JdkProxySettings {

    private JdkProxySettings() {
    }

    static void checkVersion(Source version, Source host) throws ConfigException {
        if (version == null || version.value.equals("5")) {
            return;
        }
        throw version.invalid("asks for " + (version.value.equals("4") ? "SOCKS4" : "a SOCKS version other than 5")
                + " with the proxy of " + host.name + ", but socksudp speaks SOCKS5 only (SOCKS4 has no UDP)",
                "remove it, or set socksudp.proxy to a SOCKS5 proxy for the UDP traffic", "5");
    }

    static List<String> ignoredVersion(Source version, Source proxy) {
        if (version == null || version.value.equals("5")) {
            return Collections.emptyList();
        }
        return Collections.singletonList("socksudp: System property socksProxyVersion=" + Source.quote(version.value)
                + " applies to the JDK's TCP only; socksudp speaks SOCKS5 to " + proxy.name);
    }
}
