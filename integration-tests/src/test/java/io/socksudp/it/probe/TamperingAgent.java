package io.socksudp.it.probe;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.security.ProtectionDomain;
import java.util.List;

/**
 * A test agent that stands for a JDK whose internals are not what socksudp expects, or for a JVM where something
 * happened before socksudp's premain. Listed before socksudp's -javaagent:
 * <ul>
 *   <li>{@code rename}: renames {@code sun.nio.ch.DatagramChannelImpl}'s {@code sourceSocketAddress} to
 *   {@code sourceSocketAddresz} as the class loads (one UTF-8 constant, same length: the class stays valid and
 *   works, it just is not the class socksudp was written for);</li>
 *   <li>{@code rename-remote}: renames the field and method {@code remoteAddress} of
 *   {@code sun.nio.ch.DatagramChannelImpl} to {@code remoteAddresz}, and the calls to that method in
 *   {@code sun.nio.ch.DatagramSocketAdaptor} (JDK 8, which has no {@code sourceSocketAddress}; the two classes stay
 *   consistent, valid and working);</li>
 *   <li>{@code load}: loads {@code sun.nio.ch.DatagramChannelImpl} in its own premain;</li>
 *   <li>{@code lookup}: looks {@code localhost} up in its own premain (JDK 18+ then chooses its resolver before
 *   socksudp's premain runs);</li>
 *   <li>{@code clear-name-service}: clears the JDK's name service, which socksudp's {@code socksudp.dns} wraps
 *   before JDK 18 (see {@link #clearNameService}).</li>
 * </ul>
 * Its transformer cannot retransform: a later retransformation (socksudp attached to the running JVM) starts from
 * the renamed bytes, as from a JDK built that way.
 */
public final class TamperingAgent implements ClassFileTransformer {

    private final String[] classes;
    private final byte[] from;
    private final byte[] to;

    private TamperingAgent(String[] classes, String from, String to) {
        this.classes = classes;
        this.from = from.getBytes();
        this.to = to.getBytes();
    }

    public static void premain(String args, Instrumentation inst) throws Exception {
        if ("rename".equals(args)) {
            inst.addTransformer(new TamperingAgent(new String[] {"sun/nio/ch/DatagramChannelImpl"},
                    "sourceSocketAddress", "sourceSocketAddresz"));
        } else if ("rename-remote".equals(args)) {
            inst.addTransformer(new TamperingAgent(new String[] {"sun/nio/ch/DatagramChannelImpl",
                "sun/nio/ch/DatagramSocketAdaptor"}, "remoteAddress", "remoteAddresz"));
        } else if ("load".equals(args)) {
            Class.forName("sun.nio.ch.DatagramChannelImpl");
        } else if ("lookup".equals(args)) {
            // the one name a test may look up: answered by the hosts file, never by DNS
            System.err.println("tampering-agent: looked up localhost: " + InetAddress.getByName("localhost"));
        } else if ("clear-name-service".equals(args)) {
            clearNameService();
        } else {
            throw new IllegalArgumentException("TamperingAgent: rename, rename-remote, load, lookup or clear-name-service, not "
                    + args);
        }
    }

    /**
     * Clears what the JDK asks names with, as a library that mocks DNS and leaves nothing behind could: JDK 9 to 17's
     * static {@code InetAddress.nameService} set to null (it needs {@code --add-opens java.base/java.net=ALL-UNNAMED}
     * from JDK 16), JDK 8's static list {@code InetAddress.nameServices} emptied.
     */
    private static void clearNameService() throws Exception {
        for (Field f : InetAddress.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getName().equals("nameService")) {
                f.setAccessible(true);
                f.set(null, null);
                System.err.println("tampering-agent: InetAddress.nameService set to null");
                return;
            }
            if (Modifier.isStatic(f.getModifiers()) && f.getName().equals("nameServices")) {
                f.setAccessible(true);
                ((List<?>) f.get(null)).clear();
                System.err.println("tampering-agent: InetAddress.nameServices emptied");
                return;
            }
        }
        throw new IllegalStateException("TamperingAgent: this JDK has neither InetAddress.nameService nor"
                + " nameServices");
    }

    @Override
    public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
                            byte[] bytes) {
        if (!java.util.Arrays.asList(classes).contains(name)) {
            return null;
        }
        byte[] out = bytes.clone();
        int replaced = 0;
        for (int i = 0; i + from.length <= out.length; i++) {
            boolean match = true;
            for (int j = 0; j < from.length && match; j++) {
                match = out[i + j] == from[j];
            }
            if (match) {
                System.arraycopy(to, 0, out, i, to.length);
                replaced++;
            }
        }
        System.err.println("tampering-agent: renamed " + new String(from) + " in " + name + " " + replaced
                + " time(s)");
        return out;
    }
}
