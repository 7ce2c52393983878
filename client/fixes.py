"""A finished fix job's fixes, read task by task, named by the user's paths.

The service answers one task's fix at a time (``GET /api/v1/tasks/{id}/fix``),
so a job of many files is many small requests; a few run at once over the
same HTTP client. On one machine 200 fixes take 0.37-0.48 s one by one and
0.33-0.39 s four or eight at a time (docs/ci.md), next to 12 s for the fix
job itself; the pool is for a service farther away, where each request's
round trip, not the ingest, is the cost. Four keeps the ingest uncrowded.
"""

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from client.http import ApiClient

FETCH_WORKERS = 4
PAGE_SIZE = 500  # the ingest's largest page


@dataclass(frozen=True)
class Fix:
    """One file's answer: ``path`` is the user's name for it, ``diff`` already carries that name."""

    file_name: str
    path: str
    fixed: bool
    fixed_sql: str | None
    diff: str
    error: dict[str, Any] | None = None


def task_ids(api: ApiClient, job_id: str) -> list[str]:
    """Every task of the job, in file order, page by page."""
    ids: list[str] = []
    page = 1
    while True:
        body = api.get(f"/api/v1/jobs/{job_id}?page={page}&size={PAGE_SIZE}")
        ids.extend(task["task_id"] for task in body["tasks"])
        if len(body["tasks"]) < PAGE_SIZE:
            return ids
        page += 1


def patch_path(path: str, cwd: Path) -> str:
    """The name a patch gives ``path``: relative to the working directory where it can be, POSIX slashes.

    ``git apply`` refuses absolute names, so a file named absolutely but
    under the working directory is named relatively, as ``sqlfluff`` lists it.
    """
    if os.path.isabs(path) and Path(path).is_relative_to(cwd):
        path = os.path.relpath(path, cwd)
    return Path(path).as_posix()


def with_path(diff: str, file_name: str, path: str) -> str:
    """The service's diff with the user's path in its ``--- a/`` and ``+++ b/`` headers."""
    header = f"--- a/{file_name}\n+++ b/{file_name}\n"
    if not diff.startswith(header):
        return diff
    return f"--- a/{path}\n+++ b/{path}\n" + diff[len(header):]


def to_fix(answer: Mapping[str, Any], paths: Mapping[str, str], cwd: Path) -> Fix:
    """A fix answer as the command uses it."""
    name = answer["file_name"]
    path = paths.get(name, name)
    diff = with_path(answer.get("diff") or "", name, patch_path(path, cwd))
    return Fix(name, path, bool(answer["fixed"]), answer.get("fixed_sql"), diff, answer.get("error"))


def fetch_fixes(api: ApiClient, job_id: str, paths: Mapping[str, str], cwd: Path) -> list[Fix]:
    """The fixes of a finished job's files, in file order."""
    ids = task_ids(api, job_id)
    with ThreadPoolExecutor(max_workers=FETCH_WORKERS) as pool:
        answers = list(pool.map(lambda task_id: api.get(f"/api/v1/tasks/{task_id}/fix"), ids))
    return [to_fix(answer, paths, cwd) for answer in answers]
