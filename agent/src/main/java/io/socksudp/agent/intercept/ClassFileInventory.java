package io.socksudp.agent.intercept;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.utility.OpenedClassReader;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * The methods a JDK class declares, read from its class file with ASM, without loading the class: so the
 * start-up check that the JDK has what the advice expects costs a few milliseconds and leaves the class to
 * be transformed when the application first uses it.
 */
public final class ClassFileInventory {

    private final String className;
    private final Set<String> methods; // "name(descriptor)" for methods, "name:descriptor" for fields

    private ClassFileInventory(String className, Set<String> methods) {
        this.className = className;
        this.methods = methods;
    }

    /** Null when the JDK has no such class file. */
    public static ClassFileInventory of(String className) throws IOException {
        byte[] classfile = ClassFiles.read(ClassLoader.getSystemClassLoader(), className);
        return classfile == null ? null : of(className, classfile);
    }

    /** The inventory of {@code classfile}, the bytes of class {@code className}. */
    public static ClassFileInventory of(String className, byte[] classfile) {
        final Set<String> methods = new HashSet<String>();
        OpenedClassReader.of(classfile).accept(new ClassVisitor(OpenedClassReader.ASM_API) {
            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature,
                                           Object value) {
                methods.add(name + ":" + descriptor);
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                methods.add(name + descriptor);
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return new ClassFileInventory(className, methods);
    }

    /** Null when the class declares field {@code name} of the JVM type {@code descriptor}, else what is missing. */
    public String missingField(String name, String descriptor) {
        return methods.contains(name + ":" + descriptor) ? null
                : className + " has no field " + descriptor + " " + name;
    }

    /** Null when the class declares {@code name} with the JVM descriptor, else what is missing. */
    public String missing(String name, String descriptor) {
        return methods.contains(name + descriptor) ? null
                : className + " has no method " + name + descriptor;
    }
}
