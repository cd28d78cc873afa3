package io.socksudp.agent.cli;

import io.socksudp.agent.Strategies;
import io.socksudp.agent.intercept.ClassFiles;
import io.socksudp.agent.intercept.DatagramInstrumentation;
import io.socksudp.agent.intercept.JdkClassFiles;
import io.socksudp.agent.intercept.StrategyWatch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The classes an agent would instrument on the JDK this command runs on, with the bytes its transformer would be
 * handed for them: each {@link StrategyWatch} is resolved as the agent resolves it when its first class loads (in
 * the order of its {@link StrategyWatch#watchedClasses()}, from the JDK's own class files, which are what the JVM
 * defines and passes to a transformer), and each target class is checked again from its own bytes, as the agent
 * does before instrumenting it.
 */
final class CacheTargets {

    /** A JDK whose datagram classes are not what any strategy expects: the agent refuses to run there. */
    static final class Unsupported extends Exception {
        private static final long serialVersionUID = 1L;

        Unsupported(String message) {
            super(message);
        }
    }

    /** One strategy the agent would use here and its target classes' bytes, in the strategy's order. */
    static final class Target {
        final DatagramInstrumentation strategy;
        final Map<String, byte[]> classes = new LinkedHashMap<String, byte[]>();

        private Target(DatagramInstrumentation strategy) {
            this.strategy = strategy;
        }
    }

    private CacheTargets() {
    }

    /** The strategies that apply on this JDK (a strategy whose classes this JDK lacks is not among them). */
    static List<Target> ofThisJdk() throws IOException, Unsupported {
        return of(new JdkClassFiles.Source() {
            @Override
            public byte[] read(String className) throws IOException {
                return ClassFiles.readJdk(className);
            }
        });
    }

    /**
     * As {@link #ofThisJdk()}, with the watched and target classes' bytes from {@code jdk} (a test's changed class);
     * a strategy still reads its companions from this JDK's class files, as in the agent.
     */
    static List<Target> of(JdkClassFiles.Source jdk) throws IOException, Unsupported {
        List<Target> targets = new ArrayList<Target>();
        for (StrategyWatch watch : Strategies.watches()) {
            DatagramInstrumentation strategy = null;
            for (String name : watch.watchedClasses()) {
                byte[] bytes = jdk.read(name);
                if (bytes != null && (strategy = watch.resolve(null, name, bytes)) != null) {
                    break;
                }
            }
            if (strategy == null) {
                continue; // e.g. the legacy socket on JDK 18+, which has none
            }
            if (strategy.missingOnThisJdk() != null) {
                throw unsupported(strategy.missingOnThisJdk());
            }
            Target target = new Target(strategy);
            for (String className : strategy.targetClasses()) {
                byte[] bytes = jdk.read(className);
                if (bytes == null) {
                    throw unsupported(className + " does not exist");
                }
                String mismatch = StrategyWatch.layoutMismatch(strategy, className,
                        watch.resolve(null, className, bytes));
                if (mismatch != null) {
                    throw unsupported(mismatch);
                }
                target.classes.put(className, bytes);
            }
            targets.add(target);
        }
        if (targets.isEmpty()) {
            throw unsupported("no datagram class the agent knows");
        }
        return targets;
    }

    private static Unsupported unsupported(String why) {
        return new Unsupported("this JDK (" + System.getProperty("java.version") + ") is not supported (" + why
                + "): the agent refuses to run on it, so there is nothing to prepare");
    }
}
