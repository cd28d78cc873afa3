package io.socksudp.agent.intercept;

import net.bytebuddy.ClassFileVersion;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.TypeInitializer;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.pool.TypePool;

import java.util.Map;

/**
 * Weaves a strategy's Byte Buddy {@code Advice} into the bytes of one of its classes. The only class of the
 * transformation path that links Byte Buddy: it is loaded when a class is not in the cache, never otherwise.
 *
 * <p>The advice's visitor is applied to the class file directly (a {@code ClassReader} into the visitor into a
 * {@code ClassWriter}), with Byte Buddy's type pool only describing the class for the advice: neither its {@code
 * AgentBuilder} (on JDK 9+ it generates a transformer subclass at run time, about 200 classes and a few hundred
 * milliseconds more) nor {@code ByteBuddy.redefine} (its type writer, method registry and method graph, another
 * ~290 classes and about a quarter of the weaving time on a cold JVM, for a class whose members stay as they are).
 * The output is the same bytes {@code redefine} produced. Only method bodies change (no new members), as
 * retransformation requires; the advice computes its own frames, so the writer never has to load a class.
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
        TypePool pool = new TypePool.Default.WithLazyResolution(new TypePool.CacheProvider.Simple(),
                locator, TypePool.Default.ReaderMode.FAST);
        TypeDescription type = pool.describe(className).resolve();
        int writerFlags = visitor.mergeWriter(AsmVisitorWrapper.NO_FLAGS);
        int readerFlags = visitor.mergeReader(AsmVisitorWrapper.NO_FLAGS);
        if ((writerFlags & ClassWriter.COMPUTE_FRAMES) != 0) {
            throw new IllegalStateException("advice for " + className + " asks for computed frames");
        }
        ClassReader reader = new ClassReader(classfile);
        ClassWriter writer = new ClassWriter(reader, writerFlags);
        ClassFileVersion version = ClassFileVersion.ofClassFile(classfile);
        Implementation.Context.ExtractableView context = Implementation.Context.Disabled.Factory.INSTANCE.make(type,
                null, TypeInitializer.None.INSTANCE, version, version,
                Implementation.Context.FrameGeneration.GENERATE);
        reader.accept(visitor.wrap(type, writer, context, pool, type.getDeclaredFields(), type.getDeclaredMethods(),
                writerFlags, readerFlags), readerFlags);
        return writer.toByteArray();
    }
}
