import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * scripts/fetch-jdks' smoke test of a JDK: run as {@code java -javaagent:check.jar -cp check.jar JdkCheck JAVA_HOME}.
 * Java 8 source, compiled by each JDK's own javac.
 *
 * <ul>
 *   <li>the agent retransforms java.lang.String, java.net.DatagramSocket and sun.nio.ch.DatagramChannelImpl with
 *       REALLY modified bytes (one extra, unused constant pool entry), which the JVM must parse and accept;</li>
 *   <li>a datagram goes round loopback through a DatagramSocket and a DatagramChannel (libnet, libnio);</li>
 *   <li>{@code jcmd <own pid> VM.version} attaches to this JVM (process spawning: jspawnhelper; libattach).</li>
 * </ul>
 * Prints one line starting with "jdk-check ok" and exits 0, or says what failed and exits 1.
 */
public final class JdkCheck implements ClassFileTransformer {
    private static final String[] TARGETS = {"java/lang/String", "java/net/DatagramSocket", "sun/nio/ch/DatagramChannelImpl"};
    private static final Set<String> transformed = Collections.synchronizedSet(new TreeSet<String>());
    private static final List<Throwable> errors = Collections.synchronizedList(new ArrayList<Throwable>());
    private static volatile boolean agentRan;

    public static void premain(String args, Instrumentation inst) throws Exception {
        if (!inst.isRetransformClassesSupported()) {
            throw new IllegalStateException("retransformation is not supported");
        }
        inst.addTransformer(new JdkCheck(), true);
        inst.retransformClasses(String.class, DatagramSocket.class, Class.forName("sun.nio.ch.DatagramChannelImpl"));
        agentRan = true;
    }

    @Override
    public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain pd, byte[] bytes) {
        if (redefined == null || name == null) {
            return null;
        }
        for (String t : TARGETS) {
            if (t.equals(name)) {
                try {
                    byte[] out = withExtraConstant(bytes, "socksudp-jdk-check");
                    transformed.add(name);
                    return out;
                } catch (Throwable e) {
                    errors.add(e);
                    return null;
                }
            }
        }
        return null;
    }

    /** The class file with one more CONSTANT_Utf8 at the end of its constant pool. */
    static byte[] withExtraConstant(byte[] b, String text) throws IOException {
        int count = u2(b, 8);
        int p = 10;
        for (int i = 1; i < count; i++) {
            int tag = b[p] & 0xff;
            switch (tag) {
                case 1: p += 3 + u2(b, p + 1); break;                       // Utf8
                case 3: case 4: p += 5; break;                              // Integer, Float
                case 5: case 6: p += 9; i++; break;                         // Long, Double: two slots
                case 7: case 8: case 16: case 19: case 20: p += 3; break;   // Class, String, MethodType, Module, Package
                case 9: case 10: case 11: case 12: case 17: case 18: p += 5; break; // refs, NameAndType, (Invoke)Dynamic
                case 15: p += 4; break;                                     // MethodHandle
                default: throw new IOException("unknown constant pool tag " + tag + " at " + p);
            }
        }
        ByteArrayOutputStream bos = new ByteArrayOutputStream(b.length + text.length() + 8);
        DataOutputStream out = new DataOutputStream(bos);
        out.write(b, 0, 8);
        out.writeShort(count + 1);
        out.write(b, 10, p - 10);
        out.writeByte(1);
        out.writeUTF(text);
        out.write(b, p, b.length - p);
        out.flush();
        return bos.toByteArray();
    }

    private static int u2(byte[] b, int p) {
        return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }

    public static void main(String[] args) throws Exception {
        String javaHome = args[0];
        StringBuilder problems = new StringBuilder();
        if (!agentRan) {
            problems.append(" agent premain did not run;");
        }
        for (String t : TARGETS) {
            if (!transformed.contains(t)) {
                problems.append(" ").append(t).append(" was not retransformed;");
            }
        }
        for (Throwable e : errors) {
            problems.append(" transformer failed: ").append(e).append(";");
        }
        // The retransformed String must still work.
        if (!"check-42".equals("check-" + String.valueOf(42).trim())) {
            problems.append(" String broken after retransformation;");
        }

        InetAddress lo = InetAddress.getByName("127.0.0.1");
        DatagramSocket socket = new DatagramSocket(0, lo);
        try {
            socket.setSoTimeout(5000);
            byte[] msg = "ping".getBytes("US-ASCII");
            socket.send(new DatagramPacket(msg, msg.length, lo, socket.getLocalPort()));
            DatagramPacket in = new DatagramPacket(new byte[16], 16);
            socket.receive(in);
            if (!"ping".equals(new String(in.getData(), 0, in.getLength(), "US-ASCII"))) {
                problems.append(" DatagramSocket loopback returned the wrong payload;");
            }
        } finally {
            socket.close();
        }
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.bind(new InetSocketAddress(lo, 0));
            ch.send(ByteBuffer.wrap("pong".getBytes("US-ASCII")), ch.getLocalAddress());
            ByteBuffer buf = ByteBuffer.allocate(16);
            ch.receive(buf);
            if (buf.position() != 4) {
                problems.append(" DatagramChannel loopback returned ").append(buf.position()).append(" bytes;");
            }
        } finally {
            ch.close();
        }

        String pid = ManagementFactory.getRuntimeMXBean().getName().split("@")[0];
        ProcessBuilder pb = new ProcessBuilder(javaHome + "/bin/jcmd", pid, "VM.version");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        StringBuilder jcmdOut = new StringBuilder();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), "UTF-8"));
        for (String line; (line = r.readLine()) != null; ) {
            jcmdOut.append(line).append('\n');
        }
        int rc = p.waitFor();
        String vm = System.getProperty("java.vm.version");
        if (rc != 0 || !jcmdOut.toString().contains(System.getProperty("java.vm.name"))) {
            problems.append(" jcmd ").append(pid).append(" VM.version exited ").append(rc).append(": ").append(jcmdOut.toString().trim()).append(";");
        }

        if (problems.length() > 0) {
            System.out.println("jdk-check FAILED:" + problems);
            System.exit(1);
        }
        System.out.println("jdk-check ok: java " + System.getProperty("java.version") + " (" + vm + "), retransformed "
                + transformed + " with modified bytes, UDP loopback via DatagramSocket and DatagramChannel, jcmd VM.version");
    }
}
