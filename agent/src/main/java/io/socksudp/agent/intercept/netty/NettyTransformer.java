package io.socksudp.agent.intercept.netty;

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

    /** The class with its calls to the hooks; package-private for tests, which hand it class files of their own. */
    static byte[] instrument(String name, byte[] classfile) {
        return DispatchCalls.inline(name, classfile);
    }
}
