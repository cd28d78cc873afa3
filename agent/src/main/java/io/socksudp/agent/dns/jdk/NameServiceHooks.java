package io.socksudp.agent.dns.jdk;

import io.socksudp.agent.config.StartupException;
import io.socksudp.agent.dns.AddressOrder;
import io.socksudp.agent.dns.ProxiedResolver;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Puts {@link ProxiedResolver} where this JDK's {@code InetAddress} asks names, chosen by what the JDK has (never by
 * its version number), and refuses to start, naming what is missing, when it has none of them:
 * <ul>
 * <li>JDK 18+ ({@code java.net.spi.InetAddressResolverProvider}, JEP 418): the {@link ResolverProvider} that the
 * JDK finds with ServiceLoader in the agent jar. The JDK chooses its resolver once, at the first look-up after boot,
 * and keeps it; so the agent makes it choose now (the private {@code InetAddress.resolver()}, which looks nothing
 * up) and checks that it chose this one: another provider found first, or a look-up before the agent started
 * (attached later), refuses the start rather than leak.</li>
 * <li>JDK 9 to 17: the private interface {@code InetAddress$NameService} in the static field {@code nameService},
 * replaced by a {@link Proxy} of that interface.</li>
 * <li>JDK 8: the public interface {@code sun.net.spi.nameservice.NameService} and the static list
 * {@code nameServices}, replaced by a list of one proxy.</li>
 * </ul>
 * {@code java.net} must be open to the agent (the Installer opens it with {@code Instrumentation.redefineModule}).
 */
public final class NameServiceHooks {

    private NameServiceHooks() {
    }

    /** Installs {@code resolver} for all of this JVM's look-ups; returns a line saying how, for the debug log. */
    public static String install(ProxiedResolver resolver) throws StartupException {
        if (exists("java.net.spi.InetAddressResolverProvider")) {
            return installProvider(resolver);
        }
        if (exists("java.net.InetAddress$NameService")) {
            return installNameService(resolver);
        }
        if (exists("sun.net.spi.nameservice.NameService")) {
            return installJdk8NameServices(resolver);
        }
        throw unsupported("it has neither java.net.spi.InetAddressResolverProvider (JDK 18+), nor"
                + " java.net.InetAddress$NameService (JDK 9-17), nor sun.net.spi.nameservice.NameService (JDK 8)", null);
    }

    // ------------------------------------------------------------------------------------------- JDK 18+

