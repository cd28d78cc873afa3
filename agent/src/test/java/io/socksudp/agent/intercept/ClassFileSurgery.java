package io.socksudp.agent.intercept;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.io.IOException;

/** Test support: class files of a JDK with one member taken out, as a JDK that changed it would have them. */
public final class ClassFileSurgery {

    private ClassFileSurgery() {
    }

    /** The class file {@code classfile} without {@code member} (which must be declared there). */
    public static byte[] without(byte[] classfile, final JdkMember member) {
        ClassReader reader = new ClassReader(classfile);
        ClassWriter writer = new ClassWriter(0);
        final boolean[] removed = {false};
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                if (member.isField() && name.equals(member.name()) && descriptor.equals(member.descriptor())) {
                    removed[0] = true;
                    return null;
                }
                return super.visitField(access, name, descriptor, signature, value);
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                if (!member.isField() && name.equals(member.name()) && descriptor.equals(member.descriptor())) {
                    removed[0] = true;
                    return null;
                }
                return super.visitMethod(access, name, descriptor, signature, exceptions);
            }
        }, 0);
        if (!removed[0]) {
            throw new AssertionError(member + " is not in the class file: the table names a member the JDK lacks");
        }
        return writer.toByteArray();
    }

    /** {@code jdk}'s class files, except {@code member}'s class, which lacks it. */
    public static JdkClassFiles.Source without(final JdkClassFiles.Source jdk, final JdkMember member) {
        return new JdkClassFiles.Source() {
            @Override
            public byte[] read(String className) throws IOException {
                byte[] bytes = jdk.read(className);
                return bytes != null && className.equals(member.owner()) ? without(bytes, member) : bytes;
            }
        };
    }

    /** The running JDK's class files. */
    public static JdkClassFiles.Source runningJdk() {
        return new JdkClassFiles.Source() {
            @Override
            public byte[] read(String className) throws IOException {
                return ClassFiles.read(ClassLoader.getSystemClassLoader(), className);
            }
        };
    }
}
