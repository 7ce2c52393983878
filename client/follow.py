"""Following a job to its end: the server's live events when it offers them, else polling.

``GET /api/v1/jobs/{id}/events`` streams Server-Sent Events (``file``,
``progress``, ``end``); a dropped stream is resumed with ``Last-Event-ID``.
An older server answers 404 there, and the command polls the job instead, so
one client works with both. The results are read from the job's status in
the database, which the sink may write a moment after the ``end`` event:
the job is polled until final either way, usually once.
"""

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any
from urllib import error, request

from tqdm import tqdm

from client.http import ApiClient, TransportError
from schemas.statuses import JOB_FINAL

RECONNECTS = 3
Event = tuple[str, str, str | None]


def sse_events(lines: Iterable[bytes]) -> Iterator[Event]:
    """The (event, data, last id) of each event in a ``text/event-stream`` (the WHATWG rules we need)."""
    name, data, last_id = "message", list[str](), None
    for raw in lines:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                yield name, "\n".join(data), last_id
            name, data = "message", []
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
        elif field == "id":
            last_id = value


@dataclass
class Follower:
    """Waits for one job, moving the progress bar."""

    api: ApiClient
    bar: tqdm
    deadline: float
    poll_interval: float = 0.5
    read_timeout: float = 30.0

    def _show(self, name: str, data: str) -> bool:
        """Move the bar; True at the ``end`` event."""
        payload: dict[str, Any] = json.loads(data)
        if name == "progress":
            self.bar.total = payload["task_count"]
            self.bar.update(payload["done"] - self.bar.n)
        elif name == "file":
            self.bar.set_postfix_str(str(payload.get("file_name", "")), refresh=False)
        return name == "end"

    def stream(self, job_id: str) -> bool:
        """Read the job's events to ``end``; False when the server does not offer them or keeps failing.

        A dropped or silent stream is resumed from the last event seen
        (``Last-Event-ID``); only ``RECONNECTS`` attempts in a row that bring
        nothing new give up, so a long job survives any number of drops.
        """
        last_id: str | None = None
        fruitless = 0
        while fruitless < RECONNECTS and time.monotonic() < self.deadline:
            resume = {"Last-Event-ID": last_id} if last_id else {}
            headers = {"Accept": "text/event-stream", **self.api.auth, **resume}
            req = request.Request(f"{self.api.base_url}/api/v1/jobs/{job_id}/events", headers=headers)
            before = last_id
            try:
                with request.urlopen(req, timeout=self.read_timeout) as response:
                    for name, data, event_id in sse_events(response):
                        last_id = event_id
                        if self._show(name, data):
                            return True
            except error.HTTPError as exc:
                exc.close()
                return False  # 404 on a server without events: polling works everywhere
            except (OSError, ValueError, HTTPException):
                pass  # dropped (a cut chunk is IncompleteRead) or silent
            fruitless = 0 if last_id != before else fruitless + 1
        return False

    def poll(self, job_id: str) -> dict[str, Any]:
        """The job once final, moving the bar from its counts; TransportError past the deadline."""
        while True:
            job: dict[str, Any] = self.api.get(f"/api/v1/jobs/{job_id}?size=1")
            if job.get("task_count") is not None:
                self.bar.total = job["task_count"]
                self.bar.update(job["tasks_succeeded"] + job["tasks_failed"] - self.bar.n)
            if job["job_status"] in JOB_FINAL:
                return job
            if time.monotonic() > self.deadline:
                raise TransportError(f"job {job_id} not finished in time")
            time.sleep(self.poll_interval)

    def follow(self, job_id: str) -> dict[str, Any]:
        """The final job: its events followed live when offered, then its status read."""
        self.stream(job_id)
        return self.poll(job_id)
