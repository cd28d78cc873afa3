package io.socksudp.it.app;

import java.nio.file.Paths;

/**
 * A tiny program for harness self-tests and for agent start-up checks: prints {@code hello <args>} (one line),
 * then, for {@code sleep}, prints {@code READY} and sleeps (forking a grandchild first for {@code fork});
 * for {@code jmx} creates the platform MBean server and prints {@code jmx socksudp-mbean=true|false}; for {@code exit N} exits with N; for {@code javahome} prints {@code java.home <dir>}; for {@code stderr TEXT} prints TEXT on stderr.
 */
public final class TestMain {
    public static void main(String[] args) throws Exception {
        System.out.println("hello " + String.join(" ", args));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "stderr":
                    System.err.println(args[++i]);
                    break;
                case "javahome":
                    System.out.println("java.home " + System.getProperty("java.home"));
                    break;
                case "jmx":
                    System.out.println("jmx socksudp-mbean=" + java.lang.management.ManagementFactory
                            .getPlatformMBeanServer().isRegistered(new javax.management.ObjectName("io.socksudp:type=Agent")));
                    break;
                case "exit":
                    System.out.flush();
                    System.exit(Integer.parseInt(args[++i]));
                    break;
                case "fork":
                    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
                    new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), TestMain.class.getName(), "sleep")
                            .inheritIO().start();
                    break;
                case "sleep":
                    System.out.println("READY");
                    System.out.flush();
                    Thread.sleep(600_000);
                    break;
                default:
                    break;
            }
        }
    }
}
