/**
 * The DNS message format (RFC 1035 section 4, RFC 3596 for AAAA) as far as a stub resolver needs it: queries out,
 * responses in, as pure functions over byte arrays.
 *
 * <p>Like {@code io.socksudp.agent.socks}, nothing here knows about sockets, threads or logging, so every rule can be
 * tested against hand-written byte vectors. A malformed response (a length or pointer past the end, a compression
 * pointer that does not point strictly backwards, a name longer than 255 bytes) raises {@link
 * io.socksudp.agent.dns.message.DnsFormatException}; the caller drops and counts it.
 */
package io.socksudp.agent.dns.message;
