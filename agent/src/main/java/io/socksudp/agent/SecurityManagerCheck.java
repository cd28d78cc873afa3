package io.socksudp.agent;

import io.socksudp.agent.config.StartupException;
import java.net.URL;
import java.security.AccessControlException;
import java.security.AccessController;
import java.security.AllPermission;
import java.security.PrivilegedAction;

/**
 * Under a SecurityManager the agent needs {@link AllPermission} for its own code (it instruments the JDK, defines
 * classes in the boot loader, connects to the proxy, starts threads, reads its configuration); its work runs in
 * {@code doPrivileged}, so the application itself can stay restricted. Asked once at start (premain or attach) and
 * again at activation (a SecurityManager the application installs in main): without the permission the JVM stops
 * with one sentence naming it and the policy line to add, rather than a stack trace from deep inside.
 */
final class SecurityManagerCheck {

    private SecurityManagerCheck() {
    }

    static void requireAllPermission() throws StartupException {
        if (System.getSecurityManager() == null) {
            return;
        }
        try {
            AccessController.doPrivileged(new PrivilegedAction<Void>() {
                @Override
                public Void run() {
                    AccessController.checkPermission(new AllPermission());
                    return null;
                }
            });
        } catch (AccessControlException e) {
            throw new StartupException("A SecurityManager is installed and the agent jar lacks the permission"
                    + " java.security.AllPermission, which socksudp needs for its own work (instrumenting the JDK,"
                    + " connecting to the proxy; the application itself can stay restricted); add the line grant"
                    + " codeBase \"" + codeBase() + "\" { permission java.security.AllPermission; }; to the policy"
                    + " file.");
        }
    }

    /** The agent jar's URL as a policy file writes it, from a resource (which needs no permission of its own). */
    private static String codeBase() {
        // privileged: the application's frames (a class loading in main) need not be able to read the agent jar
        URL self = AccessController.doPrivileged(new PrivilegedAction<URL>() {
            @Override
            public URL run() {
                return SecurityManagerCheck.class.getResource("SecurityManagerCheck.class");
            }
        });
        String s = self != null ? self.toString() : "";
        if (s.startsWith("jar:") && s.indexOf("!/") > 4) {
            return s.substring(4, s.indexOf("!/"));
        }
        return "file:/path/to/socksudp-agent.jar";
    }
}
