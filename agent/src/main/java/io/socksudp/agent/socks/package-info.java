/**
 * The SOCKS5 wire format (RFC 1928) and its username/password sub-negotiation (RFC 1929),
 * as pure functions over {@link java.nio.ByteBuffer}s.
 *
 * <p>Nothing in this package knows about sockets, threads or logging, so every rule of the
 * protocol can be tested against hand-written byte vectors.
 *
 * <p>Only the client's side ships: what a client writes and reads. The server's half (reading a request or an RFC
 * 1929 login, writing a reply or a login response), which only tests use to play the proxy, lives in the test
 * sources as {@code ServerSide}; the reference relay in demo-app has its own codec.
 *
 * <p>Conventions shared by every class:
 * <ul>
 *   <li>Decoders read from {@code position()} and suit streaming TCP input: when the buffer
 *       does not yet hold a complete message they return {@code null} and leave the position
 *       unchanged; on a complete message they consume exactly its bytes; on a malformed message
 *       they throw {@link io.socksudp.agent.socks.SocksProtocolException} (position unchanged).
 *       A field is checked as soon as its byte has arrived, so a peer that does not speak SOCKS5
 *       is reported at once rather than after waiting for bytes that will never come.</li>
 *   <li>Encoders validate every input first ({@link java.lang.IllegalArgumentException}), then
 *       check that the whole message fits ({@link java.nio.BufferOverflowException}); they write
 *       nothing when either check fails.</li>
 * </ul>
 */
package io.socksudp.agent.socks;
