"""Several sink workers writing one job at once, as the topic keys allow, on MariaDB."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

from runtime.db import create_db_engine
from runtime.tables import jobs
from schemas.events import Record
from sink.migrate import upgrade
from sink.store import write_batch
from tests.sink._events import LT01, JobEvents

pytestmark = pytest.mark.integration


def _writer(engine: Engine, batches: list[list[Record]]) -> Callable[[], int]:
    """Write batches in order; retry a deadlocked one as the agent would; return the retries."""

    def run() -> int:
        retries = 0
        for batch in batches:
            while True:
                try:
                    write_batch(engine, batch)
                    break
                except OperationalError:
                    retries += 1
        return retries

    return run


def test_concurrent_workers_finish_the_job_exactly_once(mysql_db_url: str) -> None:
    upgrade(mysql_db_url)
    engine = create_db_engine(mysql_db_url, pool_size=8)
    n = 12
    for _ in range(5):
        ev = JobEvents(file_names=tuple(f"f{i}.sql" for i in range(n)))
        writers = [
            _writer(engine, [[ev.submitted()]]),
            _writer(engine, [[ev.expanded()]]),
            _writer(engine, [[ev.created(i) for i in range(k, k + 3)] for k in range(0, n, 3)]),
            _writer(engine, [[ev.started(i) for i in range(k, k + 3)] for k in range(0, n, 3)]),
            *(_writer(engine, [[ev.success(i, LT01)] for i in range(k, n, 3)]) for k in range(3)),
        ]
        with ThreadPoolExecutor(len(writers)) as pool:
            list(pool.map(lambda run: run(), writers))
        with engine.connect() as conn:
            job = conn.execute(select(jobs).where(jobs.c.job_id == str(ev.job_id))).mappings().one()
        assert (job["status"], job["submission_type"], job["task_count"]) == ("COMPLETED", "ZIP_ARCHIVE", n)
        assert (job["tasks_succeeded"], job["tasks_failed"], job["violation_count"]) == (n, 0, n)
    engine.dispose()
