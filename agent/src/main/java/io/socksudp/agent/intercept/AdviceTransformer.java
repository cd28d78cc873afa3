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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Applies Byte Buddy {@code Advice} to a few named JDK classes.
 *
 * <p>A plain transformer rather than Byte Buddy's {@code AgentBuilder}: on JDK 9+ the AgentBuilder generates
 * a transformer subclass at run time, which alone loaded about a thousand classes and cost about half a
 * second of start-up here; this needs none of it. It only redefines method bodies (no new members), as
 * retransformation of loaded classes requires.
 */
public final class AdviceTransformer implements ClassFileTransformer {

    private final Map<String, AsmVisitorWrapper> adviceByInternalName;
    private final Map<String, Throwable> errors = new ConcurrentHashMap<String, Throwable>();
    private final Map<String, Boolean> transformed = new ConcurrentHashMap<String, Boolean>();

    /** {@code adviceByClassName}: binary class name to the advice for its methods. */
    public AdviceTransformer(Map<String, AsmVisitorWrapper> adviceByClassName) {
        this.adviceByInternalName = new ConcurrentHashMap<String, AsmVisitorWrapper>();
        for (Map.Entry<String, AsmVisitorWrapper> e : adviceByClassName.entrySet()) {
            adviceByInternalName.put(e.getKey().replace('.', '/'), e.getValue());
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfile) {
        AsmVisitorWrapper advice = internalName == null ? null : adviceByInternalName.get(internalName);
        if (advice == null) {
            return null;
        }
        String name = internalName.replace('/', '.');
        try {
            ClassFileLocator locator = new ClassFileLocator.Compound(
                    ClassFileLocator.Simple.of(name, classfile),
                    ClassFileLocator.ForClassLoader.of(loader));
            TypeDescription type = new TypePool.Default.WithLazyResolution(new TypePool.CacheProvider.Simple(),
                    locator, TypePool.Default.ReaderMode.FAST).describe(name).resolve();
            byte[] result = new ByteBuddy()
                    .with(TypeValidation.DISABLED)
                    // Only declared methods are advised: no need to resolve the whole class hierarchy.
                    .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE)
                    .with(Implementation.Context.Disabled.Factory.INSTANCE)
                    .redefine(type, locator)
                    .visit(advice)
                    .make()
                    .getBytes();
            transformed.put(name, Boolean.TRUE);
            return result;
        } catch (Throwable t) {
            // The JVM ignores a transformer's exceptions and loads the class unchanged: record it so the
            // installer can refuse to run half-instrumented.
            errors.put(name, t);
            return null;
        }
    }

    /** Null when every class named at construction was transformed; otherwise what went wrong. */
    public String failure() {
        if (!errors.isEmpty()) {
            Map.Entry<String, Throwable> first = errors.entrySet().iterator().next();
            return first.getKey() + ": " + first.getValue();
        }
        for (String internalName : adviceByInternalName.keySet()) {
            String name = internalName.replace('/', '.');
            if (!transformed.containsKey(name)) {
                return name + " was not transformed";
            }
        }
        return null;
    }
}
