#!/usr/bin/env bash
# What a registered ClassFileTransformer costs per class loaded, socksudp's against an empty one: scripts/bench/fixtures/
# LoadMany loads every class of a copy of the socksudp jar (some 3,400, in a loader of its own: application classes)
# and then the JDK classes of the JDK's default CDS class list that Hello does not load (JDK classes from the CDS
# archive, which a transformer makes the JVM read from the module image too), on the main thread's CPU clock; with a
# no-op agent (no transformer), an empty transformer, an empty retransformation-capable one, and socksudp (a
# program that never uses UDP: its transformers only compare names). Interleaved (shuffled) rounds, medians.
# Usage: scripts/bench/perclass.sh [rounds]     (default 8; JAVA=/path/to/bin/java, AGENT=/path/to/socksudp-agent.jar)
RUNS=${1:-8}
. "$(dirname "$0")/common.sh"
javac --release 8 -nowarn -d "$work" scripts/bench/fixtures/LoadMany.java scripts/bench/fixtures/Hello.java 2>/dev/null
# The agents are compiled apart from the class path ($work), so that each is loaded from its jar (as premain.sh).
javac --release 8 -nowarn -d "$work/agents" scripts/bench/fixtures/NoopAgent.java scripts/bench/fixtures/EmptyTransformerAgent.java \
  2>/dev/null
(cd "$work" && printf 'Premain-Class: NoopAgent\n' > m1 && jar cfm noop.jar m1 -C agents NoopAgent.class \
  && printf 'Premain-Class: EmptyTransformerAgent\nCan-Retransform-Classes: true\n' > m2 \
  && jar cfm empty.jar m2 -C agents .)
cp "$AGENT" "$work/classes.jar" # loaded by LoadMany as plain classes (a copy: not the agent's own jar)
home=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')
list=$home/lib/classlist; [ -f "$list" ] || list=$home/lib/../jre/lib/classlist; [ -f "$list" ] || list=$home/jre/lib/classlist
grep -v '^[@#]' "$list" | awk '{print $1}' | tr / . | sort -u > "$work/all.txt"
"$JAVA" -verbose:class -cp "$work" Hello | sed -n 's/^\[Loaded \([^ ]*\) .*/\1/p; s/^.*\[class,load\] \([^ ]*\) .*/\1/p' \
  | sort -u > "$work/hello.txt"
comm -23 "$work/all.txt" "$work/hello.txt" > "$work/jdk.txt"
python3 - "$JAVA" "$work" "$AGENT" "$RUNS" <<'PY'
import random, statistics, subprocess, sys
java, work, agent, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
variants = [("no-op agent (no transformer)", ["-javaagent:" + work + "/noop.jar"]),
            ("an empty transformer", ["-javaagent:" + work + "/empty.jar"]),
            ("an empty retransformation-capable transformer", ["-javaagent:" + work + "/empty.jar=retransform"]),
            ("socksudp", ["-javaagent:" + agent, "-Dsocksudp.proxy=127.0.0.1:1080"])]
got = {n: ([], []) for n, _ in variants}
for r in range(runs + 1):
    order = list(variants)
    random.shuffle(order)
    for name, args in order:
        out = subprocess.run([java] + args + ["-cp", work, "LoadMany", work + "/classes.jar", work + "/jdk.txt"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True).stdout.split()
        jar_n, jdk_n = int(out[1]), int(out[4])
        if r >= 1:  # the first round warms the page cache
            got[name][0].append(int(out[2]) / 1e3 / jar_n)
            got[name][1].append(int(out[5]) / 1e3 / max(jdk_n, 1))
version = subprocess.run([java, "-version"], stderr=subprocess.PIPE, text=True).stderr.splitlines()[0]
print("### Per class loaded, main thread's CPU (%s, %d rounds; %d jar classes, %d JDK classes from the CDS list)"
      % (version, runs, jar_n, jdk_n))
print()
print("| agent | jar class (us) | vs no transformer | JDK class (us) | vs no transformer |")
print("|---|---:|---:|---:|---:|")
b0, b1 = statistics.median(got[variants[0][0]][0]), statistics.median(got[variants[0][0]][1])
for name, _ in variants:
    m0, m1 = statistics.median(got[name][0]), statistics.median(got[name][1])
    print("| %s | %.1f | %+.1f | %.1f | %+.1f |" % (name, m0, m0 - b0, m1, m1 - b1))
PY
