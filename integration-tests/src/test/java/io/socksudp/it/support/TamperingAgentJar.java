package io.socksudp.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import io.socksudp.it.probe.TamperingAgent;

/** The jar of {@link TamperingAgent}, a test agent that changes the JDK's datagram classes as they load. */
public final class TamperingAgentJar {

    private TamperingAgentJar() {
    }

    /** Writes the jar into {@code dir} and returns its path. */
    public static Path write(Path dir) throws IOException {
        Path jar = dir.resolve("tampering-agent.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", TamperingAgent.class.getName());
        String entry = TamperingAgent.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file, manifest);
             InputStream in = TamperingAgent.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
        }
        return jar;
    }
}
