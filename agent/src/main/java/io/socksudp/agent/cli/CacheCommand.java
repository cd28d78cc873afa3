package io.socksudp.agent.cli;

import io.socksudp.agent.AgentJar;
import io.socksudp.agent.config.ConfigException;
import io.socksudp.agent.config.ConfigLoader;
import io.socksudp.agent.intercept.AdviceWeaver;
import io.socksudp.agent.intercept.ClassFiles;
import io.socksudp.agent.intercept.WovenClassCache;

import java.io.IOException;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cache [prepare | list | clean [--all]] [--cache DIR]}: the agent's per-user class cache, in the directory
 * the agent would use (from {@code --cache}, else {@code socksudp.cache} or {@code SOCKSUDP_CACHE}, else the
 * default). {@code prepare} instruments the JDK's datagram classes ahead of a program's first start, so that it
 * never loads Byte Buddy; {@code list} shows what the cache holds and what of it this JDK would use; {@code clean}
 * deletes what no agent of this build will read. The cache's format and safety rules stay in
 * {@link WovenClassCache}: this class only drives it.
 */
final class CacheCommand {

    private final PrintStream out;
    private final PrintStream err;
    private final WovenClassCache cache;
    private final String setting;
    /** This JDK's class bytes, by class name (null: none), read once. */
    private final Map<String, byte[]> jdkClasses = new HashMap<String, byte[]>();

