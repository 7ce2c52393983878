"""Whose a job is, whichever of its events the sink sees first."""

from typing import Any

from sqlalchemy import Engine, select

from runtime.tables import jobs
from sink.store import write_batch
from tests.sink._events import TENANT, JobEvents


def _job(engine: Engine, events: JobEvents) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(conn.execute(select(jobs).where(jobs.c.job_id == str(events.job_id))).mappings().one())


def test_a_job_described_after_its_placeholder_keeps_its_tenant_and_callback(engine: Engine) -> None:
    """The sink may see a job's tasks first: the placeholder is nobody's until job.submitted says whose."""
    ev = JobEvents()
    submitted = ev.submitted().model_copy(update={"callback_url": "https://hooks.example.com/lint"})
    write_batch(engine, [ev.created(0)])
    assert _job(engine, ev)["tenant"] == ""  # no tenant lists or reads it yet
    write_batch(engine, [submitted, ev.expanded()])  # a mixed batch of job rows, too
    job = _job(engine, ev)
    assert (job["tenant"], job["callback_url"]) == (TENANT, "https://hooks.example.com/lint")


def test_a_job_without_a_tenant_is_the_default_tenants(engine: Engine) -> None:
    """Events written before tenants existed keep meaning what they meant: the one tenant there was."""
    ev = JobEvents()
    write_batch(engine, [ev.submitted().model_copy(update={"tenant": None}), ev.expanded()])
    assert _job(engine, ev)["tenant"] == "default"
