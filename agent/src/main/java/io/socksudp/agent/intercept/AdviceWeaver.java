package io.socksudp.agent.intercept;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.pool.TypePool;

import java.util.Map;

/**
 * Weaves a strategy's Byte Buddy {@code Advice} into the bytes of one of its classes. The only class of the
 * transformation path that links Byte Buddy: it is loaded when a class is not in the cache, never otherwise.
 *
 * <p>Plain redefinition rather than Byte Buddy's {@code AgentBuilder}: on JDK 9+ the AgentBuilder generates a
 * transformer subclass at run time, which alone loaded about 200 more classes and cost a few hundred
 * milliseconds of start-up here. Only method bodies change (no new members), as retransformation requires.
 */
public final class AdviceWeaver {

    private final DatagramInstrumentation strategy;
    private Map<String, AsmVisitorWrapper> advice; // built on first use, under the caller's lock

    public AdviceWeaver(DatagramInstrumentation strategy) {
        this.strategy = strategy;
    }

    /**
     * The woven bytes of {@code className}, whose original bytes are {@code classfile} and which is defined by
     * {@code loader} (null: bootstrap). Throws on any failure: the caller refuses to run unproxied.
     */
    public byte[] weave(ClassLoader loader, String className, byte[] classfile) {
        if (advice == null) {
            advice = strategy.advice();
        }
        AsmVisitorWrapper visitor = advice.get(className);
        if (visitor == null) {
            throw new IllegalStateException(strategy.name() + " has no advice for " + className);
        }
        ClassFileLocator locator = new ClassFileLocator.Compound(
                ClassFileLocator.Simple.of(className, classfile),
                ClassFileLocator.ForClassLoader.of(loader));
        TypeDescription type = new TypePool.Default.WithLazyResolution(new TypePool.CacheProvider.Simple(),
                locator, TypePool.Default.ReaderMode.FAST).describe(className).resolve();
        return new ByteBuddy()
                .with(TypeValidation.DISABLED)
                // Only declared methods are advised: no need to resolve the whole class hierarchy.
                .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE)
                .with(Implementation.Context.Disabled.Factory.INSTANCE)
                .redefine(type, locator)
                .visit(visitor)
                .make()
                .getBytes();
    }
}
