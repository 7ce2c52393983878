"""A whole unchanged archive answered from one entry: the same results as file by file, misses otherwise."""

import io
import uuid
import zipfile
from pathlib import Path

from processors.archive_cache import ArchiveEntries, ArchiveEntry
from processors.expand import iter_job_events
from processors.lint_cache import LintCache
from processors.lint_pool import LintPool
from processors.lint_step import lint_task
from processors.settings import ProcessorSettings
from schemas.events import (
    JobExpanded,
    JobSubmitted,
    LintOptions,
    LintResult,
    LintTask,
    TaskRegistered,
    Violation,
)
from schemas.statuses import SubmissionType, TaskStatus

OPTIONS = LintOptions(dialect="ansi", exclude_rules=("AM04",))
MEMBERS = {
    "a.sql": b"select a,b  from t\n",
    "nested/lt07.sql": b"with cte as (\n    select a,b  from t)\nselect * from cte join u on cte.a=u.a\n",
    "directive.sql": b"-- sqlfluff:max_line_length:20\nSELECT col_a, col_b, col_c FROM some_table\n",
    "big.sql": b"select c  from v join w on v.id=w.id\n" * 8,  # over inline_max_bytes: by path
    "binary.sql": b"\x00\x01\x02",  # NOT_TEXT at expansion
}
VIOLATION = Violation(code="LT01", description="d", name="layout.spacing", start_line_no=1, start_line_pos=9)


class CountingCache(LintCache):
    """The real cache, counting the per-file keys computed (each one a member read and hashed)."""

    keyed = 0

    def key_for(self, sql: str, options: LintOptions, tenant: str | None = None) -> str:
        self.keyed += 1
        return super().key_for(sql, options, tenant)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def _upload(root: Path, data: bytes, tenant: str | None = None, options: LintOptions = OPTIONS,
            area: str = "jobs") -> JobSubmitted:
    job_id = uuid.uuid4()
    relpath = f"jobs/{job_id}/upload.zip" if area == "jobs" else f"imports/{tenant or 'default'}/{job_id}.zip"
    (root / relpath).parent.mkdir(parents=True, exist_ok=True)
    (root / relpath).write_bytes(data)
    return JobSubmitted(job_id=job_id, submission_type=SubmissionType.ZIP_ARCHIVE, storage_path=relpath,
                        options=options, tenant=tenant)


def _settings(root: Path) -> ProcessorSettings:
    return ProcessorSettings(nfs_share_root_path=root, inline_max_bytes=200)


def _per_file(events: list[object]) -> list[LintTask | LintResult]:
    return [e for e in events if isinstance(e, LintTask | LintResult)]


def _outcome(result: LintResult) -> tuple[object, ...]:
    return (result.file_name, result.status, result.violations, result.error, result.dialect, result.cached)


async def _lint_tasks(
    events: list[object], settings: ProcessorSettings, cache: LintCache
) -> dict[str, LintResult]:
    """Every task of ``events`` through a real lint pool, as the lint step does (filling the cache)."""
    pool = LintPool(workers=1, timeout_seconds=60, memory_mb=1536, max_tasks=0)
    try:
        return {
            task.file_name: (await lint_task(task, settings, pool, cache)).result
            for task in _per_file(events) if isinstance(task, LintTask)
        }
    finally:
        pool.close()


