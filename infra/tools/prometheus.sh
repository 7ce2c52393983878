#!/usr/bin/env bash
# Prometheus for the tests: Debian's `prometheus` package, installed when the command is missing
# (as root; apt-get update first). Idempotent: prints the path of the `prometheus` command.
set -euo pipefail

if ! command -v prometheus >/dev/null; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "prometheus.sh: prometheus is missing; run as root or: sudo apt-get install prometheus" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    # The package's service is not wanted: the tests start their own, on private ports.
    apt-get install -y --no-install-recommends prometheus >&2
fi
command -v prometheus
