#!/usr/bin/env bash
# Whole-process start-up cost of the agent, as ratios against plain runs measured in the same invocation
# (this machine is shared and noisy: single absolute times mean little). Needs hyperfine
# (apt-get install hyperfine) and a built project (./mvnw -q -B -DskipTests package).
#   1. a program that uses no UDP: java -version style "hello", with and without the agent;
#   2. a UDP echo client doing one round trip: direct, and through the agent and the reference relay.
# Usage: bench/startup.sh [runs]   (JAVA=/path/to/java to pick the JDK of the measured programs, e.g.
#        JAVA=.jdks/jdk-8/bin/java bench/startup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
JAVA=${JAVA:-java}
AGENT=agent/target/socksudp-agent.jar
DEMO=demo-app/target/socksudp-demo.jar
[ -f "$AGENT" ] && [ -f "$DEMO" ] || { echo "build first: ./mvnw -q -B -DskipTests package" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "needs hyperfine: apt-get install -y hyperfine" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

cat > "$work/Hello.java" <<'JAVA'
public class Hello { public static void main(String[] a) { System.out.println("hello"); } }
JAVA
"${JAVA%java}javac" -d "$work" "$work/Hello.java" 2>/dev/null || javac -d "$work" "$work/Hello.java"

wait_ready() { # file -> port
  for _ in $(seq 100); do
    port=$(sed -n 's/^READY \([0-9]*\)$/\1/p' "$1" | head -1)
    [ -n "$port" ] && { echo "$port"; return; }
    sleep 0.1
  done
  echo "no READY line in $1" >&2; exit 1
}
# The fixtures run on the build's JDK (the reference relay needs Java 17); only the measured programs on $JAVA.
java -cp "$DEMO" io.socksudp.demo.echo.EchoServer --port 0 > "$work/server.out" 2>&1 & pids+=($!)
java -cp "$DEMO" io.socksudp.demo.relay.ReferenceRelay --port 0 > "$work/relay.out" 2>&1 & pids+=($!)
server=$(wait_ready "$work/server.out")
relay=$(wait_ready "$work/relay.out")

hyperfine -N --warmup 3 --runs "$RUNS" \
  -n "hello, plain" "$JAVA -cp $work Hello" \
  -n "hello, agent" "$JAVA -javaagent:$AGENT -Dsocksudp.proxy=127.0.0.1:$relay -cp $work Hello" \
  -n "udp echo, plain" "$JAVA -cp $DEMO io.socksudp.demo.echo.EchoClient --server 127.0.0.1:$server --count 1" \
  -n "udp echo, agent+relay" "$JAVA -javaagent:$AGENT -Dsocksudp.proxy=127.0.0.1:$relay -Dsocksudp.nonProxyHosts= -cp $DEMO io.socksudp.demo.echo.EchoClient --server 127.0.0.1:$server --count 1" \
  --export-markdown "$work/result.md" >/dev/null
cat "$work/result.md"
