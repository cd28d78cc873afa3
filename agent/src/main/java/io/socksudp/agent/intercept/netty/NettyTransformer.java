package io.socksudp.agent.intercept.netty;

import io.socksudp.agent.bootstrap.NettyDispatch;
import io.socksudp.agent.config.LazyLogger;
import io.socksudp.agent.intercept.Routing;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;

/**
 * Watches every class the JVM defines for Netty's native datagram channels and inlines the calls their
 * {@link NettyLayout} calls for ({@link DispatchCalls}). For any other class it does two string compares
 * ({@link NettyTransport#owning}) and returns: an application without Netty loads no ASM because of it,
 * and the agent never loads a Netty class itself (it reads the class file the JVM hands it).
 */
final class NettyTransformer implements ClassFileTransformer {

    private final Routing routing;
    private final NettyStrategy.Host host;
    private volatile boolean hooksInstalled;

    NettyTransformer(Routing routing, NettyStrategy.Host host) {
        this.routing = routing;
        this.host = host;
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfile) {
        if (internalName == null || NettyTransport.owning(internalName) == null) {
            return null; // a null loader is no reason to skip: Netty on -Xbootclasspath/a would leak otherwise
        }
        String name = internalName.replace('/', '.');
        try {
            installHooks(); // before the advice can run: the class is defined only after this returns
            if (!seesDispatch(loader)) {
                return refuseUnseen(internalName, name, loader, classfile);
            }
            return instrument(name, classfile);
        } catch (Throwable t) {
            // loaded unchanged it would send around the proxy: stop instead
            host.refuse("could not instrument " + name + " (" + t + "); refusing to run unproxied");
            return null;
        }
    }

    /** The hooks behind {@code NettyDispatch}, made when the first Netty class appears (an app without it never does). */
    private void installHooks() throws Exception {
        if (!hooksInstalled) {
            synchronized (this) {
                if (!hooksInstalled) {
                    host.defineBridge(); // the bridge is otherwise defined only when the first JDK datagram class loads
                    NettyTunnels.install(new NettyGuard(routing), host); // links the bridge's types: only after defineBridge
                    hooksInstalled = true;
                }
            }
        }
    }

    /**
     * Whether {@code loader} finds the bootstrap class the inlined calls go to. One that does not delegate to its
     * parents (an OSGi bundle's, by default) would fail them with a NoClassDefFoundError at the first write and at
     * close; asked only for Netty's channel classes, so rarely.
     */
    private static boolean seesDispatch(ClassLoader loader) {
        if (loader == null) {
            return true;
        }
        try {
            return Class.forName(NettyDispatch.class.getName(), false, loader) == NettyDispatch.class;
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            return false;
        }
    }

    /** The channel class with constructors that throw the reason, logged once here (its read loop is left alone). */
    private static byte[] refuseUnseen(String internalName, String name, ClassLoader loader, byte[] classfile) {
        NettyTransport transport = NettyTransport.ofInternalName(internalName);
        if (transport == null) {
            return null; // a read loop (an unsafe): no channel of its class can be made
        }
        String message = "socksudp does not tunnel " + transport.description() + " (" + name + ") in class loader "
                + loader + ": that loader does not find socksudp's bootstrap classes through its parents (as an OSGi"
                + " bundle's by default), so a datagram would leave directly, around the SOCKS5 proxy, and the"
                + " channel is refused. Let it delegate io.socksudp.agent.bootstrap to the boot loader (OSGi:"
                + " org.osgi.framework.bootdelegation=io.socksudp.agent.bootstrap), or use Netty's NIO transport"
                + " (NioEventLoopGroup and NioDatagramChannel), which socksudp tunnels.";
        LazyLogger.getLogger("socksudp").warn(message); // not a static field: premain loads this class
        return ConstructorRefusal.inline(classfile, message);
    }

    /** The class with its calls to the hooks; package-private for tests, which hand it class files of their own. */
    static byte[] instrument(String name, byte[] classfile) {
        return DispatchCalls.inline(name, classfile);
    }
}
