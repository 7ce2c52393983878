#!/usr/bin/env bash
# actionlint 1.7.12, the linter tests/infra/test_workflows.py runs over .github/workflows/*.yml:
# built once with the installed Go into ${SQLLINT_TOOLS_DIR:-$HOME/.cache/sqllint/tools}/bin/actionlint
# (the PyPI wrapper downloads a prebuilt binary at install time, which these machines cannot).
# Idempotent: prints the binary's path and builds only when it is missing. When shellcheck is on
# the PATH, actionlint also checks the workflows' `run:` scripts with it; as root on Debian this
# script installs it (one small package), otherwise it goes on without it.
set -euo pipefail
source "$(dirname "$0")/lib/go_tool.sh"

if ! command -v shellcheck >/dev/null && [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "actionlint.sh: installing shellcheck" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -q shellcheck || { apt-get update -q && apt-get install -y -q shellcheck; }; } >&2 \
        || echo "actionlint.sh: shellcheck could not be installed; run: scripts go unchecked" >&2
fi

go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint v1.7.12
