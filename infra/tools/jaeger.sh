#!/usr/bin/env bash
# Jaeger v2 all-in-one (OTLP in; query API and UI out) for the tracing test and for looking at traces
# by hand: built once with the installed Go into ${SQLLINT_TOOLS_DIR:-$HOME/.cache/sqllint/tools}/bin/jaeger.
# Idempotent: prints the binary's path. Run with no arguments it listens on 4317/4318 and 16686;
# tests/ops/test_tracing.py gives it a config (--config) with private ports on 127.0.0.1.
set -euo pipefail
source "$(dirname "$0")/lib/go_tool.sh"

go_tool jaeger github.com/jaegertracing/jaeger/cmd/jaeger v1.76.0
