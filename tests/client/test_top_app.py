"""``sqllint top`` driven by textual's pilot against a running stack: real ingest, processors and sink.

The stack has private topics, groups and database (the harness); its workers
beat every second. The dashboard reads only the ingest's HTTP API, like an
operator's terminal, and what it shows is compared with what the API answers
and with the stack's own processes.
"""

import json
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from client.top.app import TopApp
from client.top.columns import COLUMNS, sort_workers
from client.top.details import WorkerScreen
from client.top.widgets import Panel, QueuesTable, WorkersTable
from harness import resources
from harness.settings import StackSettings, lint_layout
from harness.stack import Stack, running
from schemas.monitoring import WorkersView, WorkerView

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
BEAT = {"PROCESSORS_HEARTBEAT_INTERVAL_S": "1", "SINK_HEARTBEAT_INTERVAL_S": "1"}
SIZE = (200, 50)
SHOWN_WITHIN = 60.0


@pytest.fixture(scope="module")
def stack(kafka_bootstrap: str, mysql_server_url: str,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    work: Path = tmp_path_factory.mktemp("top")
    with resources.temporary_topics(kafka_bootstrap, "top") as topics, \
            resources.migrated_database(mysql_server_url) as db_url:
        settings = StackSettings(kafka_bootstrap, db_url, work, storage=work / "storage", topics=topics,
                                 group=f"top-{resources.short_id()}", partitions=4,
                                 port=resources.free_port(), processors=lint_layout(1), env=BEAT)
        with running(settings) as started:
            status, accepted = started.request("POST", "/api/v1/jobs", {"sql_content": "select a,b from t\n"})
            assert status == 202, accepted
            started.wait_job(accepted["job_id"])
            yield started


def api_workers(stack: Stack) -> WorkersView:
    status, body = stack.request("GET", "/api/v1/monitoring/workers")
    assert status == 200, body
    return WorkersView.model_validate_json(json.dumps(body))


async def until(app: TopApp, pilot: Pilot[None], shown: Callable[[], bool], what: str) -> None:
    """Let the dashboard refresh until ``shown()`` holds (the stack's state lands over a few beats)."""
    deadline = time.monotonic() + SHOWN_WITHIN
    while not shown():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not shown in {SHOWN_WITHIN}s: {app.snapshot}")
        await pilot.pause(0.2)


async def beating(app: TopApp, pilot: Pilot[None]) -> WorkersTable:
    """The workers table once both workers beat, the processors' counting the file the stack linted."""
    table = app.query_one(WorkersTable)

    def counted() -> bool:
        workers = table.shown_workers
        beat = len(workers) >= 2 and all(w.last_heartbeat is not None for w in workers)
        return beat and sum(w.files_done for w in workers if w.role == "processors") >= 1

    await until(app, pilot, counted, "two beating workers")
    return table


async def test_the_table_shows_the_stacks_workers_and_s_reorders_it(stack: Stack) -> None:
    app = TopApp(stack.base_url, interval=0.5)
    async with app.run_test(size=SIZE) as pilot:
        table = await beating(app, pilot)
        pids = stack.pids()
        assert {(w.role, w.pid) for w in table.shown_workers} == {("processors", pids["processors"]),
                                                            ("sink", pids["sink"])}
        answered = {w.worker_id: w for w in api_workers(stack).workers}
        assert set(table.row_ids()) == set(answered)

        def counters(source: Iterable[WorkerView]) -> dict[str, tuple[object, ...]]:
            return {w.worker_id: (w.host, w.files_done, w.files_failed,
                                  sorted((p.topic, p.partition) for p in w.assigned)) for w in source}

        # Still once the job is done, but each worker's next beat may be on its way (the sink's counts
        # arrive a beat after the processors'): the table and the API agree within a few refreshes.
        await until(app, pilot, lambda: counters(table.shown_workers) == counters(api_workers(stack).workers),
                    "the API's counters")
        processors = next(w for w in table.shown_workers if w.role == "processors")
        assert len(processors.lint_processes) == 2  # lint_layout(1): one worker, two lint processes
        assert table.row_ids() == sorted(table.row_ids())  # by worker id at first
        orders = {tuple(table.row_ids())}
        for press in range(1, len(COLUMNS) + 1):
            await pilot.press("s")
            assert table.sort_column is COLUMNS[press % len(COLUMNS)]
            expected = sort_workers(table.shown_workers, table.sort_column)
            assert table.row_ids() == [w.worker_id for w in expected]
            orders.add(tuple(table.row_ids()))
        assert len(orders) == 2, "some column orders the two workers the other way round"
        assert stack.settings.topics is not None
        queues = app.query_one(QueuesTable)
        assert stack.settings.topics.tasks in {str(cell) for cell in queues.get_column_at(0)}
        # A group shows on a topic once it has committed there (Faust commits every few seconds).
        groups = stack.settings.processors_group, stack.settings.sink_group
        await until(app, pilot, lambda: set(groups) <= {str(c) for c in queues.get_column_at(3)}, "groups")
        assert "(total 1)" in str(app.jobs_panel.render()).splitlines()[1]  # completed: the stack's job
        assert f"ingest {app.snapshot.system.ingest.host}" in str(app.system_panel.render())


async def test_enter_shows_the_picked_workers_details(stack: Stack) -> None:
    app = TopApp(stack.base_url, interval=0.5)
    async with app.run_test(size=SIZE) as pilot:
        table = await beating(app, pilot)
        await pilot.press("down")
        picked = table.selected_id()
        assert picked == table.row_ids()[1]
        await pilot.press("enter")
        assert isinstance(app.screen, WorkerScreen)
        assert app.screen.worker_id == picked
        details = app.screen.query_one(Panel)
        deadline = time.monotonic() + 30
        while f"worker     {picked}" not in str(details.render()) and time.monotonic() < deadline:
            await pilot.pause(0.2)
        text = str(details.render())
        assert f"worker     {picked}" in text
        assert "lint pool:" in text and "in group: yes" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, WorkerScreen)
        assert table.selected_id() == picked


async def test_q_quits(stack: Stack) -> None:
    app = TopApp(stack.base_url, interval=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await beating(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0
