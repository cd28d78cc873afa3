package io.socksudp.agent.intercept;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.pool.TypePool;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.HashSet;
import java.util.Set;

/**
 * Applies the strategy's Byte Buddy {@code Advice} to its JDK classes, when they load (or are retransformed
 * because they were loaded already).
 *
 * <p>A plain transformer rather than Byte Buddy's {@code AgentBuilder}: on JDK 9+ the AgentBuilder generates
 * a transformer subclass at run time, which alone loaded about 200 more classes and cost a few hundred
 * milliseconds of start-up here. Only method bodies change (no new members), as retransformation requires.
 *
 * <p>The JVM ignores a transformer's exceptions and loads the class unchanged, which would leave datagrams
 * going out directly; so a failure goes to the {@link FailureHandler}, which stops the JVM (fail closed).
 */
public final class AdviceTransformer implements ClassFileTransformer {

    /** What to do when a target class cannot be transformed. */
    public interface FailureHandler {
        void failed(String className, Throwable cause);
    }

    private final Set<String> targetInternalNames = new HashSet<String>();
    private final PreparedAdvice advice;
    private final FailureHandler failureHandler;

    public AdviceTransformer(String[] targetClasses, PreparedAdvice advice, FailureHandler failureHandler) {
        for (String name : targetClasses) {
            targetInternalNames.add(name.replace('.', '/'));
        }
        this.advice = advice;
        this.failureHandler = failureHandler;
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfile) {
        if (internalName == null || loader != null || !targetInternalNames.contains(internalName)) {
            return null; // only the JDK's own (bootstrap) classes; everything else passes untouched
        }
        String name = internalName.replace('/', '.');
        try {
            AsmVisitorWrapper visitor = advice.get().get(name);
            ClassFileLocator locator = new ClassFileLocator.Compound(
                    ClassFileLocator.Simple.of(name, classfile),
                    ClassFileLocator.ForClassLoader.of(loader));
            TypeDescription type = new TypePool.Default.WithLazyResolution(new TypePool.CacheProvider.Simple(),
                    locator, TypePool.Default.ReaderMode.FAST).describe(name).resolve();
            return new ByteBuddy()
                    .with(TypeValidation.DISABLED)
                    // Only declared methods are advised: no need to resolve the whole class hierarchy.
                    .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE)
                    .with(Implementation.Context.Disabled.Factory.INSTANCE)
                    .redefine(type, locator)
                    .visit(visitor)
                    .make()
                    .getBytes();
        } catch (Throwable t) {
            failureHandler.failed(name, t);
            return null;
        }
    }
}
