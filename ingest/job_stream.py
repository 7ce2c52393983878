"""One client's view of one job's progress: what to send next, from DB rows and live events.

Files go out in file order (ordinal 0, 1, 2, ...), each once, and every
event's id is the stream's position: the number of leading files sent, so
``Last-Event-ID: n`` means "every file with ordinal below n arrived" and a
reconnect resumes at ordinal n, whichever replica answers it. Sending a file
only after the ones before it costs a little latency behind a slow file, but
any other order would need the delivered set in the id (files finish in no
fixed order); ``progress`` counts every finished file at once, so the
counts never wait. Rows from the database and live events describe the same
tasks and may overlap or race: both merge into one map by task id, so a file
is counted and sent once whichever source told of it first. ``end`` waits
for the database's final status (the sink decides it) and for the last file.
"""

from dataclasses import dataclass
from typing import Any

from schemas.events import JobExpanded, JobRejected, LintResult, Record, TaskRegistered
from schemas.statuses import JOB_FINAL, TASK_FINAL, TaskStatus

Row = dict[str, Any]
END_ID = "end"
MAX_POSITION = 10**9


@dataclass(frozen=True)
class Frame:
    """One server-sent event: its type, id and JSON data."""

    event: str
    id: str
    data: dict[str, Any]


@dataclass(frozen=True)
class FileDone:
    """A finished file as the ``file`` event tells it."""

    task_id: str
    file_name: str
    status: str
    violations: int
    error_code: str | None

    def data(self) -> dict[str, Any]:
        """The event's data."""
        return {"task_id": self.task_id, "file_name": self.file_name, "status": self.status,
                "violations": self.violations, "error_code": self.error_code}


def resume_position(last_event_id: str | None) -> int | None:
    """The ordinal to resume at; None after ``end``; ValueError for an id this service never sent."""
    if last_event_id is None or not last_event_id.strip():
        return 0
    raw = last_event_id.strip()
    if raw == END_ID:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_POSITION:
        raise ValueError(f"Last-Event-ID must be {END_ID!r} or an integer from 0 to {MAX_POSITION}")
    return int(raw)


def file_of_row(row: Row) -> FileDone:
    """A finished task row as a file event."""
    return FileDone(row["task_id"], row["file_name"], row["status"], row["violation_count"] or 0,
                    row["error_code"])


def file_of_result(result: LintResult) -> FileDone:
    """A live ``lint.result`` as a file event."""
    return FileDone(str(result.task_id), result.file_name, result.status.value, len(result.violations),
                    result.error.code if result.error else None)


class JobStream:
    """The state machine of one stream; no I/O, so every race can be replayed in a unit test."""

    def __init__(self, job_id: str, position: int) -> None:
        self.job_id = job_id
        self.position = position
        self.ended = False
        self.task_count: int | None = None
        self._ordinal_of: dict[str, int] = {}
        self._task_at: dict[int, str] = {}
        self._done: dict[str, FileDone] = {}
        self._unplaced: set[str] = set()
        self._rejected = False
        self._final: Row | None = None
        self._progress: tuple[int | None, int, int, int] | None = None

    def take_rows(self, job: Row, tasks: list[Row]) -> None:
        """The job's row and its task rows as the sink wrote them."""
        if job.get("task_count") is not None:
            self.task_count = job["task_count"]
        for row in tasks:
            if row["ordinal"] >= 0:
                self._place(row["task_id"], row["ordinal"])
            if row["status"] in TASK_FINAL:
                self._finish(row["task_id"], file_of_row(row))
        if job["status"] in JOB_FINAL:
            self._final = job

    def take_event(self, event: Record) -> None:
        """A live event of this job from the pipeline's topics."""
        match event:
            case JobExpanded():
                self.task_count = event.task_count
            case TaskRegistered():
                self._place(str(event.task_id), event.ordinal)
            case LintResult():
                self._finish(str(event.task_id), file_of_result(event))
            case JobRejected():
                self._rejected = True  # final once the sink says so, with its status
            case _:
                pass  # started, retried: nothing to send

    def _place(self, task_id: str, ordinal: int) -> None:
        self._ordinal_of[task_id] = ordinal
        self._task_at[ordinal] = task_id
        self._unplaced.discard(task_id)

    def _finish(self, task_id: str, done: FileDone) -> None:
        """The first report of a task wins: a replay or the other source never counts it twice."""
        if task_id in self._done:
            return
        self._done[task_id] = done
        if task_id not in self._ordinal_of:
            self._unplaced.add(task_id)

    @property
    def waiting_on_sink(self) -> bool:
        """Only the database can move this stream on: a finished file's place, or the final status."""
        if self.ended:
            return False
        if self._all_sent() or self._rejected or self._unplaced:
            return True
        return self.task_count is not None and len(self._done) >= self.task_count

    def _all_sent(self) -> bool:
        return self.task_count is not None and self.position >= self.task_count

    def _next_file(self) -> FileDone | None:
        task_id = self._task_at.get(self.position)
        return None if task_id is None else self._done.get(task_id)

    def frames(self) -> list[Frame]:
        """Everything that can be sent now, in order; after ``end`` nothing more."""
        if self.ended:
            return []
        out: list[Frame] = []
        while (done := self._next_file()) is not None:
            self.position += 1
            out.append(Frame("file", str(self.position), done.data()))
        rejected = self._final is not None and (self.task_count is None or bool(self._final["error_code"]))
        if rejected:
            out += self._flush()  # no more files will be placed: send what finished
        progress = self._counts()
        if progress != self._progress:
            self._progress = progress
            task_count, done_count, succeeded, failed = progress
            out.append(Frame("progress", str(self.position), {
                "task_count": task_count, "done": done_count, "succeeded": succeeded, "failed": failed}))
        if self._final is not None and (rejected or self._all_sent()):
            self.ended = True
            out.append(Frame("end", END_ID, self._end_data(self._final)))
        return out

    def _flush(self) -> list[Frame]:
        """A rejected job's finished files after the position, skipping the files that never came."""
        out = []
        for ordinal in sorted(o for o, t in self._task_at.items() if o >= self.position and t in self._done):
            self.position = ordinal + 1
            out.append(Frame("file", str(self.position), self._done[self._task_at[ordinal]].data()))
        return out

    def _counts(self) -> tuple[int | None, int, int, int]:
        succeeded = sum(f.status == TaskStatus.SUCCESS for f in self._done.values())
        return self.task_count, len(self._done), succeeded, len(self._done) - succeeded

    def _end_data(self, job: Row) -> dict[str, Any]:
        return {"job_id": self.job_id, "job_status": job["status"], "task_count": job["task_count"],
                "tasks_succeeded": job["tasks_succeeded"] or 0, "tasks_failed": job["tasks_failed"] or 0}
