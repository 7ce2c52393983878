"""Builders of one job's events, with fixed ids and times so runs compare equal."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from schemas.events import (
    ErrorInfo,
    JobExpanded,
    JobRejected,
    JobSubmitted,
    LintOptions,
    LintResult,
    LintTask,
    Record,
    TaskRegistered,
    TaskStarted,
    Violation,
)
from schemas.statuses import SubmissionType, TaskStatus

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
OPTIONS = LintOptions(dialect="mysql", exclude_rules=("LT05",))
TENANT = "acme"  # not the default, so a row that lost its tenant shows

LT01 = Violation(
    code="LT01",
    description="Expected only single space before 'FROM' keyword. Found '  '.",
    name="layout.spacing",
    start_line_no=1,
    start_line_pos=9,
    end_line_no=1,
    end_line_pos=11,
)
CP01 = Violation(
    code="CP01",
    description="Keywords must be consistently upper case.",
    name="capitalisation.keywords",
    start_line_no=1,
    start_line_pos=1,
    end_line_no=1,
    end_line_pos=7,
    warning=True,
)


@dataclass
class JobEvents:
    """The events of one ZIP job of ``len(file_names)`` files."""

    file_names: tuple[str, ...] = ("a.sql", "b.sql")
    job_id: uuid.UUID = field(default_factory=uuid.uuid4)
    task_ids: list[uuid.UUID] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.task_ids = [uuid.uuid4() for _ in self.file_names]

    def submitted(self) -> JobSubmitted:
        return JobSubmitted(
            job_id=self.job_id,
            submitted_at=T0,
            submission_type=SubmissionType.ZIP_ARCHIVE,
            file_name="batch.zip",
            storage_path=f"jobs/{self.job_id}/batch.zip",
            options=OPTIONS,
            tenant=TENANT,
        )

    def expanded(self) -> JobExpanded:
        return JobExpanded(
            job_id=self.job_id, task_count=len(self.file_names), expanded_at=T0 + timedelta(seconds=1)
        )

    def rejected(self) -> JobRejected:
        error = ErrorInfo(code="CORRUPT_ARCHIVE", message="not a zip file")
        return JobRejected(job_id=self.job_id, error=error, rejected_at=T0 + timedelta(seconds=1))

    def created(self, i: int) -> LintTask:
        return LintTask(
            task_id=self.task_ids[i],
            job_id=self.job_id,
            ordinal=i,
            file_name=self.file_names[i],
            sql_content="select  a from t\n",
            size_bytes=17,
            options=OPTIONS,
        )

    def registered(self, i: int) -> TaskRegistered:
        return TaskRegistered(
            task_id=self.task_ids[i], job_id=self.job_id, ordinal=i, file_name=self.file_names[i]
        )

    def started(self, i: int) -> TaskStarted:
        return TaskStarted(
            task_id=self.task_ids[i], job_id=self.job_id, started_at=T0 + timedelta(seconds=2 + i)
        )

    def success(self, i: int, *violations: Violation) -> LintResult:
        return self._result(i, TaskStatus.SUCCESS, violations, None)

    def failure(self, i: int, code: str = "FILE_TOO_LARGE") -> LintResult:
        return self._result(i, TaskStatus.FAILURE, (), ErrorInfo(code=code, message=f"{code} for file {i}"))

    def _result(
        self, i: int, status: TaskStatus, violations: tuple[Violation, ...], error: ErrorInfo | None
    ) -> LintResult:
        return LintResult(
            job_id=self.job_id,
            task_id=self.task_ids[i],
            file_name=self.file_names[i],
            status=status,
            violations=violations,
            error=error,
            dialect="mysql",
            sqlfluff_version="4.5.0",
            linted_at=T0 + timedelta(seconds=10 + i),
            duration_ms=3.5,
        )

    def in_order(self, *results: LintResult) -> list[Record]:
        """The events as the pipeline emits them: submit, tasks, expansion, starts, results."""
        count = len(self.file_names)
        return [
            self.submitted(),
            *(self.created(i) for i in range(count)),
            self.expanded(),
            *(self.started(i) for i in range(count)),
            *results,
        ]
