"""The ``sqllint top`` application: layout, refresh timer and keys.

Reads happen off the UI loop (``asyncio.to_thread``: the client is stdlib
``urllib``), one at a time: a refresh still running when the timer fires again
is not doubled, so a slow ingest cannot pile up requests against itself.
"""

import asyncio
from typing import ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Static

from client.http import ApiClient
from client.top.data import Snapshot, fetch_snapshot
from client.top.details import WorkerScreen
from client.top.panels import jobs_lines, system_lines
from client.top.rates import JobRates
from client.top.widgets import Panel, QueuesTable, WorkersTable

CSS = """
#workers { height: 1fr; }
#bottom { height: 1fr; }
#queues { width: 1fr; }
#side { width: 1fr; }
Panel { border: round $primary; height: auto; padding: 0 1; }
#status { height: auto; color: $text-muted; }
"""


class TopApp(App[None]):
    """Workers, queues, jobs and hosts of one service, refreshed every ``interval`` seconds."""

    TITLE = "sqllint top"
    CSS = CSS
    BINDINGS: ClassVar = [
        Binding("s", "sort", "sort"),
        Binding("r", "refresh", "refresh"),
        Binding("q", "quit", "quit"),
    ]

    def __init__(self, url: str, interval: float = 2.0, api_key: str | None = None) -> None:
        super().__init__()
        self.api = ApiClient(url, timeout=max(2.0, interval * 2), api_key=api_key, wait_budget_s=0)
        self.interval = interval
        self.rates = JobRates()
        self.snapshot: Snapshot | None = None
        self.refreshes = 0
        self._reading = False
        self.sub_title = url
        # Held, not queried: a refresh lands while a worker's screen is on top, where a query finds nothing.
        self.status = Static("connecting...", id="status", markup=False)
        self.workers_table = WorkersTable()
        self.queues_table = QueuesTable()
        self.jobs_panel = Panel("jobs and failures", "jobs")
        self.system_panel = Panel("system", "system")

    def compose(self) -> ComposeResult:
        """Status line, workers on top, queues beside jobs and hosts below, the keys."""
        yield Header(show_clock=True)
        yield self.status
        yield self.workers_table
        with Horizontal(id="bottom"):
            yield self.queues_table
            with Vertical(id="side"):
                yield self.jobs_panel
                yield self.system_panel
        yield Footer()

    def on_mount(self) -> None:
        """Keys go to the workers table; the first read now, then every interval."""
        self.workers_table.focus()
        self.action_refresh()
        self.set_interval(self.interval, self.action_refresh)

    def action_refresh(self) -> None:
        """Read the API again now, unless a read is still under way."""
        if not self._reading:
            self._reading = True
            self.read_snapshot()

    @work(group="refresh")
    async def read_snapshot(self) -> None:
        """One snapshot, read off the UI loop, then shown."""
        try:
            snapshot = await asyncio.to_thread(fetch_snapshot, self.api)
        finally:
            self._reading = False
        if snapshot.job_totals:
            self.rates.add(snapshot.at, snapshot.job_totals)
        self.show(snapshot)

    def show(self, snapshot: Snapshot) -> None:
        """Redraw every panel in place from one snapshot."""
        self.snapshot = snapshot
        self.refreshes += 1
        self.show_status()
        if snapshot.workers:
            self.workers_table.show(snapshot.workers.workers)
        if snapshot.queues:
            self.queues_table.show(snapshot.queues)
        self.jobs_panel.show(jobs_lines(snapshot, self.rates))
        if snapshot.system:
            self.system_panel.show(system_lines(snapshot.system))

    def show_status(self) -> None:
        """The line above the table: how many workers, the sort, and what could not be read."""
        workers = self.snapshot.workers if self.snapshot else None
        status = f"{workers.total_workers} workers" if workers else "workers unknown"
        if workers and not workers.heartbeats_loaded:
            status += " (heartbeats still loading)"
        status += f"   sort: {self.workers_table.sort_column.title} (s)   every {self.interval:g}s"
        errors = self.snapshot.errors if self.snapshot else ()
        self.status.update("\n".join((status, *errors)))

    def action_sort(self) -> None:
        """Order the workers by the next column."""
        self.workers_table.next_sort()
        self.show_status()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a worker opens its details."""
        if isinstance(event.data_table, WorkersTable) and event.row_key.value is not None:
            self.push_screen(WorkerScreen(self.api, event.row_key.value, self.interval))


def run(url: str, interval: float, api_key: str | None = None) -> int:
    """Run the dashboard in this terminal until ``q``; the exit status."""
    TopApp(url, interval, api_key).run()
    return 0
