package io.socksudp.agent.intercept.netty;

import io.socksudp.agent.intercept.ClassFileInventory;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * Inlines into a Netty native datagram channel class, at the start of each method its {@link NettyLayout} calls
 * for, one static call to the bootstrap class {@code NettyDispatch}, which every class loader finds by parent
 * delegation: {@code checkWrite(this, msg)} in {@code filterOutboundMessage}, {@code checkConnect(this, remote)} in
 * {@code doConnect}, {@code refuseChannel("the class")} in every constructor of an unknown layout.
 *
 * <p>Plain ASM rather than Byte Buddy's {@code Advice}: a call at a method's entry adds no branch and no local, so
 * only the maximum stack changes; and Byte Buddy would have to resolve Netty's other types (generic signatures)
 * through the application's loader, which a loader that hides its class files as resources would make fail. The
 * IOExceptions these calls throw are not declared by the advised methods; Netty catches them as Throwable (a failed
 * write or connect promise, a failed channel creation), and the JVM does not check.
 */
final class DispatchCalls {

    private static final String DISPATCH = "io/socksudp/agent/bootstrap/NettyDispatch";

    private DispatchCalls() {
    }

    /** {@code classfile} (class {@code name}, binary) with the calls its layout calls for. */
    static byte[] inline(final String name, byte[] classfile) {
        ClassFileInventory inventory = ClassFileInventory.of(name, classfile);
        final boolean guarded = NettyLayout.of(inventory) == NettyLayout.GUARDED;
        ClassReader reader = OpenedClassReader.of(classfile);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new ClassVisitor(OpenedClassReader.ASM_API, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String method, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, method, descriptor, signature, exceptions);
                if ((access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                    return mv;
                }
                if (guarded && NettyMember.FILTER_OUTBOUND.is(method, descriptor)) {
                    return atEntry(mv, "checkWrite", null);
                }
                if (guarded && NettyMember.DO_CONNECT.is(method, descriptor)) {
                    return atEntry(mv, "checkConnect", null);
                }
                if (!guarded && "<init>".equals(method)) {
                    return atEntry(mv, "refuseChannel", name);
                }
                return mv;
            }
        }, 0);
        return writer.toByteArray();
    }

    /**
     * The method with, first thing, {@code NettyDispatch.<hook>(this, arg0)}, or {@code NettyDispatch.<hook>(constant)}
     * when {@code constant} is given (a constructor, before its super call: {@code this} is not usable yet).
     */
    private static MethodVisitor atEntry(MethodVisitor mv, final String hook, final String constant) {
        return new MethodVisitor(OpenedClassReader.ASM_API, mv) {
            @Override
            public void visitCode() {
                super.visitCode();
                if (constant != null) {
                    super.visitLdcInsn(constant);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, hook, "(Ljava/lang/String;)V", false);
                } else {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitVarInsn(Opcodes.ALOAD, 1);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, hook,
                            "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
                }
            }
        };
    }
}
