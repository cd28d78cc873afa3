/**
 * UDP associations with the SOCKS5 proxy (RFC 1928 section 7): opening them off the application's threads, watching
 * their control connections, pacing re-associations, and the agent's own TCP connections through the proxy.
 *
 * <p>Layers: {@code intercept} → {@code association} → {@code socks} (the wire format) and {@code config} (the
 * settings); it also counts into {@code metrics}. It must not refer to {@code intercept}, {@code bootstrap} or any
 * strategy: it knows nothing of sockets' internals, and talks back only through
 * {@link io.socksudp.agent.association.SelfHealingAssociation.Owner}, which the socket side implements. What drives
 * an association's life ({@code AssociationManager.openLater}, {@code lost}, {@code recoverLater}, {@code release},
 * {@code Association.onLoss}, {@code PendingAssociation.cancel}) is package-private: only
 * {@code SelfHealingAssociation} calls it.
 *
 * <h2>Types, one job each</h2>
 * <ul>
 * <li>{@link io.socksudp.agent.association.Association}: one UDP ASSOCIATE, its control connection and the relay it
 *     granted; lives exactly as long as the control connection; tells its listener once when the proxy ends it.</li>
 * <li>{@link io.socksudp.agent.association.SelfHealingAssociation}: one socket's association over its life: opened
 *     on demand, re-opened in the background after a loss (paced), given back when granted after the socket
 *     closed, released at close; the socket side is its {@code Owner} (its local address; "the relay changed"; whether
 *     the socket is gone).</li>
 * <li>{@code AssociationOpener}: what opens associations with one proxy; {@code ProxyClient} in the agent, a fake
 *     in {@code SelfHealingAssociationTest}.</li>
 * <li>{@link io.socksudp.agent.association.ProxyClient}: one per proxy of the list; opens associations: TCP connect, then greeting, RFC 1929
 *     sub-negotiation and the UDP ASSOCIATE request in one write, all within one deadline; the reply's relay address
 *     fixed up (a wildcard means the proxy's address, {@code relayHost} replaces it, a host name is refused).</li>
 * <li>{@link io.socksudp.agent.association.AssociationManager}: runs set-ups on the {@code socksudp-associate} pool
 *     ({@code openLater}) over the proxies of the list in {@code ProxyChooser}'s order, logs a proxy going down and
 *     coming back once, runs the background checks of proxies that are down, paces re-associations after losses
 *     (per proxy) and logs a storm once, schedules recovery attempts on the {@code socksudp-recovery} thread.</li>
 * <li>{@code ProxyChooser}: the failover rules, on a clock: which proxies a new association tries and in what
 *     order (the healthy ones in list order; while all are down, those past their failure backoff, the others
 *     failing fast with every proxy's cause), each proxy's health (a granted UDP ASSOCIATE) and the delays of the
 *     background checks that bring a proxy back (0.5 s doubling to 30 s).</li>
 * <li>{@link io.socksudp.agent.association.PendingAssociation}: one set-up in progress, which application threads
 *     await (interruptibly or not, never past its deadline), poll, or cancel (close wins at once).</li>
 * <li>{@code ControlMonitor}: one {@code socksudp-monitor} thread and one selector over every control connection;
 *     end of stream, a reset, or any byte after the reply means the association is dead.</li>
 * <li>{@link io.socksudp.agent.association.LossBackoff}: the wait after young losses (250 ms doubling to 8 s), per
 *     socket and per proxy, and the per-socket cap on re-associations of any age (8 at once, then one a second).</li>
 * <li>{@link io.socksudp.agent.association.ReassociationCap}: the hard cap on re-associations per proxy whatever
 *     the age of the associations lost (64 at once, then 16 a second); each loss reserves its socket a slot, which
 *     the socket keeps in its {@code LossBackoff}.</li>
 * <li>{@code FormLearner}: {@code socksudp.associate=auto}: which UDP ASSOCIATE form this proxy delivers replies
 *     for, checked once per proxy with two sockets of the agent's own, remembered, forgotten after a loss.</li>
 * <li>{@link io.socksudp.agent.association.ProxyConnector}: SOCKS5 CONNECT, for the DNS client's TCP fallback.</li>
 * <li>{@code ProxyHandshake}: the control connection's handshake shared by both (one deadline, the Authenticator's
 *     retry); {@code ControlWire}: where it gets its connections and its clock, the real sockets and
 *     {@code System.nanoTime()} in the agent, in memory for the handshake fuzz test.</li>
 * <li>{@code DeadlineResolver}: the system resolver's look-up of a configured name (the proxy's host,
 *     {@code relayHost}) within what is left of the set-up's deadline, on a {@code socksudp-resolve} thread, one
 *     in flight per name.</li>
 * <li>{@link io.socksudp.agent.association.ProxyUnavailableException}: no association can be had; its message,
 *     naming the proxy and the cause, is what the application's send throws.</li>
 * </ul>
 *
 * <h2>Opening (from a socket's first proxied send or connect)</h2>
 * {@code AssociatedSocket.route} (intercept) → {@link io.socksudp.agent.association.SelfHealingAssociation#setUp} →
 * {@code AssociationManager.openLater}
 * (while backing off: an already failed {@code PendingAssociation}) → on a {@code socksudp-associate} thread
 * {@code openNow} → {@code ProxyClient.associate(local, setup)} (the set-up learns the control connection, so a
 * {@code close()} can abort the handshake) → on success the backoff is reset, {@code Association.onLoss(listener)},
 * {@code ControlMonitor.watch} (the control connection becomes non-blocking) → {@code Completion.completed}, which
 * is {@code SelfHealingAssociation.completed} (puts the association in place after {@code Owner.relayChanged}, or
 * gives it back) → {@code PendingAssociation.finish} wakes the
 * waiters. On failure of every proxy tried {@code Metrics.associationFailed}, and each one's backoff (250 ms doubling
 * to 2 s) grows.
 * With a list of proxies, {@code openNow} tries {@code ProxyChooser.candidates()} in order within the one set-up (each
 * with its own deadline): a failure marks that proxy down ({@code proxyFailed}: logged once, background checks
 * started, {@code scheduleCheck} → {@code ProxyClient.probe} on a set-up thread until granted) and the next is tried.
 *
 * <h2>Recovery</h2>
 * One owner, {@link io.socksudp.agent.association.SelfHealingAssociation}, all in this package:
 * {@code ControlMonitor.check} → {@link io.socksudp.agent.association.Association#lost} (closes, counts, records the
 * error) → {@code SelfHealingAssociation.lost} (forgets it; per-socket {@code LossBackoff}) →
 * {@code AssociationManager.lost} (the proxy's pace, the slot reserved under its
 * {@code ReassociationCap}, which the socket keeps: {@code LossBackoff.deferUntil}; storm logging) →
 * {@code scheduleRecovery} → {@code AssociationManager.recoverLater} (the
 * {@code socksudp-recovery} thread, after the backoffs) → {@code SelfHealingAssociation.recover} → {@code setUp} →
 * {@code openLater} → {@code AssociationOpener.associate} ({@code ProxyClient}, over {@code ProxyChooser}'s
 * candidates) → {@code completed} → {@code Owner.relayChanged} (the socket side's only part: a connected socket
 * reconnects to the new relay) → in place; {@code Metrics.associationReestablished} and the log of the recovery (a
 * move to another proxy said as such). A failed attempt schedules the next; a socket closed meanwhile cancels the
 * set-up and any association granted after it is given back, the owner never told. The socket's own send during
 * the backoff gets the same pacing ({@code setUp} fails at once with the wait).
 *
 * <p>Before issue 15 it went back and forth: {@code ControlMonitor.check} → {@code Association.lost} →
 * {@code SocketTunnel.lost} (intercept) → {@code AssociationManager.lost}/{@code recoverLater} →
 * {@code SocketTunnel.recover} (intercept) → {@code AssociationManager.openLater} → {@code ProxyClient.associate} →
 * {@code SocketTunnel.setUpDone} (intercept) → {@code SocketAccess.reconnect}, the retry loop in
 * {@code SocketTunnel} (now {@code AssociatedSocket}), the backoffs and executors here, and no seam to test it
 * without a proxy.
 */
package io.socksudp.agent.association;
