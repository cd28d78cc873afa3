package io.socksudp.agent;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules of the bootstrap package, which comments alone used to keep: its classes are defined in the bootstrap
 * loader, where a reference to anything that loader cannot see fails only when the JDK's own code first runs the
 * advice (a {@code NoClassDefFoundError} inside {@code DatagramSocket.send}, in the application's thread). Checked
 * here from the compiled class files, so a new bridge class or a careless import fails the build instead.
 */
class BootstrapRulesTest {

    private static final String PACKAGE = "io.socksudp.agent.bootstrap";
    /** Defined on its own by JmxHook, not with the datagram bridge. */
    private static final String MBEAN_HOOK = PACKAGE + ".MBeanServerHook";

    @Test
    void theInjectedListIsExactlyThePackage() throws Exception {
        Set<String> listed = new TreeSet<>(Arrays.asList(Agent.BOOTSTRAP_CLASSES));
        listed.add(MBEAN_HOOK);
        assertEquals(packageClasses(), listed,
                "every class of " + PACKAGE + " (nested ones too) must be injected by Agent.BOOTSTRAP_CLASSES or, "
                        + "for the JMX hook, by JmxHook; a class left out would be loaded from the agent jar by the "
                        + "application loader, a second copy of the bridge");
        assertEquals(Agent.BOOTSTRAP_CLASSES.length, listed.size() - 1, "Agent.BOOTSTRAP_CLASSES lists a class twice");
    }

    @Test
    void supertypesAreInjectedBeforeTheirSubtypes() throws Exception {
        List<String> order = Arrays.asList(Agent.BOOTSTRAP_CLASSES);
        for (int i = 0; i < order.size(); i++) {
            ClassReader reader = reader(order.get(i));
            List<String> supertypes = new ArrayList<>(Arrays.asList(reader.getInterfaces()));
            supertypes.add(reader.getSuperName());
            for (String supertype : supertypes) {
                String name = supertype.replace('/', '.');
                if (name.startsWith(PACKAGE + ".")) {
                    int at = order.indexOf(name);
                    assertTrue(at >= 0 && at < i, order.get(i) + " is injected before its supertype " + name);
                }
            }
        }
    }

    @Test
    void bootstrapClassesReferenceOnlyWhatTheBootstrapLoaderSees() throws Exception {
        List<String> violations = new ArrayList<>();
        for (String className : packageClasses()) {
            for (String referenced : referencedTypes(className)) {
                if (!referenced.startsWith(PACKAGE + ".") && !visibleToBootstrapLoader(referenced)) {
                    violations.add(className + " -> " + referenced);
                }
            }
        }
        assertEquals(new ArrayList<String>(), violations,
                "bootstrap classes may reference only JDK types in the boot loader and each other");
    }

    @Test
    void bootstrapClassesAreJava8Bytecode() throws Exception {
        for (String className : packageClasses()) {
            int major = reader(className).readUnsignedShort(6);
            assertTrue(major <= Opcodes.V1_8, className + " has class-file version " + major + ", newer than Java 8's");
        }
    }

    /** The check must be able to fail: an agent type and a platform-loader type are both refused. */
    @Test
    void theVisibilityCheckRefusesTypesOutsideTheBootLoader() {
        assertTrue(!visibleToBootstrapLoader(Agent.class.getName()), "the agent's own classes");
        assertTrue(!visibleToBootstrapLoader("org.junit.jupiter.api.Test"), "a library on the class path");
        assertTrue(visibleToBootstrapLoader("java.net.DatagramPacket"), "java.base");
    }

    private static boolean visibleToBootstrapLoader(String className) {
        try {
            Class.forName(className, false, null);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static Set<String> packageClasses() throws IOException, URISyntaxException {
        Path root = Paths.get(Agent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = root.resolve(PACKAGE.replace('.', '/'));
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".class") && !n.equals("package-info.class"))
                    .map(n -> PACKAGE + "." + n.substring(0, n.length() - ".class".length()))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** Every type named anywhere in the class file: supertypes, fields, descriptors, owners, constants, annotations. */
    private static Set<String> referencedTypes(String className) throws IOException {
        Set<String> types = new TreeSet<>();
        Remapper collector = new Remapper(Opcodes.ASM9) {
            @Override
            public String map(String internalName) {
                String name = internalName;
                while (name.startsWith("[")) {
                    name = name.substring(1);
                }
                if (!name.isEmpty() && (name.length() > 1 || !"ZBCSIJFD".contains(name))) {
                    types.add(name.replace('/', '.'));
                }
                return internalName;
            }
        };
        // A writer underneath, because a remapper only walks into methods and fields its delegate visits.
        reader(className).accept(new ClassRemapper(new ClassWriter(0), collector), 0);
        return types;
    }

    private static ClassReader reader(String className) throws IOException {
        String resource = "/" + className.replace('.', '/') + ".class";
        try (InputStream in = Agent.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no class file " + resource);
            }
            return new ClassReader(in);
        }
    }
}
