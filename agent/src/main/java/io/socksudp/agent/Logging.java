package io.socksudp.agent;

import io.socksudp.agent.config.StartupException;
import io.socksudp.agent.config.LazyLogger;
import org.slf4j.simple.SocksudpOutput;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Configures the agent's own (shaded) slf4j-simple before the first logger exists. The property names are
 * rewritten by the shade plugin along with the classes, so they only ever reach the agent's relocated copy:
 * an application's own {@code org.slf4j.simpleLogger.*} settings and ours never meet.
 */
final class Logging {

    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private Logging() {
    }

    static void configure(String level) {
        LazyLogger.Level.configure(level);
        System.setProperty(PREFIX + "defaultLogLevel", level);
        System.setProperty(PREFIX + "logFile", "System.err");
        System.setProperty(PREFIX + "showThreadName", "false");
        System.setProperty(PREFIX + "showLogName", "true");
        System.setProperty(PREFIX + "showDateTime", "false");
        System.setProperty(PREFIX + "levelInBrackets", "false");
        // No provider lookup chatter: the agent jar carries exactly one provider.
        System.setProperty("org.slf4j.internal.verbosity", "WARN");
    }

    /**
     * As {@link #configure(String)}, with the log lines appended to {@code file} (created 0600), timestamped;
     * {@code where} names the setting for the error sentence when the file cannot be written.
     */
    static void configure(String level, String file, String where) throws StartupException {
        configure(level);
        if (file == null) {
            return;
        }
        PrintStream stream = LogFile.open(file, where);
        System.setProperty(PREFIX + "showDateTime", "true");
        System.setProperty(PREFIX + "dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        SocksudpOutput.use(stream);
    }

    /**
     * Apart, so that a start without a log file does not load it: verifying its catch clauses loads three JDK
     * exception classes that are not in the JDK's class-data archive, which every premain would pay for.
     */
    private static final class LogFile {
        static PrintStream open(String file, String where) throws StartupException {
            Path path = Paths.get(file).toAbsolutePath();
            try {
                try {
                    Files.createFile(path,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (FileAlreadyExistsException exists) {
                    // appended to, with its permissions as they are
                } catch (UnsupportedOperationException notPosix) {
                    Files.createFile(path);
                }
                if (Files.isDirectory(path)) {
                    throw new IOException("it is a directory");
                }
                return new PrintStream(new FileOutputStream(path.toFile(), true), true, "UTF-8");
            } catch (IOException | RuntimeException e) {
                String reason = e.getMessage() == null || e.getMessage().equals(path.toString()) ? e.toString()
                        : e.getMessage();
                if (e instanceof java.nio.file.NoSuchFileException) {
                    reason = "its directory does not exist";
                } else if (e instanceof java.nio.file.AccessDeniedException) {
                    reason = "permission denied";
                }
                throw new StartupException(where + " names a log file that cannot be written (" + path + ": "
                        + reason + "); give a path to a writable file, e.g. -Dsocksudp.logFile=/tmp/socksudp.log.");
            }
        }
    }
}
