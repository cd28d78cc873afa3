package io.socksudp.agent;

import io.socksudp.agent.intercept.ClassFiles;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.security.CodeSource;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Reads entries of the agent's own jar, opened directly. Asking the application class loader for them as
 * resources would make it search the JDK's modules first (loading the jimage reader) and then open the jar again
 * through a jar: URL connection: some 30 classes more on the first datagram's path. Outside a jar (the agent's
 * classes in a directory, as in unit tests) entries are read as resources. Public for the build id only, which
 * the cache command reads too.
 */
public final class AgentJar implements java.io.Closeable {

    private final JarFile jar;

    private AgentJar(JarFile jar) {
        this.jar = jar;
    }

    static AgentJar open() {
        try {
            CodeSource source = AgentJar.class.getProtectionDomain().getCodeSource();
            URL location = source == null ? null : source.getLocation();
            if (location != null && "file".equals(location.getProtocol()) && location.getPath().endsWith(".jar")) {
                return new AgentJar(new JarFile(new File(location.toURI()), false));
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            // read as resources instead
        }
        return new AgentJar(null);
    }

    /** The agent build's identity, written into the jar at build time; null (no cache) when absent. */
    public static String buildId() throws IOException {
        AgentJar jar = AgentJar.open();
        try {
            byte[] bytes = jar.read("io/socksudp/agent/build-id");
            String id = bytes == null ? "" : new String(bytes, "UTF-8").trim();
            return id.isEmpty() || id.contains("${") ? null : id;
        } finally {
            jar.close();
        }
    }

    /** The entry at {@code path} ({@code io/socksudp/agent/build-id}), or null when there is none. */
    byte[] read(String path) throws IOException {
        if (jar == null) {
            InputStream in = AgentJar.class.getClassLoader().getResourceAsStream(path);
            return in == null ? null : ClassFiles.read(in);
        }
        JarEntry entry = jar.getJarEntry(path);
        return entry == null ? null : ClassFiles.read(jar.getInputStream(entry));
    }

    @Override
    public void close() {
        if (jar != null) {
            try {
                jar.close();
            } catch (IOException ignored) {
                // read-only; nothing lost
            }
        }
    }
}
