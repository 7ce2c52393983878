#!/usr/bin/env bash
# Prometheus and promtool for the tests: Debian's `prometheus` package (it ships both), installed
# when a command is missing (as root; apt-get update first). Idempotent: prints the path of
# `prometheus`, or of the command named as the argument (`prometheus.sh promtool`).
set -euo pipefail

wanted=${1:-prometheus}
if [[ $wanted != prometheus && $wanted != promtool ]]; then
    echo "usage: prometheus.sh [prometheus|promtool]" >&2
    exit 2
fi

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "prometheus.sh: $wanted is missing; run as root or: sudo apt-get install prometheus" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    # The package's service is not wanted: the tests start their own, on private ports.
    apt-get install -y --no-install-recommends prometheus >&2
fi
command -v "$wanted"
