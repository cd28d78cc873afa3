/**
 * The operator's command line, {@code java -jar socksudp-agent.jar COMMAND}: help, probe, attach, status, cache. Its own
 * room: the {@code -javaagent} path never loads any of it (nothing outside this package refers to it; the jar's
 * Main-Class is its only way in).
 */
package io.socksudp.agent.cli;
