package io.socksudp.agent.config;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The RFC 1929 user name and password of one proxy and where they came from. Sources, highest precedence first (each
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

    private Credentials(String username, byte[] password, String passwordOrigin) {
        this.username = username;
        this.password = password;
        this.passwordOrigin = passwordOrigin;
    }

    /**
     * The credentials of each proxy of the list, in its order, and the secret system properties; a list of one
     * behaves exactly as a single proxy always did. Per proxy: its URL's user and password; a URL with a user alone
     * takes the password from {@code password}, {@code passwordFile} (or the JDK's); a proxy without user
     * information takes {@code username} with {@code password} or {@code passwordFile} (or the JDK's pair), and none
     * without {@code username}. A setting that no proxy of the list can use is a conflict, as it is for one proxy.
     */
    static Resolved resolve(ConfigLoader sources, Source proxySource, List<ProxyUrl> urls, List<String> warnings)
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
        boolean single = urls.size() == 1;
        boolean everyUser = true;
        boolean everyPassword = true;
        boolean anyPassword = false;
        for (ProxyUrl url : urls) {
            everyUser &= url.user() != null;
            boolean hasPassword = url.hasPassword();
            everyPassword &= hasPassword;
            anyPassword |= hasPassword;
        }
        if (everyUser && userSource != null) {
            throw new ConfigException(proxySource.where() + (single ? " has a user name" : " gives every proxy a"
                    + " user name") + " and " + userSource.where() + " is set too; give the user name in one place,"
                    + " e.g. " + proxySource.example("socks5://alice@proxy.example:1080") + " with the password in"
                    + " socksudp.passwordFile.");
        }
        if (anyPassword) {
            Source other = passwordSource != null ? passwordSource : fileSource;
            if (other != null && everyPassword) {
                throw new ConfigException(proxySource.where() + (single ? " has a password" : " gives every proxy a"
                        + " password") + " and " + other.where() + " is set too; give the password in one place,"
                        + " preferably socksudp.passwordFile, with the URL naming the user alone, e.g. "
                        + proxySource.example("socks5://alice@proxy.example:1080") + ".");
            }
            if (proxySource.kind == Source.Kind.SYSTEM_PROPERTY) {
                StringBuilder shown = new StringBuilder();
                for (ProxyUrl url : urls) {
                    shown.append(shown.length() > 0 ? "," : "").append(url.withoutPassword());
                }
                secrets.put(proxySource.name, shown.toString());
            }
        }

        // The settings' (or the JDK's) pair, for the proxies whose URL lacks a user or a password.
        Source globalUserWhere = userSource != null ? userSource : sources.jdk("java.net.socks.username", false);
        String globalUser = globalUserWhere != null ? globalUserWhere.value : null;
        byte[] globalPassword = null;
        Source globalPasswordWhere = null;
        if (!everyPassword) {
            if (passwordSource != null) {
                globalPassword = passwordSource.value.getBytes(UTF_8);
                globalPasswordWhere = passwordSource;
            } else if (fileSource != null) {
                globalPassword = PasswordFile.read(fileSource, warnings);
                globalPasswordWhere = fileSource;
            } else {
                globalPasswordWhere = sources.jdk("java.net.socks.password", false);
                globalPassword = globalPasswordWhere != null ? globalPasswordWhere.value.getBytes(UTF_8) : null;
            }
        }
        if (globalUser != null) {
            checkLength(globalUserWhere, globalUser.getBytes(UTF_8), "alice", "user name");
        }
        if (globalPassword != null) {
            checkLength(globalPasswordWhere, globalPassword, "secret", "password");
        }

        List<Credentials> each = new ArrayList<Credentials>(urls.size());
        boolean globalPasswordUsed = false;
        for (ProxyUrl url : urls) {
            String username;
            Source userWhere;
            if (url.user() != null) {
                username = url.user();
                userWhere = proxySource;
                checkLength(proxySource, username.getBytes(UTF_8), "alice", "user name");
            } else {
                username = globalUser;
                userWhere = globalUserWhere;
            }
            byte[] password;
            Source passwordWhere;
            if (url.hasPassword()) {
                password = url.password();
                passwordWhere = proxySource;
                checkLength(proxySource, password, "secret", "password");
            } else {
                password = globalPassword != null ? globalPassword.clone() : null;
                passwordWhere = globalPasswordWhere;
            }
            if (password != null && username == null) {
                // The settings' password, for the proxies that have a user: not this one, which gets none.
                Arrays.fill(password, (byte) 0);
                password = null;
            } else if (password != null && !url.hasPassword()) {
                globalPasswordUsed = true;
            }
            if (username != null && password == null) {
                String fix = userWhere == proxySource ? "socksudp.passwordFile=FILE (or the environment variable"
                        + " SOCKSUDP_PASSWORD)" : ConfigLoader.sibling(userWhere, "password").example("PASSWORD");
                throw new ConfigException(userWhere.where() + (userWhere == proxySource ? " names a user but no"
                        + " password is set" + (single ? "" : " for proxy " + url.address()) : " is set but no"
                        + " password is") + "; set " + fix + " too, since SOCKS5 username/password authentication"
                        + " (RFC 1929) needs both.");
            }
            each.add(new Credentials(username, password, passwordWhere != null && password != null
                    ? passwordWhere.where() : null));
        }
        if (globalPassword != null) {
            Arrays.fill(globalPassword, (byte) 0);
            if (!globalPasswordUsed) {
                // No proxy has a user name to go with it (one proxy: it has none).
                throw new ConfigException(globalPasswordWhere.where() + " is set but no user name is" + (single ? ""
                        : " for any proxy of the list") + "; set " + ConfigLoader.sibling(globalPasswordWhere, "username")
                        .example("alice") + " too, since SOCKS5 username/password authentication (RFC 1929) needs"
                        + " both.");
            }
        }
        return new Resolved(each, secrets);
    }

    /** Every proxy's credentials, and the system properties holding secrets (see {@link Config#secretProperties}). */
    static final class Resolved {
        final List<Credentials> perProxy;
        final Map<String, String> secretProperties;

        Resolved(List<Credentials> perProxy, Map<String, String> secretProperties) {
            this.perProxy = Collections.unmodifiableList(perProxy);
            this.secretProperties = Collections.unmodifiableMap(secretProperties);
        }
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