async def test_an_unchanged_archive_is_answered_whole_with_the_results_sqlfluff_gave(tmp_path: Path) -> None:
    settings, cache = _settings(tmp_path), CountingCache(100)
    data = _zip(MEMBERS)
    refusing = _zip({"a.sql": MEMBERS["a.sql"], "deep.sql": b"-- sqlfluff:max_parse_depth:0\nSELECT 1\n"})
    first = list(iter_job_events(_upload(tmp_path, data), settings, cache))
    linted = await _lint_tasks([*first, *iter_job_events(_upload(tmp_path, refusing), settings, cache)],
                               settings, cache)
    refused = linted.pop("deep.sql").error
    assert refused is not None and refused.code == "FORBIDDEN_INLINE_CONFIG"
    assert {name: r.status for name, r in linted.items()} == dict.fromkeys(
        ("a.sql", "nested/lt07.sql", "directive.sql", "big.sql"), TaskStatus.SUCCESS
    )
    assert "LT05" in {v.code for v in linted["directive.sql"].violations}  # the file's own line length
    assert "LT07" in {v.code for v in linted["nested/lt07.sql"].violations}

    cache.keyed = 0
    job = _upload(tmp_path, data)
    second = list(iter_job_events(job, settings, cache))
    assert cache.keyed == 0  # one archive entry: no member read, no per-file key
    results = _per_file(second)
    assert all(isinstance(r, LintResult) for r in results)
    assert [e.ordinal for e in second if isinstance(e, TaskRegistered)] == list(range(len(MEMBERS)))
    assert isinstance(second[-1], JobExpanded) and second[-1].task_count == len(MEMBERS)
    by_name = {r.file_name: r for r in results if isinstance(r, LintResult)}
    for name, fresh in linted.items():
        assert (by_name[name].violations, by_name[name].cached) == (fresh.violations, True)
    binary = next(r for r in _per_file(first) if r.file_name == "binary.sql")
    assert isinstance(binary, LintResult)
    assert _outcome(by_name["binary.sql"]) == _outcome(binary)

    cache.keyed = 0
    changed = list(iter_job_events(_upload(tmp_path, _zip({**MEMBERS, "a.sql": b"select a,b  from t \n"})),
                                   settings, cache))
    assert cache.keyed == 4  # a one-byte change misses the archive: every readable member looked up
    assert [e.file_name for e in _per_file(changed) if isinstance(e, LintTask)] == ["a.sql"]
    assert len(cache.archives) == 3

    # A FAILURE of the lint step is never remembered, so its archive is expanded again, file by file.
    again = list(iter_job_events(_upload(tmp_path, refusing), settings, cache))
    assert [e.file_name for e in _per_file(again) if isinstance(e, LintTask)] == ["deep.sql"]


def test_the_archive_path_gives_the_events_of_the_member_path(tmp_path: Path) -> None:
    settings, cache = _settings(tmp_path), CountingCache(100)
    data = _zip(MEMBERS)
    for event in _per_file(list(iter_job_events(_upload(tmp_path, data), settings, cache))):
        if isinstance(event, LintTask) and event.sql_content is not None:
            cache.remember(cache.key_for(event.sql_content, OPTIONS), (VIOLATION,))
    big = cache.key_for(MEMBERS["big.sql"].decode(), OPTIONS)
    cache.remember(big, ())
    reordered = _upload(tmp_path, _zip(dict(reversed(MEMBERS.items()))))
    member_path = list(iter_job_events(reordered, settings, cache))
    cache.keyed = 0
    archive_path = list(iter_job_events(_upload(tmp_path, data), settings, cache))
    assert cache.keyed == 0
    outcomes = [sorted(_outcome(r) for r in _per_file(events) if isinstance(r, LintResult))
                for events in (archive_path, member_path)]
    assert len(outcomes[0]) == len(MEMBERS)
    assert outcomes[0] == outcomes[1]


def test_misses_other_tenants_options_fixes_import_areas_and_lost_entries(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    data = _zip({"a.sql": MEMBERS["a.sql"], "b.sql": b"select b from u\n"})
    cache = CountingCache(100)
    for event in _per_file(list(iter_job_events(_upload(tmp_path, data, "team-a"), settings, cache))):
        assert isinstance(event, LintTask)
        cache.remember(cache.key_for(event.sql_content or "", OPTIONS, "team-a"), ())
    assert len(cache.archives) == 1
    misses = [
        _upload(tmp_path, data, "team-b"),
        _upload(tmp_path, data, "team-a", LintOptions(dialect="ansi")),
        _upload(tmp_path, data, "team-a", OPTIONS.model_copy(update={"fix": True})),
        _upload(tmp_path, data, "team-a", area="imports"),
    ]
    for job in misses:
        cache.keyed = 0
        list(iter_job_events(job, settings, cache))
        assert cache.keyed == (0 if job.options.fix else 2), job
    cache.keyed = 0
    list(iter_job_events(_upload(tmp_path, data, "team-a"), settings, cache))
    assert cache.keyed == 0
    cache.ingest(cache.key_for("select b from u\n", OPTIONS, "team-a").encode(), None)  # a tombstone
    cache.keyed = 0
    events = list(iter_job_events(_upload(tmp_path, data, "team-a"), settings, cache))
    assert cache.keyed == 2
    assert [e.file_name for e in _per_file(events) if isinstance(e, LintTask)] == ["b.sql"]


def test_entries_are_bounded_by_member_references() -> None:
    entries = ArchiveEntries(max_members=5)
    two = ArchiveEntry(("a", "b"), ("k" * 64, "l" * 64))
    assert entries.put("x", two) and entries.put("y", two)
    assert not entries.put("huge", ArchiveEntry(tuple("abcdef"), tuple("k" * 6)))
    entries.get("x")
    assert entries.put("z", two)  # over 5 references: the least recently used, y, goes
    assert (entries.get("x"), entries.get("y"), entries.get("z")) == (two, None, two)
