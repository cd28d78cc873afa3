package io.socksudp.agent.dns.jdk;

import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;

/**
 * JDK 18+: the resolver provider that {@code InetAddress} finds with {@code ServiceLoader} (the agent jar is on the
 * system class path and lists this class in {@code META-INF/services/java.net.spi.InetAddressResolverProvider}).
 *
 * <p>Found in every JVM that runs the agent on JDK 18+, so it must cost next to nothing when {@code socksudp.dns} is
 * unset: it then hands back the JDK's built-in resolver and loads nothing else of the agent's DNS code. With
 * {@code socksudp.dns} set, the agent has installed its resolver here before making the JDK choose (see {@link
 * NameServiceHooks}).
 */
public final class ResolverProvider extends InetAddressResolverProvider {

    /** The agent's {@code ProxiedResolver}, as Object so that this class links against none of the DNS code. */
    private static volatile Object installed;

    static void install(Object proxiedResolver) {
        installed = proxiedResolver;
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        Object resolver = installed;
        if (resolver == null) {
            return configuration.builtinResolver();
        }
        return Jdk18Resolver.create(resolver, configuration.builtinResolver());
    }

    @Override
    public String name() {
        return "socksudp";
    }
}
