package io.socksudp.it.probe;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

/**
 * A test agent that stands for a JDK whose datagram internals are not what socksudp expects, or for a JVM where
 * the datagram class is loaded before socksudp's premain. Listed before socksudp's -javaagent:
 * <ul>
 *   <li>{@code rename}: renames {@code sun.nio.ch.DatagramChannelImpl}'s {@code sourceSocketAddress} to
 *   {@code sourceSocketAddresz} as the class loads (one UTF-8 constant, same length: the class stays valid and
 *   works, it just is not the class socksudp was written for);</li>
 *   <li>{@code load}: loads {@code sun.nio.ch.DatagramChannelImpl} in its own premain.</li>
 * </ul>
 */
public final class TamperingAgent implements ClassFileTransformer {

    private static final byte[] FROM = "sourceSocketAddress".getBytes();
    private static final byte[] TO = "sourceSocketAddresz".getBytes();

    public static void premain(String args, Instrumentation inst) throws Exception {
        if ("rename".equals(args)) {
            inst.addTransformer(new TamperingAgent());
        } else if ("load".equals(args)) {
            Class.forName("sun.nio.ch.DatagramChannelImpl");
        } else {
            throw new IllegalArgumentException("TamperingAgent: rename or load, not " + args);
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
                            byte[] bytes) {
        if (!"sun/nio/ch/DatagramChannelImpl".equals(name)) {
            return null;
        }
        byte[] out = bytes.clone();
        int replaced = 0;
        for (int i = 0; i + FROM.length <= out.length; i++) {
            boolean match = true;
            for (int j = 0; j < FROM.length && match; j++) {
                match = out[i + j] == FROM[j];
            }
            if (match) {
                System.arraycopy(TO, 0, out, i, TO.length);
                replaced++;
            }
        }
        System.err.println("tampering-agent: renamed sourceSocketAddress " + replaced + " time(s)");
        return out;
    }
}
