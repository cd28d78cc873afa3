package io.socksudp.agent.config;

import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The RFC 1929 user name and password and where they came from. Sources, highest precedence first (each
 * {@code socksudp.*} one as system property, agent argument or environment variable, see {@link Config}):
 * <ol>
 * <li>the user information of a {@code socks5://USER[:PASSWORD]@HOST:PORT} proxy URL;</li>
 * <li>{@code socksudp.username} with {@code socksudp.password} or {@code socksudp.passwordFile} (one of the two);</li>
 * <li>the JDK's {@code java.net.socks.username} and {@code java.net.socks.password};</li>
 * <li>none: then, when the proxy asks for a password, the default {@code java.net.Authenticator} is asked at
 *     association time (see {@code association.ProxyHandshake}).</li>
 * </ol>
 * A user name in the URL and {@code socksudp.username} together, or a password in the URL and one in
 * {@code socksudp.password} or {@code socksudp.passwordFile}, or those two together, are an error: two places
 * for one secret is a mistake waiting to happen. A URL with a user alone takes its password from the other
 * sources, which is the way to keep the password out of the command line.
 */
final class Credentials {
    private static final Charset UTF_8 = Charset.forName("UTF-8");

    final String username;
    final byte[] password;
    /** Where the password came from, for the debug line ({@code System property socksudp.password}); or null. */
    final String passwordOrigin;
    /**
     * System properties that hold a secret, to be replaced once read: name to new value, null to remove. The
     * agent's own only; the JDK's {@code java.net.socks.password} belongs to the application (its TCP uses it).
     */
    final Map<String, String> secretProperties;

    private Credentials(String username, byte[] password, String passwordOrigin, Map<String, String> secrets) {
        this.username = username;
        this.password = password;
        this.passwordOrigin = passwordOrigin;
        this.secretProperties = Collections.unmodifiableMap(secrets);
    }

    static Credentials resolve(Config.Sources sources, Source proxySource, ProxyUrl url, List<String> warnings)
            throws ConfigException {
        Map<String, String> secrets = new LinkedHashMap<String, String>();
        Source userSource = sources.find("username", false);
        Source passwordSource = sources.find("password", false);
        Source fileSource = sources.find("passwordFile", true);
        if (fileSource != null && fileSource.value.isEmpty()) {
            fileSource = null; // empty: not set, as for the other path settings
        }
        if (passwordSource != null && fileSource != null) {
            throw new ConfigException(passwordSource.where() + " and " + fileSource.where() + " are both set; give"
                    + " the password in one place, preferably the file, e.g. "
                    + fileSource.example("/run/secrets/socks-password") + ".");
        }
        if (passwordSource != null && passwordSource.kind == Source.Kind.SYSTEM_PROPERTY) {
            secrets.put(passwordSource.name, null);
        }
        String urlUser = url != null ? url.user() : null;
        byte[] urlPassword = url != null ? url.password() : null;
        if (urlUser != null && userSource != null) {
            throw new ConfigException(proxySource.where() + " has a user name and " + userSource.where() + " is set"
                    + " too; give the user name in one place, e.g. " + proxySource.example(
                            "socks5://alice@proxy.example:1080") + " with the password in socksudp.passwordFile.");
        }
        if (urlPassword != null) {
            Arrays.fill(urlPassword, (byte) 0);
            Source other = passwordSource != null ? passwordSource : fileSource;
            if (other != null) {
                throw new ConfigException(proxySource.where() + " has a password and " + other.where() + " is set"
                        + " too; give the password in one place, preferably socksudp.passwordFile, with the URL"
                        + " naming the user alone, e.g. " + proxySource.example("socks5://alice@proxy.example:1080")
                        + ".");
            }
            if (proxySource.kind == Source.Kind.SYSTEM_PROPERTY) {
                secrets.put(proxySource.name, url.withoutPassword());
            }
        }

        String username;
        Source userWhere;
        if (urlUser != null) {
            username = urlUser;
            userWhere = proxySource;
        } else if (userSource != null) {
            username = userSource.value;
            userWhere = userSource;
        } else {
            userWhere = sources.jdk("java.net.socks.username", false);
            username = userWhere != null ? userWhere.value : null;
        }
        byte[] password;
        Source passwordWhere;
        if (urlPassword != null) {
            password = url.password();
            passwordWhere = proxySource;
        } else if (passwordSource != null) {
            password = passwordSource.value.getBytes(UTF_8);
            passwordWhere = passwordSource;
        } else if (fileSource != null) {
            password = PasswordFile.read(fileSource, warnings);
            passwordWhere = fileSource;
        } else {
            passwordWhere = sources.jdk("java.net.socks.password", false);
            password = passwordWhere != null ? passwordWhere.value.getBytes(UTF_8) : null;
        }
        if (username != null) {
            checkLength(userWhere, username.getBytes(UTF_8), "alice", "user name");
        }
        if (password != null) {
            checkLength(passwordWhere, password, "secret", "password");
        }
        if (password != null && username == null) {
            Arrays.fill(password, (byte) 0);
            throw new ConfigException(passwordWhere.where() + " is set but no user name is; set "
                    + Config.sibling(passwordWhere, "username").example("alice")
                    + " too, since SOCKS5 username/password authentication (RFC 1929) needs both.");
        }
        if (username != null && password == null) {
            String fix = userWhere == proxySource ? "socksudp.passwordFile=FILE (or the environment variable"
                    + " SOCKSUDP_PASSWORD)" : Config.sibling(userWhere, "password").example("PASSWORD");
            throw new ConfigException(userWhere.where() + (userWhere == proxySource ? " names a user but no password"
                    + " is set" : " is set but no password is") + "; set " + fix
                    + " too, since SOCKS5 username/password authentication (RFC 1929) needs both.");
        }
        return new Credentials(username, password, passwordWhere != null ? passwordWhere.where() : null, secrets);
    }

    private static void checkLength(Source s, byte[] bytes, String example, String what) throws ConfigException {
        if (bytes.length == 0 || bytes.length > 255) {
            String problem = bytes.length == 0 ? "is empty" : "is " + bytes.length + " bytes long in UTF-8";
            Arrays.fill(bytes, (byte) 0);
            if (s.name.equals("socksudp.proxy") || s.name.equals("proxy") || s.name.equals("SOCKSUDP_PROXY")) {
                throw new ConfigException(s.where() + " has a " + what + " that " + problem + "; SOCKS5 username/password"
                        + " authentication (RFC 1929) needs 1 to 255 bytes.");
            }
            if (s.name.endsWith("passwordFile") || s.name.endsWith("PASSWORD_FILE")) {
                throw new ConfigException(s.where() + " holds a password (its first line) that " + problem
                        + "; SOCKS5 username/password authentication (RFC 1929) needs 1 to 255 bytes.");
            }
            throw s.invalidSecret(problem, "SOCKS5 username/password authentication (RFC 1929) needs 1 to 255 bytes",
                    example);
        }
    }
}
