#!/usr/bin/env bash
# Regenerates the image's hash-pinned dependency locks (`make lock`):
#   requirements.lock             every runtime dependency of pyproject.toml's [project].dependencies
#                                 (not the test extras), each pinned with the sha256 of every file
#                                 the index serves for that version;
#   infra/docker/build.lock       the build backends of the builder stage (build-requirements.in).
# Both are for CPython $PYTHON_VERSION, read from the Dockerfile's `ARG PYTHON_VERSION`, so the
# image's interpreter is always the one the lock was made for.
#
# Why uv and not pip-compile: pip-compile resolves for the machine it runs on only (its markers are
# evaluated here, on one architecture and this interpreter). `uv pip compile --universal
# --python-version` resolves once for every platform, keeps platform-dependent requirements with
# their markers, and lists the hashes of all of a version's files, so the one lock installs on
# Linux amd64 and arm64 (the release builds both). uv is a PyPI wheel with its binary inside; it is
# installed once, pinned, into the tools cache outside the checkout.
#
# After writing, it checks that every pinned package has a wheel for both architectures, except
# the ones listed in SDIST_ONLY below (built from source in the builder stage, arm64 only).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/infra/docker"
UV_VERSION=0.13.9
TOOLS="${SQLLINT_TOOLS_DIR:-$HOME/.cache/sqllint/tools}"
UV="$TOOLS/uv-$UV_VERSION/bin/uv"
# glibc floor of the wheels we accept: Debian bookworm (the base image) has 2.36.
PLATFORMS=(x86_64-manylinux_2_28 aarch64-manylinux_2_28)
# No Linux arm64 wheel of this release; its sdist builds in the builder stage.
SDIST_ONLY=(faust-streaming)

die() { echo "lock.sh: $*" >&2; exit 1; }

PYTHON_VERSION="$(sed -n 's/^ARG PYTHON_VERSION=\([0-9.]*\).*/\1/p' "$HERE/Dockerfile")"
[[ "$PYTHON_VERSION" =~ ^3\.[0-9]+$ ]] || die "no 'ARG PYTHON_VERSION=3.N' in $HERE/Dockerfile"

if [[ ! -x "$UV" ]]; then
    echo "lock.sh: installing uv $UV_VERSION into $TOOLS" >&2
    python3 -m venv "$TOOLS/uv-$UV_VERSION"
    "$TOOLS/uv-$UV_VERSION/bin/pip" install -q --disable-pip-version-check "uv==$UV_VERSION"
fi

# Pins already in a lock are kept; `infra/docker/lock.sh --upgrade` moves
# every pin to the newest version pyproject.toml allows.
EXTRA_ARGS=("$@")

cd "$ROOT"  # relative paths in the locks' headers
compile() {  # OUTPUT INPUT...
    local out="$1"
    shift
    "$UV" pip compile --quiet --universal --python-version "$PYTHON_VERSION" --generate-hashes \
        --no-strip-extras "${EXTRA_ARGS[@]}" "$@" -o "$out"
}
compile requirements.lock pyproject.toml
# Constrained by the runtime lock: a package both need (packaging) gets one version in both.
compile infra/docker/build.lock infra/docker/build-requirements.in --constraint requirements.lock

# Every pin must install on both architectures from a wheel, the known sdist-only ones aside.
pins="$(mktemp)"
trap 'rm -f "$pins"' EXIT
sdist_only="^($(IFS='|'; echo "${SDIST_ONLY[*]}"))=="
grep -E '^[A-Za-z0-9._-]+==' requirements.lock | sed 's/[ ;].*//' | grep -v -i -E "$sdist_only" >"$pins"
for platform in "${PLATFORMS[@]}"; do
    "$UV" pip compile --quiet --no-deps --only-binary :all: --python-version "$PYTHON_VERSION" \
        --python-platform "$platform" "$pins" -o /dev/null \
        || die "a pinned package has no $platform wheel: add it to SDIST_ONLY only if its sdist builds"
done
echo "lock.sh: wrote requirements.lock and infra/docker/build.lock for CPython $PYTHON_VERSION" >&2
