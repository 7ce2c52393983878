"""One worker's details screen: everything the API knows about the worker picked with enter.

It refreshes on the dashboard's interval, on its own: an operator watching a
worker being paused or its pool restarted sees the state and the control
acknowledgement change without going back. A worker that went away says so
(``WORKER_NOT_FOUND``) rather than closing the screen under the reader.
"""

import asyncio
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header

from client.http import ApiClient, ApiError, TransportError
from client.top.data import fetch_worker
from client.top.panels import worker_lines
from client.top.widgets import Panel


class WorkerScreen(Screen[None]):
    """One worker's details, refreshed like the main view; ``escape`` goes back."""

    BINDINGS: ClassVar = [Binding("escape", "app.pop_screen", "back")]

    def __init__(self, api: ApiClient, worker_id: str, interval: float) -> None:
        super().__init__()
        self.api, self.worker_id, self.interval = api, worker_id, interval

    def compose(self) -> ComposeResult:
        """A header, the details panel, the keys."""
        yield Header()
        yield Panel(f"worker {self.worker_id}", "details")
        yield Footer()

    def on_mount(self) -> None:
        """Show the worker now, then every interval."""
        self.reload()
        self.set_interval(self.interval, self.reload)

    @work(exclusive=True, group="details")
    async def reload(self) -> None:
        """Fetch the worker again; a gone worker says so instead of closing the screen."""
        try:
            lines = worker_lines(await asyncio.to_thread(fetch_worker, self.api, self.worker_id))
        except (ApiError, TransportError) as exc:
            lines = [f"worker {self.worker_id}: {exc}"]
        self.query_one(Panel).show(lines)
