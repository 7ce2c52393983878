#!/usr/bin/env bash
# Runs the whole service locally in the foreground (`make run`): broker, migrations, topics,
# then ingest, processors and sink as child processes, through the dev harness
# (`python -m harness run`, harness/run.py). Ctrl-C / SIGTERM stops the children and the
# broker it started; if any child dies, everything stops and it exits non-zero, so a
# broken service is never silently missing.
#
# Environment: DATABASE_URL (sqlite:///var/sqllint.db), KAFKA_BOOTSTRAP_SERVERS (when set,
# that broker is used and left alone; otherwise infra/kafka/kafka.sh runs one),
# INGEST_URL (from INGEST_HOST/INGEST_PORT, http://127.0.0.1:8080) for the readiness check,
# and any service setting (INGEST_PORT, PROCESSORS_LINT_WORKERS, ...). Logs: var/log/<service>.log.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
[[ -x "$PY" ]] || { echo "run_stack.sh: no .venv; run infra/bootstrap.sh first" >&2; exit 1; }
exec "$PY" -m harness run
