#!/usr/bin/env bash
# Run fault scenarios by name against the 3-node cluster and MariaDB, and print their figures
# (the tables of docs/reliability.md). Starts what is missing: .venv, the cluster, MariaDB.
#
#   infra/faults.sh kill-worker | kill-leader | db-outage | pause-worker | replay-sink |
#                   kafka-blackout | hostile | all   [more names...]
#
# Env: KAFKA_CLUSTER_PORT (29092), TEST_DATABASE_URL (a MySQL server URL to use instead of
# infra/mariadb.sh's). Exit status 1 when any scenario lost, duplicated or corrupted anything.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[[ $# -gt 0 ]] || { sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
infra/bootstrap.sh
exec .venv/bin/python -m faults "$@"
