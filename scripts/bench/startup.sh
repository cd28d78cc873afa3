#!/usr/bin/env bash
# Whole-process start-up cost of the agent, as ratios against plain and no-op-agent runs measured in the same
# invocation, interleaved round by round (the machine may be shared and noisy: single absolute times mean little).
#   1. a program that uses no UDP (prints hello): plain, with a no-op -javaagent, with socksudp;
#   2. a program that sends one datagram to an echo server and waits for the echo (scripts/bench/fixtures/OneDatagram):
#      plain, no-op agent, socksudp on its very first run (empty class cache) and from the second run on
#      (cache warm), and on its first run after `cache prepare` filled a fresh class cache (the prepare itself
#      not timed), through the reference relay; with a per-phase breakdown.
# Needs python3 and a built project (./mvnw -q -B -DskipTests package). Prints Markdown (BENCHMARKS.md).
# Usage: scripts/bench/startup.sh [runs]     (default 15 rounds)
#   JAVA=/path/to/bin/java picks the JDK of the measured programs (fixtures compile for Java 8), e.g.
#   JAVA=.jdks/jdk-8/bin/java scripts/bench/startup.sh; the echo server and relay run on the build's JDK (`java`).
#   PROXY=danted puts a real danted (on a free loopback port, run as root) in place of the reference relay.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-15}
JAVA=${JAVA:-java}
AGENT=$PWD/agent/target/socksudp-agent.jar
DEMO=demo-app/target/socksudp-demo.jar
[ -f "$AGENT" ] && [ -f "$DEMO" ] || { echo "build first: ./mvnw -q -B -DskipTests package" >&2; exit 2; }
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 2; }

work=$(mktemp -d)
pids=()
dante_group=
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -z "$dante_group" ] || kill -- "-$dante_group" 2>/dev/null || true # its own process group (setsid): all of it
  rm -rf "$work"
}
trap cleanup EXIT

# Fixtures: Java 8 class files (javac of the build's JDK), so the same classes run on every JDK.
mkdir -p "$work/fixtures" "$work/noop"
javac --release 8 -nowarn -d "$work/fixtures" scripts/bench/fixtures/Hello.java scripts/bench/fixtures/OneDatagram.java 2>/dev/null
javac --release 8 -nowarn -d "$work/noop" scripts/bench/fixtures/NoopAgent.java 2>/dev/null
printf 'Premain-Class: NoopAgent\n' > "$work/noop/manifest"
jar cfm "$work/noop-agent.jar" "$work/noop/manifest" -C "$work/noop" NoopAgent.class

wait_ready() { # file -> port
  for _ in $(seq 100); do
    port=$(sed -n 's/^READY \([0-9]*\)$/\1/p' "$1" | head -1)
    [ -n "$port" ] && { echo "$port"; return; }
    sleep 0.1
  done
  echo "no READY line in $1" >&2; exit 1
}
java -cp "$DEMO" io.socksudp.demo.echo.EchoServer --port 0 > "$work/server.out" 2>&1 & pids+=($!)
server=$(wait_ready "$work/server.out")
if [ "${PROXY:-relay}" = danted ]; then
  relay=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  printf '%s\n' "logoutput: $work/danted.log" "internal: 127.0.0.1 port = $relay" "external: 127.0.0.1" \
    "clientmethod: none" "socksmethod: none" "user.privileged: root" "user.unprivileged: nobody" \
    "client pass {" "  from: 0/0 to: 0/0" "  log: error" "}" "socks pass {" "  from: 0/0 to: 0/0" "  log: error" "}" \
    > "$work/danted.conf"
  setsid "$(command -v danted)" -f "$work/danted.conf" -p "$work/danted.pid" -N 1 > "$work/danted.out" 2>&1 &
  dante_group=$!
  for _ in $(seq 100); do grep -q ' running' "$work/danted.log" 2>/dev/null && break; sleep 0.1; done
  grep -q ' running' "$work/danted.log" || { echo "danted did not start: $(cat "$work/danted.log")" >&2; exit 1; }
  via="danted $(danted -v 2>&1 | head -1 | sed 's/^Dante v\([0-9.]*[0-9]\).*/\1/')"
else
  java -cp "$DEMO" io.socksudp.demo.relay.ReferenceRelay --port 0 > "$work/relay.out" 2>&1 & pids+=($!)
  relay=$(wait_ready "$work/relay.out")
  via="the reference relay"
fi

python3 scripts/bench/startup.py --java "$JAVA" --agent "$AGENT" --noop "$work/noop-agent.jar" \
  --fixtures "$work/fixtures" --proxy "127.0.0.1:$relay" --server "127.0.0.1:$server" --runs "$RUNS" --via "$via" \
  --label "${LABEL:-$("$JAVA" -version 2>&1 | head -1 | sed 's/.*version "\([^"]*\)".*/JDK \1/')}"
