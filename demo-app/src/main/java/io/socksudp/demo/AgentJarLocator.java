package io.socksudp.demo;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds the agent jar the way a newcomer would expect after building the whole project. */
final class AgentJarLocator {
    static final String RELATIVE_JAR = "agent/target/socksudp-agent.jar";

    private AgentJarLocator() {
    }

    /**
     * Places to look, in order: the explicit path if given (and then nowhere else), the current directory
     * (the project root), then relative to the demo's own jar ({@code demo-app/target/} to {@code agent/target/}).
     */
    static List<Path> candidates(Optional<Path> explicit, Path workingDirectory, Optional<Path> demoLocation) {
        List<Path> candidates = new ArrayList<>();
        if (explicit.isPresent()) {
            candidates.add(explicit.get());
            return candidates;
        }
        candidates.add(workingDirectory.resolve(RELATIVE_JAR));
        // The demo jar is demo-app/target/socksudp-demo.jar (or demo-app/target/classes when run from a build).
        demoLocation.map(Path::getParent).ifPresent(dir -> candidates.add(dir.resolve("../../" + RELATIVE_JAR)));
        return candidates;
    }

    static Optional<Path> locate(List<Path> candidates) {
        return candidates.stream()
                .filter(Files::isRegularFile)
                .map(p -> p.toAbsolutePath().normalize())
                .findFirst();
    }

    /** Where this class was loaded from: the demo jar, or the classes directory in a build. */
    static Optional<Path> demoLocation() {
        try {
            var source = Demo.class.getProtectionDomain().getCodeSource();
            return source == null ? Optional.empty() : Optional.of(Path.of(source.getLocation().toURI()));
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            return Optional.empty();
        }
    }
}
