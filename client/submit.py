"""One job's round trip: submit it, follow it to its end, read its records with the user's paths.

Shared by plain linting and by ``--fix``/``--diff``, which submit the same
way with ``fix`` set and then lint the written files again.
"""

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from client import output
from client.follow import Follower
from client.http import ApiClient, ApiError
from client.job_config import explain_refusal
from client.plan import Job
from client.report import Record

CONFIG_REFUSALS = frozenset(
    {"INVALID_CONFIG", "CONFIG_TOO_LARGE", "FORBIDDEN_CONFIG_SECTION", "FORBIDDEN_CONFIG_KEY",
     "FORBIDDEN_CONFIG_VALUE"}
)


@dataclass
class Done:
    """A finished job: its final status, its records, and how its file names map to the user's paths."""

    job_id: str
    final: dict[str, Any]
    records: list[Record]
    paths: dict[str, str]


def show_progress() -> bool:
    """A bar for a person at a terminal; none in CI logs or when stderr is a file."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def fields(args: argparse.Namespace, job: Job, fix: bool = False) -> dict[str, str]:
    """The form fields of one submission: the command's options beat the discovered config."""
    values = {
        "dialect": args.dialect or job.config.dialect,
        "rules": args.rules,
        "exclude_rules": args.exclude_rules,
        "config": job.config.text,
        "fix": "true" if fix else "",
    }
    return {key: value for key, value in values.items() if value}


def run_job(args: argparse.Namespace, api: ApiClient, job: Job, workdir: Path, fix: bool = False) -> Done:
    """Submit one job (asking for fixes when ``fix``), follow it, and return it finished."""
    upload, paths = job.upload(workdir)
    try:
        accepted = api.submit(upload, fields(args, job, fix))
    except ApiError as exc:
        if exc.code in CONFIG_REFUSALS:
            raise ApiError(exc.status, exc.code, explain_refusal(str(exc), job.config.layer)) from exc
        raise
    job_id = accepted["job_id"]
    deadline = time.monotonic() + args.timeout
    with tqdm(desc=upload.name, unit="file", disable=not show_progress(), file=sys.stderr) as bar:
        final = Follower(api, bar, deadline, args.poll_interval).follow(job_id)
    records: list[Record] = api.get(f"/api/v1/jobs/{job_id}/results")
    return Done(job_id, final, output.user_paths(records, paths), paths)
