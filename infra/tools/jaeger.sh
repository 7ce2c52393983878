#!/usr/bin/env bash
# The Jaeger v2 all-in-one binary (OTLP in, query API and UI out) for the tracing test and for
# looking at traces by hand. Idempotent: builds it once, with the installed Go, into
#   ${SQLLINT_TOOLS_DIR:-$HOME/.cache/sqllint/tools}/bin/jaeger
# and prints that path. `go install` refuses the module (its go.mod has replace directives),
# so it is built as a tool dependency of a throwaway module instead.
set -euo pipefail

VERSION="v1.76.0"
DIR="${SQLLINT_TOOLS_DIR:-$HOME/.cache/sqllint/tools}"
BIN="$DIR/bin/jaeger"

if [[ -x "$BIN" ]]; then
    echo "$BIN"
    exit 0
fi
command -v go >/dev/null || { echo "jaeger.sh: Go is needed to build Jaeger" >&2; exit 1; }
mkdir -p "$DIR/bin" "$DIR/jaeger-build"
cd "$DIR/jaeger-build"
[[ -f go.mod ]] || go mod init local/jaeger >&2
go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$VERSION" >&2
go build -o "$BIN.tmp" github.com/jaegertracing/jaeger/cmd/jaeger >&2
mv "$BIN.tmp" "$BIN"  # never a half-written binary at the path callers test for
echo "$BIN"
