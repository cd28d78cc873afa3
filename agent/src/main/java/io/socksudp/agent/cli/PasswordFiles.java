package io.socksudp.agent.cli;

import io.socksudp.agent.config.ConfigException;
import io.socksudp.agent.config.PasswordFile;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code --password-file FILE} of {@code probe} and {@code attach}: the same reading (the first line) and the same
 * check (refused when others may read it) as {@code socksudp.passwordFile}, so a secret is as safe with the CLI as
 * with the agent.
 */
final class PasswordFiles {

    private PasswordFiles() {
    }

    /** The first line's bytes; the caller clears them after use. A warning (no POSIX permissions) goes to stderr. */
    static byte[] read(String file) throws UsageException {
        List<String> warnings = new ArrayList<String>();
        try {
            byte[] password = PasswordFile.readForOption("--password-file", file, warnings);
            for (String warning : warnings) {
                System.err.println(warning);
            }
            return password;
        } catch (ConfigException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
