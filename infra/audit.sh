#!/usr/bin/env bash
# Known vulnerabilities of every locked dependency (`make audit`, and `make test`): pip-audit reads
# the hash-pinned locks (requirements.lock for the image, requirements-dev.lock for the checkout's
# .venv, infra/docker/build.lock for the build backends of both) as they are, without installing anything, and asks the vulnerability service about each pin.
# Any advisory fails it, except those accepted in .pip-audit-ignore, each with its reason.
#
# The service is PyPI's per-release JSON (pip-audit --vulnerability-service pypi); OSV is the other
# one pip-audit knows. When the service answers for no pin (a mirror without per-release JSON, no
# network), nothing was audited: that is said loudly, and it fails unless AUDIT_UNREACHABLE=warn
# (what `make test` passes, so a test run offline is not blocked by the network, while `make audit`
# stays strict).
#
#   infra/audit.sh [LOCK...]        default: requirements.lock requirements-dev.lock infra/docker/build.lock
#   AUDIT_IGNORE=FILE               the accepted advisories (default .pip-audit-ignore)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
IGNORE="${AUDIT_IGNORE:-.pip-audit-ignore}"
UNREACHABLE="${AUDIT_UNREACHABLE:-fail}"
SERVICE="${AUDIT_SERVICE:-pypi}"
LOCKS=("$@")
[[ ${#LOCKS[@]} -gt 0 ]] || LOCKS=(requirements.lock requirements-dev.lock infra/docker/build.lock)

die() { echo "audit.sh: $*" >&2; exit 1; }
[[ -x .venv/bin/pip-audit ]] || die "pip-audit is missing from .venv: run infra/bootstrap.sh"
[[ "$UNREACHABLE" == fail || "$UNREACHABLE" == warn ]] || die "AUDIT_UNREACHABLE is fail or warn"

ignores=()
while read -r id reason; do
    [[ -z "$id" || "$id" == \#* ]] && continue
    [[ -n "$reason" ]] || die "$IGNORE: advisory $id is listed without a reason"
    ignores+=(--ignore-vuln "$id")
done <"$IGNORE"

mkdir -p var/audit
report=var/audit/pip-audit.json
rm -f "$report"  # a report of an earlier run must not stand in for this one
status=0
.venv/bin/pip-audit --vulnerability-service "$SERVICE" --disable-pip --require-hashes --progress-spinner off \
    "${LOCKS[@]/#/--requirement=}" "${ignores[@]}" --format json --output "$report" 2>var/audit/pip-audit.err \
    || status=$?

# pip-audit exits 1 on an advisory not ignored; its report then says which.
.venv/bin/python - "$report" "$status" "$UNREACHABLE" <<'PY'
import json
import sys

report, status, unreachable = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    deps = json.load(open(report))["dependencies"]
except (OSError, ValueError, KeyError):
    # No report: pip-audit stopped before answering (no network, the service down); its last words.
    last = open("var/audit/pip-audit.err").read().strip().splitlines()[-1:] or ["(nothing)"]
    print(f"audit.sh: NOT AUDITED: pip-audit wrote no report (exit {status}): {last[0]}", file=sys.stderr)
    sys.exit(3 if unreachable == "fail" else 0)
skipped = [d for d in deps if d.get("skip_reason")]
found = [(d["name"], d["version"], v["id"], v.get("fix_versions")) for d in deps for v in d.get("vulns", [])]
for name, version, vuln, fixes in found:
    print(f"audit.sh: {name} {version}: {vuln} (fixed in {', '.join(fixes) or 'no release'})")
print(f"audit.sh: {len(deps) - len(skipped)} of {len(deps)} pins audited, {len(found)} advisories not accepted")
if found or status not in (0, 1):
    sys.exit(1 if found else status)
if skipped:
    print(f"audit.sh: NOT AUDITED: {len(skipped)} pins, e.g. {skipped[0]['skip_reason']}", file=sys.stderr)
    if unreachable == "fail" or len(skipped) < len(deps):
        sys.exit(3)
PY
