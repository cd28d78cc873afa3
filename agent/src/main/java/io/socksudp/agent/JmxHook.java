package io.socksudp.agent;

import io.socksudp.agent.config.StartupException;
import io.socksudp.agent.bootstrap.MBeanServerHook;

import java.lang.instrument.Instrumentation;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.function.Consumer;

/**
 * Puts the JMX hook ({@link MBeanServerHook}) in place the moment the JDK loads {@code MBeanServerFactory}: before
 * anybody can create an MBean server, and not at start. Defining a class in the boot loader opens
 * {@code jdk.internal.misc} to the agent, which runs the JVM's first lambdas and costs some 15 ms of every start;
 * most programs never create an MBean server, and those that do load the factory first.
 */
final class JmxHook {

    private static final String FACTORY = "javax/management/MBeanServerFactory";

    private final Instrumentation inst;
    // All three under this object's lock (not an AtomicBoolean: its VarHandle would be set up in every premain).
    private boolean tried;
    /** While an attach is being tried: the hook waits for its commit (a rolled-back attach must leave no hook). */
    private boolean deferred;
    private boolean triggered;

    JmxHook(Instrumentation inst) {
        this.inst = inst;
    }

    /** Whether loading this class is the moment: the JDK's own factory, in the boot loader. */
    boolean isTrigger(ClassLoader loader, String internalName) {
        return loader == null && FACTORY.equals(internalName);
    }

    /**
     * Defines the hook and names it, once; quietly goes without it when that fails (a runtime without
     * java.management, an Unsafe that refuses): {@code status} then asks the agent to register its MBean itself.
     */
    void install() {
        synchronized (this) {
            if (deferred) {
                triggered = true;
                return;
            }
            if (tried) {
                return;
            }
            tried = true;
        }
        // On whichever thread loads the factory, perhaps under a SecurityManager with the application's frames on
        // the stack: the agent's own permissions are the ones that count.
        AccessController.doPrivileged(new PrivilegedAction<Void>() {
            @Override
            public Void run() {
                try {
                    BootstrapInjector.inject(inst, "io.socksudp.agent.bootstrap.MBeanServerHook");
                    Naming.name();
                } catch (StartupException | RuntimeException | LinkageError e) {
                    // without the hook: see above
                }
                return null;
            }
        });
    }

    /** Holds the hook back until {@link #resume()}: for an attach, until it is committed. */
    synchronized void defer() {
        deferred = true;
    }

    /** Installs the hook if its moment came while it was held back. */
    void resume() {
        boolean due;
        synchronized (this) {
            deferred = false;
            due = triggered;
        }
        if (due) {
            install();
        }
    }

    /** Apart, so that nothing links the hook's type before it is defined in the boot loader. */
    private static final class Naming {
        static void name() {
            if (System.getProperty(MBeanServerHook.PROPERTY) == null) { // the application's own builder wins
                MBeanServerHook.install(new MBeanRegistration());
                System.setProperty(MBeanServerHook.PROPERTY, MBeanServerHook.class.getName());
            }
        }
    }

    /** Registers the agent's MBean in a new platform MBean server. */
    private static final class MBeanRegistration implements Consumer<javax.management.MBeanServer> {
        @Override
        public void accept(javax.management.MBeanServer server) {
            io.socksudp.agent.jmx.AgentMBeans.registerIn(server);
        }
    }
}
