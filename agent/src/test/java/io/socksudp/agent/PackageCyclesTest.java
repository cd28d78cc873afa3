package io.socksudp.agent;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's packages refer to each other one way (agent/README.md's map): jdeps over the compiled classes, and no
 * two packages that refer to each other except the knots still listed in the README (issue 15).
 */
class PackageCyclesTest {

    /** Pairs of packages, in alphabetical order, (relative to io.socksudp.agent, "." for the root) that still refer to each other. */
    private static final Set<String> KNOWN_KNOTS = new TreeSet<>(List.of());

    @Test
    void noTwoPackagesReferToEachOtherBeyondTheKnownKnots() {
        Path classes = Paths.get("target/classes");
        assertTrue(Files.isDirectory(classes.resolve("io/socksudp/agent")), "run after compiling: " + classes);
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(out),
                "-verbose:package", "-filter:none", "--multi-release", "17", classes.toString());
        assertEquals(0, status, out.toString());
        Pattern edge = Pattern.compile("^\\s+io\\.socksudp\\.agent(\\.\\S+)?\\s+->\\s+io\\.socksudp\\.agent(\\.\\S+)?\\s");
        Set<String> edges = new TreeSet<>();
        for (String line : out.toString().split("\\R")) {
            Matcher m = edge.matcher(line);
            if (m.find()) {
                edges.add(name(m.group(1)) + " -> " + name(m.group(2)));
            }
        }
        assertTrue(edges.contains("intercept.nio -> intercept"), "jdeps output not understood:\n" + out);
        List<String> cycles = new ArrayList<>();
        for (String e : edges) {
            String[] ends = e.split(" -> ");
            if (!ends[0].equals(ends[1]) && ends[0].compareTo(ends[1]) < 0 && edges.contains(ends[1] + " -> " + ends[0])) {
                cycles.add(ends[0] + " <-> " + ends[1]);
            }
        }
        for (String knot : KNOWN_KNOTS) {
            assertTrue(cycles.remove(knot), knot + " is untied: take it off KNOWN_KNOTS (and agent/README.md)");
        }
        assertEquals(List.of(), cycles, "packages that refer to each other (jdeps -verbose:package)");
    }

    private static String name(String suffix) {
        return suffix == null ? "." : suffix.substring(1);
    }
}