    private static String installProvider(ProxiedResolver resolver) throws StartupException {
        ResolverProvider.install(resolver);
        Object chosen;
        try {
            Method choose = InetAddress.class.getDeclaredMethod("resolver");
            choose.setAccessible(true);
            chosen = choose.invoke(null);
        } catch (InvocationTargetException e) {
            throw unsupported("InetAddress.resolver() failed (" + e.getCause() + ")", e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw unsupported("it lacks the private static InetAddress.resolver() of JDK 18+ (" + e + ")", e);
        }
        if (!(chosen instanceof Jdk18Resolver)) {
            throw new StartupException("socksudp.dns is set, but this JVM resolves names with " + chosen
                    + " rather than the agent's resolver (" + whyNotOurs() + "); refusing to let look-ups leave"
                    + " directly");
        }
        return "InetAddressResolverProvider (JDK 18+)";
    }

    /**
     * Why the JDK did not choose the agent's provider. ServiceLoader takes the first provider listed on the class
     * path; when that is the agent's own, the JDK chose before it could find it: a name was looked up before the agent
     * started (an agent listed before socksudp's is run before socksudp's jar is on the class path, and a late attach
     * comes after the application's look-ups), and the JDK keeps that choice.
     */
    private static String whyNotOurs() {
        String first = null;
        try {
            java.util.Enumeration<java.net.URL> lists = ClassLoader.getSystemResources(
                    "META-INF/services/java.net.spi.InetAddressResolverProvider");
            while (first == null && lists.hasMoreElements()) {
                first = firstEntry(lists.nextElement());
            }
        } catch (java.io.IOException | RuntimeException e) {
            // unknown: say both
        }
        if (first == null) {
            return "another InetAddressResolverProvider was found first, or a name was looked up before the agent"
                    + " started";
        }
        if (first.equals(ResolverProvider.class.getName())) {
            return "a name was looked up before the agent started, and the JDK keeps the resolver it chose then";
        }
        return "another InetAddressResolverProvider, " + first + ", was found first";
    }

    /** The first provider class named in a {@code META-INF/services} file, or null. */
    private static String firstEntry(java.net.URL list) throws java.io.IOException {
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(list.openStream(),
                java.nio.charset.StandardCharsets.UTF_8));
        try {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                int comment = line.indexOf('#');
                String name = (comment >= 0 ? line.substring(0, comment) : line).trim();
                if (!name.isEmpty()) {
                    return name;
                }
            }
            return null;
        } finally {
            in.close();
        }
    }

    // ------------------------------------------------------------------------------------------- JDK 9 to 17

    private static String installNameService(ProxiedResolver resolver) throws StartupException {
        try {
            Class<?> type = Class.forName("java.net.InetAddress$NameService");
            Field field = InetAddress.class.getDeclaredField("nameService");
            if (!Modifier.isStatic(field.getModifiers()) || field.getType() != type) {
                throw unsupported("InetAddress.nameService is not a static InetAddress$NameService field", null);
            }
            field.setAccessible(true);
            final Object original = field.get(null);
            if (original == null) {
                // Only something other than the JDK clears it (InetAddress sets it in its static initialiser): the
                // names left to the system would then fail obscurely, and what else was changed is unknown.
                throw unsupported("InetAddress.nameService, the JDK's own name service, is null (cleared before"
                        + " socksudp started, by another agent or library)", null);
            }
            final Method lookup = type.getMethod("lookupAllHostAddr", String.class);
            final Method reverse = type.getMethod("getHostByAddr", byte[].class);
            lookup.setAccessible(true);
            reverse.setAccessible(true);
            Object proxy = Proxy.newProxyInstance(null, new Class<?>[] {type}, new Handler(resolver,
                    AddressOrder.fromSystemProperties(), new SystemResolver() {
                        @Override
                        public InetAddress[] lookup(String host) throws UnknownHostException {
                            return (InetAddress[]) call(lookup, original, host);
                        }

                        @Override
                        public String reverse(byte[] address) throws UnknownHostException {
                            return (String) call(reverse, original, address);
                        }
                    }));
            field.set(null, proxy);
            return "InetAddress$NameService (JDK 9-17), the JDK's own " + original.getClass().getName()
                    + " kept for the names left to the system";
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw unsupported("cannot replace InetAddress.nameService (" + e + ")", e);
        }
    }

    // ------------------------------------------------------------------------------------------- JDK 8

    private static String installJdk8NameServices(ProxiedResolver resolver) throws StartupException {
        try {
            Class<?> type = Class.forName("sun.net.spi.nameservice.NameService");
            Field field = InetAddress.class.getDeclaredField("nameServices");
            if (!Modifier.isStatic(field.getModifiers()) || !List.class.isAssignableFrom(field.getType())) {
                throw unsupported("InetAddress.nameServices is not a static List", null);
            }
            field.setAccessible(true);
            List<?> installed = (List<?>) field.get(null);
            if (installed == null || installed.isEmpty()) {
                // JDK 8's InetAddress always puts at least its default name service there: emptied by someone else.
                throw unsupported("InetAddress.nameServices, the JDK's list of name services, is "
                        + (installed == null ? "null" : "empty") + " (cleared before socksudp started, by another"
                        + " agent or library)", null);
            }
            final List<?> originals = new ArrayList<Object>(installed);
            final Method lookup = type.getMethod("lookupAllHostAddr", String.class);
            final Method reverse = type.getMethod("getHostByAddr", byte[].class);
            Object proxy = Proxy.newProxyInstance(null, new Class<?>[] {type}, new Handler(resolver,
                    AddressOrder.fromSystemProperties(), new SystemResolver() {
                        // As JDK 8's InetAddress itself goes through its list: the first that answers.
                        @Override
                        public InetAddress[] lookup(String host) throws UnknownHostException {
                            UnknownHostException last = new UnknownHostException(host);
                            for (Object ns : originals) {
                                try {
                                    return (InetAddress[]) call(lookup, ns, host);
                                } catch (UnknownHostException e) {
                                    last = e;
                                }
                            }
                            throw last;
                        }

                        @Override
                        public String reverse(byte[] address) throws UnknownHostException {
                            UnknownHostException last = new UnknownHostException();
                            for (Object ns : originals) {
                                try {
                                    return (String) call(reverse, ns, address);
                                } catch (UnknownHostException e) {
                                    last = e;
                                }
                            }
                            throw last;
                        }
                    }));
            field.set(null, new ArrayList<Object>(Collections.singletonList(proxy)));
            return "sun.net.spi.nameservice (JDK 8), the JDK's own " + originals + " kept for the names left to the"
                    + " system";
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw unsupported("cannot replace InetAddress.nameServices (" + e + ")", e);
        }
    }

    // ------------------------------------------------------------------------------------------- shared

    /** The JDK's own resolver, for the names the agent leaves to the system. */
    interface SystemResolver {
        InetAddress[] lookup(String host) throws UnknownHostException;

        String reverse(byte[] address) throws UnknownHostException;
    }

    /** The name service interface of JDK 8 to 17 (both have the same two methods) over {@link ProxiedResolver}. */
    private static final class Handler implements InvocationHandler {
        private final ProxiedResolver resolver;
        private final AddressOrder order;
        private final SystemResolver system;

        Handler(ProxiedResolver resolver, AddressOrder order, SystemResolver system) {
            this.resolver = resolver;
            this.order = order;
            this.system = system;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.equals("lookupAllHostAddr") && args != null && args.length == 1) {
                String host = (String) args[0];
                try {
                    InetAddress[] found = resolver.lookup(host, order);
                    return found != null ? found : system.lookup(host);
                } catch (UnknownHostException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw internal(host, e); // fail closed, and never crash the caller with our bug
                }
            }
            if (name.equals("getHostByAddr") && args != null && args.length == 1) {
                byte[] address = (byte[]) args[0];
                try {
                    String found = resolver.reverse(address);
                    return found != null ? found : system.reverse(address);
                } catch (UnknownHostException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw internal(InetAddress.getByAddress(address).getHostAddress(), e);
                }
            }
            if (name.equals("hashCode")) {
                return System.identityHashCode(proxy);
            }
            if (name.equals("equals")) {
                return proxy == args[0];
            }
            if (name.equals("toString")) {
                return "socksudp name service (" + order + ")";
            }
            throw new UnsupportedOperationException(method.toString());
        }
    }

    private static UnknownHostException internal(String what, RuntimeException e) {
        UnknownHostException u = new UnknownHostException(what + ": socksudp internal error (" + e + ")");
        u.initCause(e);
        return u;
    }

    private static Object call(Method method, Object target, Object argument) throws UnknownHostException {
        try {
            return method.invoke(target, argument);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UnknownHostException) {
                throw (UnknownHostException) cause;
            }
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IllegalStateException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean exists(String className) {
        try {
            Class.forName(className, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static StartupException unsupported(String what, Throwable cause) {
        return new StartupException("socksudp.dns is set, but this JDK (" + System.getProperty("java.version")
                + ") is not supported for it: " + what + "; refusing to let look-ups leave directly", cause);
    }
}
