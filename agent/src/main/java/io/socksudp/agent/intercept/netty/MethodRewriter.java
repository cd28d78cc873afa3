package io.socksudp.agent.intercept.netty;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * One pass of plain ASM (Byte Buddy's copy) over a Netty class file that may change its methods and keeps the rest as
 * it is: what each of this strategy's rewrites shares, so that each says only what it does to which method. Max stack
 * and locals are recomputed; frames are not (that would need the class hierarchy): a rewrite that branches writes its
 * own.
 */
abstract class MethodRewriter {

    /** The visitor for one method: {@code mv} itself to keep it as it is, or one that rewrites on the way to it. */
    abstract MethodVisitor method(int access, String name, String descriptor, MethodVisitor mv);

    /** The class file with its methods rewritten. */
    final byte[] rewrite(byte[] classfile) {
        ClassReader reader = OpenedClassReader.of(classfile);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new ClassVisitor(OpenedClassReader.ASM_API, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return method(access, name, descriptor,
                        super.visitMethod(access, name, descriptor, signature, exceptions));
            }
        }, 0);
        return writer.toByteArray();
    }
}
