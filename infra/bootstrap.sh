#!/usr/bin/env bash
# Prepares a checkout to build and test: Python >= 3.11 with a .venv holding the
# project and its test extras, and a JDK + Maven to resolve and run the Kafka broker.
# Every dependency comes from a hash-pinned lock (`make lock` writes them): the runtime and
# test pins of requirements-dev.lock and the build backends of infra/docker/build.lock, with
# --require-hashes, so a file the index serves differently from when it was locked is refused;
# then the project itself, editable, adding nothing (--no-deps, built with the locked setuptools).
# Cheap when nothing changed: pip runs only when pyproject.toml, a lock or the set of top-level
# packages differs from the last successful install (stamp file in .venv); an editable
# install maps only the top-level packages that existed when it ran.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
STAMP="$VENV/.sqllint-install-stamp"

die() { echo "bootstrap.sh: $*" >&2; exit 1; }

PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null || die "python3 is missing (need >= 3.11)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "python3 >= 3.11 is required, found $("$PYTHON" --version 2>&1)"

if [[ ! -x "$VENV/bin/python" ]]; then
    echo "bootstrap.sh: creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi
LOCKS=(requirements-dev.lock infra/docker/build.lock)
want="$(cd "$ROOT" && { cat pyproject.toml "${LOCKS[@]}"; ls -d -- */__init__.py 2>/dev/null || true; } \
    | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$STAMP" 2>/dev/null || true)" != "$want" ]]; then
    echo "bootstrap.sh: installing the locked dependencies and the project into $VENV"
    pip=("$VENV/bin/python" -m pip install -q --disable-pip-version-check)
    "${pip[@]}" --require-hashes --no-deps "${LOCKS[@]/#/--requirement=$ROOT/}"
    "${pip[@]}" --no-deps --no-build-isolation -e "$ROOT"
    echo "$want" >"$STAMP"
fi

if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "bootstrap.sh: installing openjdk-17-jre-headless and maven"
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jre-headless maven >/dev/null
    else
        die "java and mvn are required: install the Debian packages openjdk-17-jre-headless and maven"
    fi
fi
