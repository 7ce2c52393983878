#!/usr/bin/env bash
# Runs the whole service locally in the foreground: broker, migrations, topics,
# then ingest, processors and sink as child processes. Ctrl-C / SIGTERM stops the
# children and the broker this script started; if any child dies, everything stops
# and the script exits non-zero, so a broken service is never silently missing.
#
# Environment: DATABASE_URL (sqlite:///var/sqllint.db), KAFKA_BOOTSTRAP_SERVERS (when set,
# that broker is used and left alone; otherwise infra/kafka/kafka.sh runs one),
# INGEST_URL (http://127.0.0.1:8080) for the readiness check. Logs: var/log/<service>.log.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
[[ -x "$PY" ]] || { echo "run_stack.sh: no .venv; run infra/bootstrap.sh first" >&2; exit 1; }
SERVICES=(ingest processors sink)
INGEST_URL="${INGEST_URL:-http://127.0.0.1:8080}"
export DATABASE_URL="${DATABASE_URL:-sqlite:///var/sqllint.db}"
mkdir -p var/log

OWN_BROKER=0
if [[ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]]; then
    infra/kafka/kafka.sh start
    export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:${KAFKA_PORT:-9092}"
    OWN_BROKER=1
fi

declare -A PIDS=()
stopping=0
shutdown() {
    local code="${1:-0}" name pid waited=0
    [[ "$stopping" -eq 1 ]] && return
    stopping=1
    trap - INT TERM
    echo "run_stack.sh: stopping ${!PIDS[*]}"
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for name in "${!PIDS[@]}"; do
        pid="${PIDS[$name]}"
        while kill -0 "$pid" 2>/dev/null && [[ "$waited" -lt 40 ]]; do sleep 0.5; waited=$((waited + 1)); done
        kill -KILL "$pid" 2>/dev/null || true
    done
    [[ "$OWN_BROKER" -eq 1 ]] && infra/kafka/kafka.sh stop
    exit "$code"
}
trap 'shutdown 0' INT TERM

echo "run_stack.sh: migrating $DATABASE_URL"
"$PY" -m sink.migrate upgrade
"$PY" -c '
from runtime.kafka_admin import ensure_service_topics
from runtime.settings import ServiceSettings
created = ensure_service_topics(ServiceSettings())
print("run_stack.sh: topics created:", ", ".join(created) or "none (all exist)")
'

for name in "${SERVICES[@]}"; do
    # Each line goes to the console prefixed with the service name and to var/log/<name>.log.
    "$PY" -m "$name" > >(sed -u "s/^/[$name] /" | tee -a "var/log/$name.log") 2>&1 &
    PIDS[$name]=$!
    echo "run_stack.sh: started $name (pid ${PIDS[$name]})"
done

check_children() {
    local name
    for name in "${!PIDS[@]}"; do
        if ! kill -0 "${PIDS[$name]}" 2>/dev/null; then
            echo "run_stack.sh: ERROR $name exited; see var/log/$name.log" >&2
            shutdown 1
        fi
    done
}

ready=0
for _ in $(seq 1 120); do
    check_children
    if "$PY" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
        "$INGEST_URL/health/live" 2>/dev/null; then
        echo "run_stack.sh: ready: $INGEST_URL (Ctrl-C to stop)"
        ready=1
        break
    fi
    sleep 0.5 & wait $!
done
[[ "$ready" -eq 1 ]] || { echo "run_stack.sh: ERROR $INGEST_URL/health/live never answered" >&2; shutdown 1; }

while true; do
    check_children
    sleep 1 & wait $!
done
