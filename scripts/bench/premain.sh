#!/usr/bin/env bash
# What premain costs the main thread, in CPU time (Linux): scripts/bench/fixtures/Hello (no UDP) run with
# -javaagent:start.jar -javaagent:X -javaagent:end.jar, where X is an empty agent (NoopAgent), the same empty agent
# inside a copy of the socksudp jar (what opening a 5 MB jar of ~3,500 entries costs: the JDK hashes every entry's
# name in the interpreter), and socksudp itself;
# interleaved round by round (shuffled), medians. See scripts/bench/fixtures/PremainClock.java for why this clock.
# Usage: scripts/bench/premain.sh [rounds]      (default 15; JAVA=/path/to/bin/java, AGENT=/path/to/socksudp-agent.jar;
#        BASELINE=/path/to/another/socksudp-agent.jar adds that build, e.g. main's, to the same interleaved rounds)
RUNS=${1:-15}
. "$(dirname "$0")/common.sh"
# NoopAgent is compiled apart from the class path ($work): on it, the application loader would find the class there
# and never open the jar it is put in, so "the no-op agent in a copy of the socksudp jar" would measure no jar at all.
javac --release 8 -nowarn -d "$work" scripts/bench/fixtures/Hello.java scripts/bench/fixtures/PremainClock.java 2>/dev/null
javac --release 8 -nowarn -d "$work/noop" scripts/bench/fixtures/NoopAgent.java 2>/dev/null
(cd "$work" && printf 'Premain-Class: PremainClock$Start\n' > m1 && printf 'Premain-Class: PremainClock$End\n' > m2 \
  && printf 'Premain-Class: NoopAgent\n' > m3 \
  && jar cfm start.jar m1 'PremainClock.class' 'PremainClock$Start.class' \
  && jar cfm end.jar m2 'PremainClock.class' 'PremainClock$End.class' && jar cfm noop.jar m3 -C noop NoopAgent.class \
  && cp "$AGENT" big.jar && jar ufm big.jar m3 -C noop NoopAgent.class 2>/dev/null)
if [ -n "${BASELINE:-}" ]; then cp "$BASELINE" "$work/baseline.jar"; fi # a copy: the build may be rebuilt meanwhile
python3 - "$JAVA" "$work" "$AGENT" "$RUNS" "${BASELINE:+$work/baseline.jar}" <<'PY'
import random, statistics, subprocess, sys
java, work, agent, runs, baseline = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
variants = [("no-op agent", ["-javaagent:" + work + "/noop.jar"]),
            ("no-op agent in a copy of the socksudp jar", ["-javaagent:" + work + "/big.jar"]),
            ("socksudp", ["-javaagent:" + agent, "-Dsocksudp.proxy=127.0.0.1:1080"])]
if baseline:
    variants.append(("socksudp, BASELINE build", ["-javaagent:" + baseline, "-Dsocksudp.proxy=127.0.0.1:1080"]))
got = {n: [] for n, _ in variants}
for r in range(runs + 2):
    order = list(variants)
    random.shuffle(order)
    for name, args in order:
        out = subprocess.run([java, "-javaagent:" + work + "/start.jar"] + args + ["-javaagent:" + work + "/end.jar",
                              "-cp", work, "Hello"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr
        ns = [int(l.split()[1]) for l in out.splitlines() if l.startswith("PREMAIN_CPU_NS ")]
        if r >= 2 and ns:
            got[name].append(ns[0] / 1e6)
version = subprocess.run([java, "-version"], stderr=subprocess.PIPE, text=True).stderr.splitlines()[0]
print("### Premain on the main thread's CPU clock (%s, %d rounds)" % (version, runs))
print()
print("| agent between the clocks | median (ms) | quartiles (ms) | vs no-op agent (ms) |")
print("|---|---:|---:|---:|")
base = statistics.median(got[variants[0][0]])
for name, _ in variants:
    q = statistics.quantiles(got[name], n=4)
    m = statistics.median(got[name])
    print("| %s | %.1f | %.1f-%.1f | %+.1f |" % (name, m, q[0], q[2], m - base))
PY
