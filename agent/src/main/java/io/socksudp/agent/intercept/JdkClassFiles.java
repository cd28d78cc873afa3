package io.socksudp.agent.intercept;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The class files a strategy's start-up check reads, each read once: the class in hand (the bytes the JVM is about
 * to define) and, for its companions, the JDK's own class files (or, in tests, any {@link Source}).
 */
public final class JdkClassFiles {

    /** Where class files come from. */
    public interface Source {
        /** The class file of {@code className} (binary name), or null when there is none. */
        byte[] read(String className) throws IOException;
    }

    private final Source source;
    private final String inHandName;
    private final byte[] inHandBytes;
    private final Map<String, ClassFileInventory> read = new HashMap<String, ClassFileInventory>();

    private JdkClassFiles(Source source, String inHandName, byte[] inHandBytes) {
        this.source = source;
        this.inHandName = inHandName;
        this.inHandBytes = inHandBytes;
    }

    /** {@code inHandBytes} for {@code inHandName} (both null: none in hand), the running JDK's class files for the rest. */
    public static JdkClassFiles ofThisJdk(String inHandName, byte[] inHandBytes) {
        return new JdkClassFiles(null, inHandName, inHandBytes);
    }

    /** Every class file from {@code source}. */
    public static JdkClassFiles of(Source source) {
        return new JdkClassFiles(source, null, null);
    }

    /**
     * The inventory of {@code className}; null when there is no such class file.
     *
     * @throws IOException when it cannot be read
     * @throws IllegalArgumentException when it is not a well-formed class file
     */
    public ClassFileInventory inventory(String className) throws IOException {
        if (read.containsKey(className)) {
            return read.get(className);
        }
        ClassFileInventory inventory;
        if (className.equals(inHandName)) {
            inventory = ClassFileInventory.of(className, inHandBytes);
        } else if (source == null) {
            inventory = ClassFileInventory.of(className);
        } else {
            byte[] bytes = source.read(className);
            inventory = bytes == null ? null : ClassFileInventory.of(className, bytes);
        }
        read.put(className, inventory);
        return inventory;
    }

    /** Null when {@code member}'s class file declares it, else what is missing (or why it cannot be told). */
    public String missing(JdkMember member) {
        try {
            ClassFileInventory inventory = inventory(member.owner());
            return inventory == null ? member.owner() + " does not exist" : member.missingFrom(inventory);
        } catch (IOException | IllegalArgumentException e) {
            return "cannot read " + member.owner() + " (" + e + ")";
        }
    }

    /** Null when every member is declared, else what the first one missing is. */
    public String firstMissing(Iterable<JdkMember> members) {
        for (JdkMember member : members) {
            String missing = missing(member);
            if (missing != null) {
                return missing;
            }
        }
        return null;
    }
}