    private CacheCommand(PrintStream out, PrintStream err, WovenClassCache cache, String setting) {
        this.out = out;
        this.err = err;
        this.cache = cache;
        this.setting = setting;
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws UsageException {
        String action = "list";
        String option = null;
        boolean all = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--cache")) {
                if (++i == args.length) {
                    throw new UsageException("--cache needs a directory, e.g. --cache /var/cache/myapp/socksudp.");
                }
                option = args[i];
            } else if (a.equals("--all")) {
                all = true;
            } else if (i == 0 && (a.equals("prepare") || a.equals("list") || a.equals("clean"))) {
                action = a;
            } else {
                throw new UsageException("cache takes prepare, list or clean, then --cache DIR (and for clean --all),"
                        + " not '" + a + "' (java -jar socksudp-agent.jar help).");
            }
        }
        if (all && !action.equals("clean")) {
            throw new UsageException("--all goes with cache clean only.");
        }
        String directory;
        try {
            directory = ConfigLoader.cacheDirectory(option, System.getProperties(), System.getenv());
        } catch (ConfigException e) {
            err.println("socksudp cache: " + e.getMessage());
            return option != null ? 2 : 1;
        }
        String setting = ConfigLoader.cacheSetting(option, System.getProperties(), System.getenv());
        if (directory == null) {
            err.println("socksudp cache: the class cache is off (" + (setting != null ? setting + " is off"
                    : "there is no home directory to put it in") + "), so the agent neither reads nor writes one;"
                    + " give --cache DIR, or set socksudp.cache (or SOCKSUDP_CACHE) to an absolute directory.");
            return 1;
        }
        String buildId;
        try {
            buildId = AgentJar.buildId();
        } catch (IOException e) {
            buildId = null;
        }
        if (buildId == null) {
            err.println("socksudp cache: this agent has no build id (not run from a built socksudp-agent.jar), and an"
                    + " agent without one uses no class cache; run java -jar socksudp-agent.jar cache.");
            return 1;
        }
        CacheCommand command = new CacheCommand(out, err, new WovenClassCache(directory, buildId),
                setting != null ? setting : "the default");
        if (action.equals("prepare")) {
            return command.prepare();
        }
        return action.equals("clean") ? command.clean(all) : command.list();
    }

    private int prepare() {
        out.println("Preparing the class cache for the Java runtime this command runs on: " + jdk() + ".");
        out.println("Its entries serve only JVMs whose datagram classes are byte for byte this runtime's: run it with"
                + " the same java as the programs that use the agent, as the user they run as.");
        out.println("class cache: " + cache.directory() + " (" + setting + ")");
        out.println("agent build: " + cache.buildId());
        if (!cache.isUsable()) {
            err.println("socksudp cache: the agent would not use " + cache.directory() + ": " + cache.problem()
                    + (cache.problem().contains(";") ? "." : "; give --cache DIR with a directory of your own."));
            return 1;
        }
        List<CacheTargets.Target> targets;
        try {
            targets = CacheTargets.ofThisJdk();
        } catch (CacheTargets.Unsupported e) {
            err.println("socksudp cache: " + e.getMessage() + ".");
            return 1;
        } catch (IOException | RuntimeException e) {
            err.println("socksudp cache: cannot read this JDK's datagram classes (" + e + ").");
            return 1;
        }
        int written = 0;
        int there = 0;
        for (CacheTargets.Target target : targets) {
            String variant = target.strategy.name();
            AdviceWeaver weaver = null;
            for (Map.Entry<String, byte[]> c : target.classes.entrySet()) {
                String className = c.getKey();
                byte[] original = c.getValue();
                if (cache.get(className, variant, original) != null) {
                    out.println("  " + className + " (" + variant + "): already there and valid");
                    there++;
                    continue;
                }
                if (weaver == null) {
                    weaver = new AdviceWeaver(target.strategy);
                }
                long start = System.nanoTime();
                byte[] woven;
                try {
                    woven = weaver.weave(null, className, original);
                } catch (RuntimeException e) {
                    err.println("socksudp cache: could not instrument " + className + " (" + e + "); the agent could"
                            + " not either, and would refuse to run on this JDK.");
                    return 1;
                }
                cache.put(className, variant, original, woven);
                if (cache.get(className, variant, original) == null) {
                    err.println("socksudp cache: " + (cache.problem() != null ? cache.problem()
                            : "the entry for " + className + " written to " + cache.directory() + " does not read back")
                            + ".");
                    return 1;
                }
                out.println("  " + className + " (" + variant + "): instrumented and written ("
                        + (System.nanoTime() - start) / 1000000 + " ms)");
                written++;
            }
        }
        out.println("Prepared: " + written + " written, " + there + " already there. A program started with this"
                + " agent and this java takes its datagram classes from the cache, without loading Byte Buddy.");
        return 0;
    }

    private int list() {
        out.println("class cache: " + cache.directory() + " (" + setting + ")");
        String problem = cache.inspect();
        out.println("used by the agent: " + (problem != null ? "no: " + problem : cache.exists() ? "yes"
                : "yes, once created (it does not exist yet; an agent creates it owner-only when it first"
                + " instruments a class, or cache prepare does)"));
        out.println("agent build: " + cache.buildId());
        out.println("this JDK: " + jdk());
        try {
            List<WovenClassCache.Entry> entries = cache.list();
            out.println(entries.size() + (entries.size() == 1 ? " entry" : " entries")
                    + (entries.isEmpty() ? "" : " (class, strategy variant, agent build, size, for this JDK):"));
            for (WovenClassCache.Entry e : entries) {
                out.println("  " + describe(e));
            }
            List<String> strays = cache.strays();
            if (!strays.isEmpty()) {
                out.println("not entries (never read; clean leaves them, but temporary files older than a minute):");
                for (String stray : strays) {
                    out.println("  " + stray);
                }
            }
            return 0;
        } catch (IOException e) {
            err.println("socksudp cache: cannot list " + cache.directory() + " (" + e + ").");
            return 1;
        }
    }

    private String describe(WovenClassCache.Entry e) throws IOException {
        if (e.corrupt() != null) {
            return e.fileName() + "  " + e.size() + " bytes  corrupt: " + e.corrupt();
        }
        boolean ours = cache.buildId().equals(e.buildId());
        byte[] jdk = jdkClass(e.className());
        return e.className() + "  " + e.variant() + "  build " + e.buildId() + (ours ? " (this build)" : "")
                + "  " + e.size() + " bytes  " + (jdk != null && e.hasOriginal(jdk)
                ? (ours ? "valid for this JDK" : "this JDK's class, another build's entry (unused)")
                : "another JDK's class (unused here)");
    }

    private int clean(boolean all) {
        out.println("class cache: " + cache.directory() + " (" + setting + ")");
        try {
            List<String> deleted = cache.clean(all, System.currentTimeMillis());
            for (String name : deleted) {
                out.println("  deleted " + name);
            }
            out.println("Deleted " + deleted.size() + (deleted.size() == 1 ? " file" : " files")
                    + (all ? " (every entry)" : " (entries of other agent builds, corrupt entries, temporary files"
                    + " older than a minute)") + "; " + cache.list().size() + " left.");
            return 0;
        } catch (IOException e) {
            err.println("socksudp cache: cannot clean " + cache.directory() + ": " + e.getMessage() + ".");
            return 1;
        }
    }

    private byte[] jdkClass(String className) throws IOException {
        if (!jdkClasses.containsKey(className)) {
            jdkClasses.put(className, ClassFiles.readJdk(className));
        }
        return jdkClasses.get(className);
    }

    private static String jdk() {
        return System.getProperty("java.home") + " (Java " + System.getProperty("java.version") + ", "
                + System.getProperty("java.vendor") + ")";
    }
}
