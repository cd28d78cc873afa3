package io.socksudp.agent.intercept;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads class files as resources, without loading the classes. */
public final class ClassFiles {

    private ClassFiles() {
    }

    /** The class file of {@code className} as {@code loader} sees it, or null when it has none. */
    public static byte[] read(ClassLoader loader, String className) throws IOException {
        InputStream in = loader.getResourceAsStream(className.replace('.', '/') + ".class");
        return in == null ? null : read(in);
    }

    /**
     * The running JDK's class file of {@code className}, or null when it has none. A class of {@code java.base}
     * (all the strategies check but for a few) is read through that module, which hands over the jimage bytes
     * directly: the class loader's way goes through a {@code jrt:} URL and its connection, about ten classes
     * outside the CDS archive loaded on the application's first datagram class. Any other class (another module,
     * or on JDK 8 a class the boot loader lacks) is read as the system class loader sees it, as before.
     */
    public static byte[] readJdk(String className) throws IOException {
        InputStream in = Object.class.getResourceAsStream("/" + className.replace('.', '/') + ".class");
        return in == null ? read(ClassLoader.getSystemClassLoader(), className) : read(in);
    }

    /** All of {@code in}, which is closed. */
    public static byte[] read(InputStream in) throws IOException {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            for (int r; (r = in.read(chunk)) != -1; ) {
                out.write(chunk, 0, r);
            }
            return out.toByteArray();
        } finally {
            in.close();
        }
    }
}
