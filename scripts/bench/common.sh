# Sourced by scripts/bench/premain.sh and scripts/bench/perclass.sh (after they set RUNS): the repository root as working
# directory, JAVA, AGENT (built first), Linux's per-thread CPU clock, and a work directory removed on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA=${JAVA:-java}
AGENT=${AGENT:-$PWD/agent/target/socksudp-agent.jar}
[ -f "$AGENT" ] || { echo "build first: ./mvnw -q -B -DskipTests package" >&2; exit 2; }
[ -r /proc/thread-self/schedstat ] || { echo "needs Linux's /proc/thread-self/schedstat" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
