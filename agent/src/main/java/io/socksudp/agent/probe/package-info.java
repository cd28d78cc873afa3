/**
 * What a SOCKS5 server does with UDP, found by talking to it: blocking control connections
 * ({@link io.socksudp.agent.probe.SocksControl}) and the one reusable check, whether an association of a given
 * form relays datagrams both ways ({@link io.socksudp.agent.probe.FormCheck}, with a two-association variant for
 * a probe from behind a NAT), which the {@code probe} command runs for every form. {@code associate=auto} checks
 * inside the agent with {@code association.FormLearner} instead (the README says why they are apart).
 *
 * <p>Plain JDK sockets and the pure {@code socks} codec only; nothing here is loaded on the {@code -javaagent}
 * path (the agent opens no UDP socket of its own: inside an instrumented JVM, whoever reuses this must run it
 * on sockets the agent leaves alone).
 */
package io.socksudp.agent.probe;
