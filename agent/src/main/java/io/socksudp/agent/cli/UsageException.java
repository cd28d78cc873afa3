package io.socksudp.agent.cli;

/** The command line is wrong; the message is one sentence (exit code 2). */
final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
