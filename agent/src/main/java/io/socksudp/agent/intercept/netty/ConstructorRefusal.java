package io.socksudp.agent.intercept.netty;

import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * A Netty channel class whose every constructor only throws {@code new IOException(message)}: for a class loader
 * that does not find the bootstrap class {@code NettyDispatch} through its parents (an OSGi bundle's loader delegates
 * only {@code java.*} by default), where the calls {@link DispatchCalls} inlines would fail with a
 * NoClassDefFoundError at the first write, and at close too. Only JDK classes are used, which every loader sees.
 * The constructors' bodies are replaced whole (no branch, so no stack map frame is needed; a constructor that always
 * throws need not call super); Netty reports the failure as its channel factory's ChannelException, as for a layout
 * the agent does not know.
 */
final class ConstructorRefusal {

    private ConstructorRefusal() {
    }

    static byte[] inline(byte[] classfile, final String message) {
        return new MethodRewriter() {
            @Override
            MethodVisitor method(int access, String method, String descriptor, MethodVisitor mv) {
                return "<init>".equals(method) ? throwing(mv, message) : mv;
            }
        }.rewrite(classfile);
    }

    /** A visitor that writes {@code throw new IOException(message)} as the whole body and drops the original code. */
    private static MethodVisitor throwing(final MethodVisitor target, final String message) {
        return new MethodVisitor(OpenedClassReader.ASM_API) { // not chained: nothing of the original reaches target
            @Override
            public void visitParameter(String name, int access) {
                target.visitParameter(name, access);
            }

            @Override
            public void visitCode() {
                target.visitCode();
                target.visitTypeInsn(Opcodes.NEW, "java/io/IOException");
                target.visitInsn(Opcodes.DUP);
                target.visitLdcInsn(message);
                target.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/io/IOException", "<init>",
                        "(Ljava/lang/String;)V", false);
                target.visitInsn(Opcodes.ATHROW);
            }

            @Override
            public void visitMaxs(int maxStack, int maxLocals) {
                target.visitMaxs(0, 0); // recomputed (COMPUTE_MAXS)
            }

            @Override
            public void visitEnd() {
                target.visitEnd();
            }
        };
    }
}
