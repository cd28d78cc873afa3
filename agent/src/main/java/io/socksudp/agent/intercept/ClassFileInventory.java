package io.socksudp.agent.intercept;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * The fields and methods a JDK class declares, read from its class file without loading the class, and without
 * ASM or Byte Buddy: the check that the JDK has what the advice expects runs when a datagram class first loads,
 * from the very bytes the JVM is about to define, and must cost next to nothing when the instrumented class is
 * then taken from the cache. Only the constant pool and the member tables are read (JVMS 4.1, 4.4 to 4.6);
 * anything malformed is an {@link IllegalArgumentException}, which the caller treats as an unsupported JDK.
 */
public final class ClassFileInventory {

    private final String className;
    private final Set<String> members; // "name(descriptor)" for methods, "name:descriptor" for fields

    private ClassFileInventory(String className, Set<String> members) {
        this.className = className;
        this.members = members;
    }

    /** Null when the JDK has no such class file. */
    public static ClassFileInventory of(String className) throws IOException {
        byte[] classfile = ClassFiles.readJdk(className);
        return classfile == null ? null : of(className, classfile);
    }

    /**
     * The inventory of {@code className}: from {@code inHandBytes} when that is the class in hand (the one being
     * loaded, whose bytes the transformer received), else from the JDK's class file; null when there is none.
     */
    public static ClassFileInventory of(String className, String inHandName, byte[] inHandBytes) throws IOException {
        return className.equals(inHandName) ? of(className, inHandBytes) : of(className);
    }

    /**
     * The inventory of {@code classfile}, the bytes of class {@code className}.
     *
     * @throws IllegalArgumentException when the bytes are not a well-formed class file
     */
    public static ClassFileInventory of(String className, byte[] classfile) {
        try {
            return new ClassFileInventory(className, new Parser(classfile).members());
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated class file of " + className, e);
        }
    }

    /** Null when the class declares field {@code name} of the JVM type {@code descriptor}, else what is missing. */
    public String missingField(String name, String descriptor) {
        return members.contains(name + ":" + descriptor) ? null
                : className + " has no field " + descriptor + " " + name;
    }

    /** Null when the class declares {@code name} with the JVM descriptor, else what is missing. */
    public String missing(String name, String descriptor) {
        return members.contains(name + descriptor) ? null
                : className + " has no method " + name + descriptor;
    }

    /**
     * Whether the class declares a method {@code name} whose descriptor starts and ends so (a parameter type of a
     * package that may be relocated, as a shaded Netty's).
     */
    public boolean declaresMethod(String name, String descriptorStart, String descriptorEnd) {
        for (String member : members) {
            if (member.startsWith(name + "(") && member.length() > name.length()
                    && member.startsWith(descriptorStart, name.length()) && member.endsWith(descriptorEnd)) {
                return true;
            }
        }
        return false;
    }

    /** A minimal reader: constant pool (to find the UTF-8 entries), then fields and methods, names and types. */
    private static final class Parser {
        private final byte[] b;
        private int pos;

        Parser(byte[] b) {
            this.b = b;
        }

        Set<String> members() {
            if (u4() != 0xCAFEBABE) {
                throw new IllegalArgumentException("not a class file");
            }
            pos += 4; // minor, major version
            int count = u2();
            String[] utf8 = new String[count];
            for (int i = 1; i < count; i++) {
                int tag = u1();
                switch (tag) {
                    case 1: // Utf8
                        int length = u2();
                        utf8[i] = modifiedUtf8(pos, length);
                        pos += length;
                        break;
                    case 3: case 4: // Integer, Float
                    case 9: case 10: case 11: case 12: // Fieldref, Methodref, InterfaceMethodref, NameAndType
                    case 17: case 18: // Dynamic, InvokeDynamic
                        pos += 4;
                        break;
                    case 5: case 6: // Long, Double: two slots
                        pos += 8;
                        i++;
                        break;
                    case 7: case 8: case 16: case 19: case 20: // Class, String, MethodType, Module, Package
                        pos += 2;
                        break;
                    case 15: // MethodHandle
                        pos += 3;
                        break;
                    default:
                        throw new IllegalArgumentException("unknown constant pool tag " + tag);
                }
            }
            pos += 6; // access flags, this class, super class
            int interfaces = u2(); // (not "pos += 2 * u2()": the += would read pos before u2() advances it)
            pos += 2 * interfaces;
            Set<String> members = new HashSet<String>();
            readMembers(utf8, members, ":");
            readMembers(utf8, members, "");
            return members;
        }

        private void readMembers(String[] utf8, Set<String> into, String separator) {
            int count = u2();
            for (int m = 0; m < count; m++) {
                pos += 2; // access flags
                String name = utf8[u2()];
                String descriptor = utf8[u2()];
                if (name == null || descriptor == null) {
                    throw new IllegalArgumentException("member name or descriptor is not a UTF-8 constant");
                }
                into.add(name + separator + descriptor);
                int attributes = u2();
                for (int a = 0; a < attributes; a++) {
                    pos += 2;
                    int length = u4();
                    if (length < 0) {
                        throw new IllegalArgumentException("attribute longer than 2 GB");
                    }
                    pos += length;
                }
            }
        }

        /** JVMS 4.4.7's modified UTF-8; member names and descriptors of the JDK are ASCII in practice. */
        private String modifiedUtf8(int start, int length) {
            char[] chars = new char[length];
            int n = 0;
            int end = start + length;
            for (int i = start; i < end; ) {
                int c = b[i++] & 0xFF;
                if (c < 0x80) {
                    chars[n++] = (char) c;
                } else if ((c & 0xE0) == 0xC0) {
                    chars[n++] = (char) (((c & 0x1F) << 6) | (b[i++] & 0x3F));
                } else {
                    chars[n++] = (char) (((c & 0x0F) << 12) | ((b[i++] & 0x3F) << 6) | (b[i++] & 0x3F));
                }
            }
            return new String(chars, 0, n);
        }

        private int u1() {
            return b[pos++] & 0xFF;
        }

        private int u2() {
            int v = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        private int u4() {
            int v = ((b[pos] & 0xFF) << 24) | ((b[pos + 1] & 0xFF) << 16) | ((b[pos + 2] & 0xFF) << 8)
                    | (b[pos + 3] & 0xFF);
            pos += 4;
            return v;
        }
    }
}
