package java.net.spi;

/**
 * COMPILE-TIME STUB of JDK 18's {@code java.net.spi.InetAddressResolverProvider} (JEP 418); never packaged, see
 * {@link InetAddressResolver}.
 */
public abstract class InetAddressResolverProvider {

    protected InetAddressResolverProvider() {
    }

    public abstract InetAddressResolver get(Configuration configuration);

    public abstract String name();

    public interface Configuration {
        InetAddressResolver builtinResolver();

        String lookupLocalHostName();
    }
}
