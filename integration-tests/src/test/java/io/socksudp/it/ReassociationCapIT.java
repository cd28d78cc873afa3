package io.socksudp.it;

import static io.socksudp.it.support.Checks.check;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.socksudp.it.app.HeldSockets;
import io.socksudp.it.support.ChildJvm;
import io.socksudp.it.support.Demos;
import io.socksudp.it.support.HostileSocks;
import io.socksudp.it.support.HostileSocks.Script;
import io.socksudp.it.support.TestEnv;

/**
 * Issue 18 item 4: re-associations per proxy are capped whatever the cause. A proxy that grants each association
 * and ends it with REP 1 700 ms later (past the 500 ms under which a loss counts as young and is paced per socket)
 * had each of 48 idle sockets re-associate at once after every loss, forever: about 70 handshakes a second against
 * one proxy (some 450 in 6 s). With the cap, at most its burst then 16 a second go out, and the storm is logged once.
 */
class ReassociationCapIT {

    private static final int SOCKETS = 48;
    private static final int SECONDS = 6;
    /** The agent's ReassociationCap: 64 at once, then one every 62.5 ms (16 a second) per proxy. */
    private static final int BURST = 64;
    private static final long INTERVAL_NANOS = 62_500_000L;

    @Test
    void oldAssociationsEndedOverAndOverAreReassociatedNoFasterThanTheCap() {
        try (HostileSocks proxy = HostileSocks.start(Script.GRANT_THEN_REP1).rep1DelayMillis(700);
             ChildJvm app = Demos.socksified(ChildJvm.builder("held-sockets"), proxy.address())
                     .classpath(TestEnv.testClasses()).mainClass(HeldSockets.class.getName())
                     .args("127.0.0.1:9", String.valueOf(SOCKETS), String.valueOf(SECONDS)).start()) {
            app.awaitStdout("sent \\d+", Duration.ofSeconds(60));
            long from = System.nanoTime();
            int before = proxy.associations();
            app.awaitStdout("held \\d+", Duration.ofSeconds(60));
            long window = System.nanoTime() - from;
            int reassociations = proxy.associations() - before;
            check(app.awaitExit(Duration.ofSeconds(30)) == 0, "the application failed", app, proxy);
            long storms = app.stderrLines().stream().filter(l -> l.contains("re-association storm with")).count();
            System.out.println("ReassociationCapIT: " + reassociations + " re-associations in " + window / 1_000_000
                    + " ms from " + SOCKETS + " idle sockets whose associations the proxy ends after 700 ms; "
                    + app.stderrLines().size() + " log lines, " + storms + " about the storm");
            // The cap: its burst, then one per interval; 8 more (half a second) for the handshakes' jitter at the
            // window's edges. Without the cap: some 380.
            long allowed = BURST + window / INTERVAL_NANOS + 1 + 8;
            check(reassociations <= allowed, reassociations + " re-associations in " + window / 1_000_000
                    + " ms: more than the cap's " + allowed, app, proxy);
            check(reassociations > SOCKETS, "hardly any re-association: the test proves nothing", app, proxy);
            check(app.stderrLines().stream().anyMatch(l -> l.contains("re-association storm with SOCKS5 proxy")
                    && l.contains("at most " + BURST + " at once")),
                    "the storm was not logged with the cap", app, proxy);
            check(app.stderrLines().size() <= 20, app.stderrLines().size()
                    + " log lines: the storm was logged per event", app, proxy);
        }
    }
}
