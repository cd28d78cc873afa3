#!/usr/bin/env bash
# Scale: N concurrent socksified DatagramSockets, each with its own association (default 10,000), against a
# purpose-built SOCKS5 peer (scripts/bench/fixtures/ScalePeer: one thread, one UDP socket for all associations, echoes
# each datagram back as if from its destination), and the same program plain against a UDP echo server. Each
# socket sends one datagram and waits for its echo; all are held open, then closed; twice. Prints, plain vs agent:
# heap per socket (after GC), direct buffer memory per socket (native), fds per socket, the agent's threads,
# association set-up rate, and heap and fds after all are closed (flat = no leak). Needs a built project; raises the fd limit (2 fds per association + the JVM's).
# Usage: scripts/bench/scale.sh [N]     (JAVA=/path/to/bin/java for the measured program, AGENT=/path/to/agent.jar)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10000}
JAVA=${JAVA:-java}
AGENT=${AGENT:-$PWD/agent/target/socksudp-agent.jar}
DEMO=demo-app/target/socksudp-demo.jar
[ -f "$AGENT" ] && [ -f "$DEMO" ] || { echo "build first: ./mvnw -q -B -DskipTests package" >&2; exit 2; }
ulimit -n $((3 * N + 1000)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $((2 * N + 60)) ] || { echo "the fd limit $(ulimit -n) (hard $(ulimit -Hn)) is too low for $N associations (2 fds each): try a smaller N" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
javac --release 8 -nowarn -d "$work" scripts/bench/fixtures/ScalePeer.java scripts/bench/fixtures/ManySockets.java 2>/dev/null

wait_ready() { # file -> port
  for _ in $(seq 300); do
    port=$(sed -n 's/^READY \([0-9]*\)$/\1/p' "$1" | head -1)
    [ -n "$port" ] && { echo "$port"; return; }
    sleep 0.1
  done
  echo "no READY line in $1" >&2; exit 1
}
java -cp "$DEMO" io.socksudp.demo.echo.EchoServer --port 0 > "$work/server.out" 2>&1 & pids+=($!)
java -Xss256k -cp "$work" ScalePeer > "$work/peer.out" 2>&1 & pids+=($!)
server=$(wait_ready "$work/server.out")
peer=$(wait_ready "$work/peer.out")

"$JAVA" -cp "$work" ManySockets "127.0.0.1:$server" "$N" > "$work/plain.out"
"$JAVA" -javaagent:"$AGENT" -Dsocksudp.proxy="127.0.0.1:$peer" -Dsocksudp.nonProxyHosts= \
  -Dsocksudp.cache="$work/cache" -cp "$work" ManySockets "127.0.0.1:$server" "$N" > "$work/agent.out"

python3 - "$N" "$work/plain.out" "$work/agent.out" "$("$JAVA" -version 2>&1 | head -1)" <<'PY'
import re, sys, time
n = int(sys.argv[1])
def stages(path):
    out = {}
    for line in open(path):
        m = re.match(r"STAGE (.*?) heap (\d+) fds (\d+) agentThreads (\d+) threads (\d+) direct (\d+)(?: setupMillis (\d+) rate (\d+))?", line)
        if m:
            out[m.group(1)] = [int(x) if x else None for x in m.groups()[1:]]
    return out
p, a = stages(sys.argv[2]), stages(sys.argv[3])
print("### Scale: %d concurrent sockets, each with its association (%s, %s)" % (n, sys.argv[4], time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())))
print()
print("| | plain | socksudp | agent's own |")
print("|---|---:|---:|---:|")
for r in (1, 2):
    o, c = "round %d: %d open" % (r, n), "round %d: all closed" % r
    hp = (p[o][0] - p["baseline"][0]) / n; ha = (a[o][0] - a["baseline"][0]) / n
    print("| round %d: heap per open socket (bytes, after GC) | %.0f | %.0f | %.0f |" % (r, hp, ha, ha - hp))
    dp = (p[o][4] - p["baseline"][4]) / n; da = (a[o][4] - a["baseline"][4]) / n
    print("| round %d: direct buffer memory per open socket (bytes, native) | %.0f | %.0f | %.0f |" % (r, dp, da, da - dp))
    fp = (p[o][1] - p["baseline"][1]) / n; fa = (a[o][1] - a["baseline"][1]) / n
    print("| round %d: fds per open socket | %.2f | %.2f | %.2f |" % (r, fp, fa, fa - fp))
    print("| round %d: set-up rate (socket + first round trip, per s) | %d | %d | |" % (r, p[o][6], a[o][6]))
    print("| round %d: agent threads while open | %d | %d | |" % (r, p[o][2], a[o][2]))
    print("| round %d: heap after all closed, vs baseline (KiB) | %+.0f | %+.0f | |" % (r, (p[c][0] - p["baseline"][0]) / 1024, (a[c][0] - a["baseline"][0]) / 1024))
    print("| round %d: fds after all closed, vs baseline | %+d | %+d | |" % (r, p[c][1] - p["baseline"][1], a[c][1] - a["baseline"][1]))
print()
PY
