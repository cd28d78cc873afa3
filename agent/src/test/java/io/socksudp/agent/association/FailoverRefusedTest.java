package io.socksudp.agent.association;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socksudp.agent.config.Config;
import io.socksudp.agent.config.ConfigLoader;
import io.socksudp.agent.config.ProxyEndpoint;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Every proxy of a list refusing connections (real loopback ports nobody listens on): one set-up tries them all in
 * order, the failure names each proxy and its cause, and the next set-up fails fast while every proxy backs off.
 * (Failover to a working proxy, failback and the far-side checks are FailoverIT's, with two real danted processes.)
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FailoverRefusedTest {

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    @Test
    void a_set_up_tries_every_proxy_and_names_them_all_then_fails_fast() throws Exception {
        String a = "127.0.0.1:" + closedPort();
        String b = "127.0.0.1:" + closedPort();
        Properties p = new Properties();
        p.setProperty("socksudp.proxy", a + "," + b);
        p.setProperty("socksudp.connectTimeout", "2s");
        Config config = ConfigLoader.load(null, p, Collections.<String, String>emptyMap());
        List<ProxyEndpoint> proxies = config.proxies();
        // The choice's clock stands still: "while both back off" must not depend on how fast this machine runs the
        // next line (a loaded CI machine took more than the first 250 ms backoff between the two set-ups).
        ProxyChooser.Clock frozen = () -> 42L;
        AssociationManager manager = new AssociationManager(frozen, new ProxyClient(config.proxySettings(),
                proxies.get(0)), new ProxyClient(config.proxySettings(), proxies.get(1)));
        assertEquals(a + ", " + b, manager.proxyName());

        PendingAssociation setup = manager.openLater(null, (association, cause) -> { }, (s, x, f) -> null);
        ProxyUnavailableException first = assertThrows(ProxyUnavailableException.class, () -> setup.await(false));
        assertEquals("none of the 2 SOCKS5 proxies granted a UDP association (cannot reach SOCKS5 proxy " + a
                + ": Connection refused; cannot reach SOCKS5 proxy " + b + ": Connection refused)", first.getMessage());

        PendingAssociation next = manager.openLater(null, (association, cause) -> { }, (s, x, f) -> null);
        assertTrue(next.isDone(), "while both back off, a set-up fails at once");
        ProxyUnavailableException fast = assertThrows(ProxyUnavailableException.class, next::poll);
        assertTrue(fast.getMessage().startsWith(first.getMessage() + " (not retried for "), fast.getMessage());
    }
}
