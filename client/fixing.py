"""``sqllint --fix`` and ``--diff``: SQLFluff's fixes from the service, written back or shown as a patch.

Each job is submitted with ``fix`` (docs/fixes.md, "the contract the CLI
uses"), followed as usual, and its fixes read task by task. ``--fix`` writes
the changed files back (stdin: prints the SQL), then lints the written files
once more in a lint-only job: the service does not say which violations are
fixable, and what a second lint still finds is exactly what ``sqlfluff fix``
leaves behind, so the exit status follows the usual policy on what remains
(0 when everything left is clean, 1 when unfixable violations remain, as
``sqlfluff fix`` exits). Only the fixed files are linted again, which costs
a fraction of the fix itself. ``--diff`` writes nothing and exits 1 when
any file would change, as ``ruff format --diff`` and ``black --check`` do
(``sqlfluff`` has no ``--diff``).
"""

import argparse
import sys
from pathlib import Path
from typing import Any

from client import output
from client.fixes import Fix, fetch_fixes
from client.http import ApiClient
from client.plan import Job
from client.report import EXIT_CLEAN, EXIT_FAILURE, EXIT_VIOLATIONS, Record, exit_code
from client.submit import Done, run_job
from client.write_back import digest, encode_like, write_fixed
from schemas.statuses import JobStatus

UNPARSABLE = frozenset({"PRS", "TMP"})


def unparsable(record: Record) -> bool:
    """The file has templating or parsing errors, so the fixer left it alone (as ``sqlfluff fix`` does)."""
    return any(v.get("code") in UNPARSABLE for v in record.get("violations", []))


def fix_job(args: argparse.Namespace, api: ApiClient, job: Job, workdir: Path) -> tuple[Done, list[Fix]]:
    """Run one job with fixes; say on stderr which files were not fixed and why; the changed ones."""
    done = run_job(args, api, job, workdir, fix=True)
    fixes = fetch_fixes(api, done.job_id, done.paths, Path.cwd())
    for fix in fixes:
        if fix.error:
            print(f"{fix.path}: not fixed: {fix.error['code']} {fix.error['message']}", file=sys.stderr)
    for record in done.records:
        if unparsable(record):
            print(f"{record['filepath']}: not fixed: templating or parsing errors", file=sys.stderr)
    return done, [f for f in fixes if f.fixed and f.fixed_sql is not None and not f.error]


def print_stdin(job: Job, fixes: list[Fix]) -> set[str]:
    """``--fix -``: the fixed SQL on stdout, or the SQL as it came; the temporary file is linted again."""
    display, target = job.files[0]
    fixed = {fix.path: fix for fix in fixes}.get(display)
    if fixed is not None and fixed.fixed_sql is not None:
        target.write_bytes(encode_like(target.read_bytes(), fixed.fixed_sql))
    sys.stdout.flush()
    sys.stdout.buffer.write(target.read_bytes())
    sys.stdout.buffer.flush()
    return {fixed.path} if fixed is not None else set()


def put_back(job: Job, fixes: list[Fix], sent: dict[str, str]) -> set[str]:
    """Write the fixed files, except one edited since it was sent (that edit wins); the user paths written."""
    targets = dict(job.files)
    written = set()
    for fix in fixes:
        if digest(targets[fix.path]) != sent[fix.path]:
            print(f"{fix.path}: not written: it changed while the service fixed it", file=sys.stderr)
            continue
        write_fixed(targets[fix.path], fix.fixed_sql or "")
        written.add(fix.path)
    return written


def relint(
    args: argparse.Namespace, api: ApiClient, job: Job, written: set[str], workdir: Path
) -> tuple[dict[str, Record], list[dict[str, Any]]]:
    """What remains in the written files: one lint-only job of them, its records by path, its status."""
    files = [(display, path) for display, path in job.files if display in written]
    if not files:
        return {}, []
    done = run_job(args, api, Job(job.config, files=files), workdir)
    return {record["filepath"]: record for record in done.records}, [done.final]


def fix(args: argparse.Namespace, api: ApiClient, jobs: list[Job], workdir: Path) -> int:
    """``--fix``: write back, lint what was written again, report what remains."""
    stdin = args.paths == ["-"]
    finals, records, count = [], [], 0
    for job in jobs:
        sent = {display: digest(path) for display, path in job.files}
        done, fixes = fix_job(args, api, job, workdir)
        finals.append(done.final)
        if job.archive is not None:
            if fixes:
                print(f"{job.archive}: files inside a ZIP are not written back; their diff:", file=sys.stderr)
                sys.stderr.write("".join(f.diff for f in fixes))
            records.extend(done.records)
            continue
        written = print_stdin(job, fixes) if stdin else put_back(job, fixes, sent)
        count += len(written)
        again, relint_finals = relint(args, api, job, written, workdir)
        finals.extend(relint_finals)
        records.extend(again.get(r["filepath"], r) for r in done.records)
    output.publish(args, records, finals, stdout=not stdin)
    print(f"{count} file(s) fixed", file=sys.stderr)
    return exit_code(output.final_status(finals), records, args.fail_on, args.max_violations)


def diff(args: argparse.Namespace, api: ApiClient, jobs: list[Job], workdir: Path) -> int:
    """``--diff``: one patch on stdout, nothing written; 1 when anything would change or cannot be fixed."""
    finals, records, patch = [], [], []
    for job in jobs:
        done, fixes = fix_job(args, api, job, workdir)
        finals.append(done.final)
        records.extend(done.records)
        patch.extend(f.diff for f in fixes)
    sys.stdout.flush()
    sys.stdout.buffer.write("".join(patch).encode("utf-8"))
    sys.stdout.buffer.flush()
    output.publish(args, records, finals, stdout=False)
    print(f"{sum(1 for p in patch if p)} file(s) would be fixed", file=sys.stderr)
    if output.final_status(finals) == JobStatus.FAILED or any(r.get("error") for r in records):
        return EXIT_FAILURE
    return EXIT_VIOLATIONS if any(patch) or any(map(unparsable, records)) else EXIT_CLEAN


def run(args: argparse.Namespace, api: ApiClient, jobs: list[Job], workdir: Path) -> int:
    """The mode the command line chose."""
    return fix(args, api, jobs, workdir) if args.fix else diff(args, api, jobs, workdir)
