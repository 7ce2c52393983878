"""The routing table: every event has one topic and key, and consumers decode what producers route."""

from uuid import uuid4

from schemas.codec import EVENT_TYPES
from schemas.events import CachedLint, DeadLetter, ErrorInfo, JobExpanded, LintResult, LintTask, Record
from schemas.routing import ROUTES, events_on, route
from schemas.topics import TopicNames


def _all_event_classes() -> set[type[Record]]:
    found: set[type[Record]] = set()
    pending = list(Record.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "event_type" in cls.model_fields:
            found.add(cls)
    return found


def test_every_event_class_is_routed_and_decodable() -> None:
    assert set(ROUTES) == _all_event_classes()
    assert set(EVENT_TYPES.values()) == set(ROUTES)


def test_job_events_are_keyed_by_job_and_tasks_by_task() -> None:
    names = TopicNames(jobs="j", tasks="t", progress="p", lint_results="r", dead_letter="d")
    job_id, task_id = uuid4(), uuid4()
    task = LintTask(
        task_id=task_id, job_id=job_id, ordinal=0, file_name="a.sql", sql_content="", size_bytes=0
    )
    assert route(task, names) == ("t", str(task_id).encode())
    assert route(JobExpanded(job_id=job_id, task_count=1), names) == ("p", str(job_id).encode())
    result = LintResult(
        job_id=job_id,
        task_id=task_id,
        file_name="a.sql",
        status="SUCCESS",
        dialect="ansi",
        sqlfluff_version="x",
    )
    assert route(result, names) == ("r", str(job_id).encode())
    assert route(CachedLint(key="a" * 64, sqlfluff_version="x"), names) == ("t.lint-cache", b"a" * 64)


def test_a_dead_letter_keeps_the_key_it_is_given() -> None:
    letter = DeadLetter(
        source_topic="j", partition=0, offset=1, error=ErrorInfo(code="X", message=""), payload=""
    )
    assert route(letter, TopicNames(), key=b"original") == ("sqllint.dead-letter.v1", b"original")


def test_consumers_learn_what_a_topic_carries() -> None:
    assert {cls.model_fields["event_type"].default for cls in events_on("progress")} == {
        "task.registered",
        "task.started",
        "task.retried",
        "job.expanded",
        "job.rejected",
    }
    assert events_on("lint_results") == (LintResult,)
