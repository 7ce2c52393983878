#!/usr/bin/env bash
# Regenerates the image's hash-pinned dependency locks (`make lock`):
#   requirements.lock             every runtime dependency of pyproject.toml's [project].dependencies
#                                 (not the test extras), each pinned with the sha256 of every file
#                                 the index serves for that version;
#   infra/docker/build.lock       the build backends of the builder stage (build-requirements.in);
#   requirements-dev.lock         the runtime dependencies and the test extras, for the checkout's
#                                 .venv (infra/bootstrap.sh, .ci/run): the runtime pins are the image's
#                                 (constrained by requirements.lock), so tests run what ships.
# All are for CPython $PYTHON_VERSION, read from the Dockerfile's `ARG PYTHON_VERSION`, so the
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
#
#   infra/docker/lock.sh              write the locks, keeping the pins they already have
#   infra/docker/lock.sh --upgrade    move every pin to the newest version pyproject.toml allows
#   infra/docker/lock.sh --check      write nothing; exit 1 when pyproject.toml and the committed
#                                     locks disagree (tests/infra/test_image.py runs it)
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

# A half-finished install (interrupted pip) does not answer --version: start it over.
if ! "$UV" --version >/dev/null 2>&1; then
    echo "lock.sh: installing uv $UV_VERSION into $TOOLS" >&2
    rm -rf "$TOOLS/uv-$UV_VERSION"
    python3 -m venv "$TOOLS/uv-$UV_VERSION"
    "$TOOLS/uv-$UV_VERSION/bin/pip" install -q --disable-pip-version-check "uv==$UV_VERSION"
fi

CHECK=false
if [[ "${1:-}" == "--check" ]]; then
    CHECK=true
    shift
fi
EXTRA_ARGS=("$@")

cd "$ROOT"  # relative paths in the locks' headers
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
RUNTIME_LOCK=requirements.lock
BUILD_LOCK=infra/docker/build.lock
DEV_LOCK=requirements-dev.lock
if $CHECK; then
    # Resolved again into copies: uv keeps the pins an output file already has, so only a
    # requirement the locks no longer satisfy (or a missing package) changes them.
    cp requirements.lock "$work/requirements.lock"
    cp infra/docker/build.lock "$work/build.lock"
    cp requirements-dev.lock "$work/requirements-dev.lock"
    RUNTIME_LOCK="$work/requirements.lock"
    BUILD_LOCK="$work/build.lock"
    DEV_LOCK="$work/requirements-dev.lock"
fi

compile() {  # OUTPUT INPUT...
    local out="$1"
    shift
    "$UV" pip compile --quiet --universal --python-version "$PYTHON_VERSION" --generate-hashes \
        --no-strip-extras "${EXTRA_ARGS[@]}" "$@" -o "$out"
}
compile "$RUNTIME_LOCK" pyproject.toml
# Constrained by the runtime lock: a package both need (packaging) gets one version in both.
compile "$BUILD_LOCK" infra/docker/build-requirements.in --constraint "$RUNTIME_LOCK"
compile "$DEV_LOCK" pyproject.toml --extra test --constraint "$RUNTIME_LOCK"

if $CHECK; then
    # The copies' folder shows in the header and the annotations: compare with it taken out.
    same() { diff <(grep -v '^#    uv pip compile' "$1") <(grep -v '^#    uv pip compile' "$2" | sed "s#$work/##"); }
    if ! same requirements.lock "$RUNTIME_LOCK" || ! same infra/docker/build.lock "$BUILD_LOCK" \
        || ! same requirements-dev.lock "$DEV_LOCK"; then
        die "the locks are out of date with pyproject.toml or build-requirements.in: run make lock"
    fi
fi

# Every pin must install on both architectures from a wheel, the known sdist-only ones aside.
pins="$work/pins.txt"
sdist_only="^($(IFS='|'; echo "${SDIST_ONLY[*]}"))=="
grep -h -E '^[A-Za-z0-9._-]+(\[[^]]*\])?==' "$RUNTIME_LOCK" "$BUILD_LOCK" | sed 's/[ ;].*//' \
    | grep -v -i -E "$sdist_only" | sort -u >"$pins"
for platform in "${PLATFORMS[@]}"; do
    "$UV" pip compile --quiet --no-deps --only-binary :all: --python-version "$PYTHON_VERSION" \
        --python-platform "$platform" "$pins" -o /dev/null \
        || die "a pinned package has no $platform wheel: add it to SDIST_ONLY only if its sdist builds"
    # The dev lock is universal and keeps its markers (pywin32 for Windows only, say): read as
    # requirements, with the SDIST_ONLY blocks taken out, each marker is judged for $platform.
    awk -v skip_re="$(echo "${sdist_only#^}" | tr '[:upper:]' '[:lower:]')" \
        '/^[^ #]/ {skip = tolower($0) ~ ("^" skip_re)} !skip' "$DEV_LOCK" >"$work/dev-wheels.txt"
    "$UV" pip compile --quiet --no-deps --only-binary :all: --python-version "$PYTHON_VERSION" \
        --python-platform "$platform" "$work/dev-wheels.txt" -o /dev/null \
        || die "a package of the dev lock has no $platform wheel: add it to SDIST_ONLY only if its sdist builds"
done
if $CHECK; then
    echo "lock.sh: the locks match pyproject.toml for CPython $PYTHON_VERSION on ${PLATFORMS[*]}" >&2
else
    echo "lock.sh: wrote requirements.lock, infra/docker/build.lock and requirements-dev.lock for CPython $PYTHON_VERSION" >&2
fi
