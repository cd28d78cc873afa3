package io.socksudp.agent.intercept.netty;

import io.socksudp.agent.bootstrap.NettyDispatch;
import io.socksudp.agent.intercept.AdviceTransformer;
import io.socksudp.agent.intercept.ClassFileInventory;
import io.socksudp.agent.intercept.Routing;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.pool.TypePool;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;

/**
 * Watches every class the application's loaders define for Netty's native datagram channels and inlines the
 * {@link NettyAdvice} their {@link NettyLayout} calls for. For any other class it does two string compares
 * ({@link NettyTransport#ofInternalName}) and returns: an application without Netty loads no Byte Buddy and no ASM
 * because of it, and the agent never loads a Netty class itself (it reads the class file the JVM hands it).
 */
final class NettyTransformer implements ClassFileTransformer {

    private final Routing routing;
    private final AdviceTransformer.FailureHandler failureHandler;
    private volatile boolean hooksInstalled;

    NettyTransformer(Routing routing, AdviceTransformer.FailureHandler failureHandler) {
        this.routing = routing;
        this.failureHandler = failureHandler;
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfile) {
        if (internalName == null || NettyTransport.ofInternalName(internalName) == null) {
            return null; // a null loader is no reason to skip: Netty on -Xbootclasspath/a would leak otherwise
        }
        String name = internalName.replace('/', '.');
        try {
            installHooks(); // before the advice can run: the class is defined only after this returns
            return instrument(loader, name, classfile);
        } catch (Throwable t) {
            failureHandler.failed(name, t); // loaded unchanged it would send around the proxy: stop instead
            return null;
        }
    }

    /** The hooks behind {@link NettyDispatch}, made when the first Netty class appears (an app without it never does). */
    private void installHooks() {
        if (!hooksInstalled) {
            synchronized (this) {
                if (!hooksInstalled) {
                    NettyDispatch.install(new NettyGuard(routing));
                    hooksInstalled = true;
                }
            }
        }
    }

    /** The class with its advice; package-private for tests, which hand it class files of their own. */
    static byte[] instrument(ClassLoader loader, String name, byte[] classfile) {
        ClassFileInventory inventory = ClassFileInventory.of(name, classfile);
        List<AsmVisitorWrapper> advice = new ArrayList<AsmVisitorWrapper>();
        if (NettyLayout.of(inventory) == NettyLayout.GUARDED) {
            advice.add(Advice.to(NettyAdvice.CheckWrite.class).on(NettyMember.FILTER_OUTBOUND.matcher()));
            if (NettyMember.DO_CONNECT.declaredIn(inventory)) {
                advice.add(Advice.to(NettyAdvice.CheckConnect.class).on(NettyMember.DO_CONNECT.matcher()));
            }
        } else {
            advice.add(Advice.to(NettyAdvice.RefuseConstruction.class).on(isConstructor()));
        }
        ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(name, classfile),
                ClassFileLocator.ForClassLoader.of(loader));
        TypeDescription type = new TypePool.Default.WithLazyResolution(new TypePool.CacheProvider.Simple(),
                locator, TypePool.Default.ReaderMode.FAST).describe(name).resolve();
        return new ByteBuddy()
                .with(TypeValidation.DISABLED)
                .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE)
                .with(Implementation.Context.Disabled.Factory.INSTANCE)
                .redefine(type, locator)
                .visit(new AsmVisitorWrapper.Compound(advice))
                .make()
                .getBytes();
    }
}
