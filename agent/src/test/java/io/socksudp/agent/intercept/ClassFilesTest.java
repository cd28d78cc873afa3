package io.socksudp.agent.intercept;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The JDK's class files as the start-up checks read them: the same bytes as the system class loader's. */
class ClassFilesTest {

    private static byte[] bySystemLoader(String className) throws IOException {
        return ClassFiles.read(ClassLoader.getSystemClassLoader(), className);
    }

    @Test
    void aJavaBaseClassIsReadAsTheSystemLoaderSeesIt() throws IOException {
        byte[] bytes = ClassFiles.readJdk("sun.nio.ch.DatagramSocketAdaptor");
        assertNotNull(bytes);
        assertArrayEquals(bySystemLoader("sun.nio.ch.DatagramSocketAdaptor"), bytes);
    }

    @Test
    void aClassOfAnotherModuleIsReadThroughTheSystemLoader() throws IOException {
        // java.net.http on JDK 11+, absent on JDK 8: the same answer either way
        byte[] bytes = ClassFiles.readJdk("java.net.http.HttpClient");
        byte[] expected = bySystemLoader("java.net.http.HttpClient");
        if (expected == null) {
            assertNull(bytes);
        } else {
            assertArrayEquals(expected, bytes);
        }
    }

    @Test
    void aMissingClassIsNull() throws IOException {
        assertNull(ClassFiles.readJdk("sun.nio.ch.NoSuchClassAnywhere"));
    }
}
