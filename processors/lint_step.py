"""Linting one task: get its text (inline or from storage), lint it, build the result."""

import asyncio

from processors.lint_pool import LintPool
from processors.results import SQLFLUFF_VERSION, failure_result
from processors.settings import ProcessorSettings
from processors.storage import FileMissingError, FileTooLargeError, UnsafePathError, read_task_sql
from processors.text import NotTextError
from schemas.events import ErrorInfo, LintResult, LintTask

_FILE_ERRORS = (UnsafePathError, FileMissingError, FileTooLargeError, NotTextError)


async def lint_task(task: LintTask, settings: ProcessorSettings, pool: LintPool) -> LintResult:
    """The one result of a task; a file we cannot read or lint is a FAILURE, never an exception."""
    try:
        sql = await asyncio.to_thread(
            read_task_sql, task, settings.nfs_share_root_path, settings.max_file_bytes
        )
    except _FILE_ERRORS as exc:
        error = ErrorInfo(code=exc.code, message=exc.message[:4096])
        return failure_result(task.job_id, task.task_id, task.file_name, task.options, error)
    except OSError as exc:  # NFS trouble other than a missing file: this file fails, visibly
        error = ErrorInfo(code="STORAGE_ERROR", message=f"{type(exc).__name__}: {exc}"[:4096])
        return failure_result(task.job_id, task.task_id, task.file_name, task.options, error)
    outcome = await pool.lint(task.file_name, sql, task.options)
    return LintResult(
        job_id=task.job_id,
        task_id=task.task_id,
        file_name=task.file_name,
        status=outcome.status,
        violations=outcome.violations,
        error=outcome.error,
        dialect=task.options.dialect,
        sqlfluff_version=SQLFLUFF_VERSION,
        duration_ms=outcome.duration_ms,
    )
