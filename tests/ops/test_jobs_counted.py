"""Each job is counted once, by the transaction that made it final: what sql_linting_jobs_total relies on."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine

from schemas.statuses import JobStatus
from sink.store import write_batch
from tests.sink._events import LT01, JobEvents


def test_the_batch_that_finishes_a_job_reports_it_and_a_replay_reports_nothing(engine: Engine) -> None:
    ev = JobEvents()
    records = ev.in_order(ev.success(0, LT01), ev.failure(1))
    assert write_batch(engine, records[:-1]) == {}  # one result still missing
    assert write_batch(engine, records[-1:]) == {str(ev.job_id): JobStatus.PARTIALLY_COMPLETED}
    assert write_batch(engine, records) == {}  # the whole job replayed: already final


def test_a_rejected_job_is_reported_once(engine: Engine) -> None:
    ev = JobEvents()
    assert write_batch(engine, [ev.submitted(), ev.rejected()]) == {str(ev.job_id): JobStatus.FAILED}
    assert write_batch(engine, [ev.rejected(), ev.expanded()]) == {}


def test_several_jobs_in_one_batch_each_with_its_status(engine: Engine) -> None:
    done, failed, open_ = JobEvents(), JobEvents(), JobEvents()
    batch = [*done.in_order(done.success(0), done.success(1)), failed.submitted(), failed.rejected(),
             open_.submitted(), open_.expanded()]
    assert write_batch(engine, batch) == {str(done.job_id): JobStatus.COMPLETED,
                                          str(failed.job_id): JobStatus.FAILED}


def test_concurrent_writers_of_one_job_count_it_once(engine: Engine) -> None:
    """Two sink workers racing on the last results: exactly one of them reports the job."""
    for _ in range(5):
        ev = JobEvents(file_names=tuple(f"{i}.sql" for i in range(4)))
        write_batch(engine, [ev.submitted(), *(ev.created(i) for i in range(4)), ev.expanded()])
        halves = [[ev.success(0), ev.success(1)], [ev.success(2), ev.success(3)]]
        with ThreadPoolExecutor(2) as pool:
            reports = list(pool.map(lambda batch: write_batch(engine, batch), halves))
        assert [r for r in reports if r] == [{str(ev.job_id): JobStatus.COMPLETED}]
