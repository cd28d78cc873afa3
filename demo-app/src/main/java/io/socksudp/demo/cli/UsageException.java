package io.socksudp.demo.cli;

/** A command line that cannot be run as given; programs answer it with exit code 2. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
