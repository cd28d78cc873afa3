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
