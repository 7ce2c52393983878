"""The progress bar follows the service's live events: to ``end``, across a cut connection, or by polling.

Against a whole running stack. The cut is made by a small TCP relay in front
of the ingest that passes the response headers and the first event's chunk,
then closes both sides: the client must resume with ``Last-Event-ID`` and
still see every file.
"""

import io
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from tqdm import tqdm

from client.follow import Follower
from client.http import ApiClient
from client.plan import Planner
from harness.stack import Stack
from tests.client.stack import stack

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
__all__ = ["stack"]  # the fixture, imported to be used here
FILES = 4


class CuttingRelay:
    """Relays HTTP to the ingest; the first response is cut after its first chunk holding an event id."""

    def __init__(self, upstream: str) -> None:
        host, port = upstream.removeprefix("http://").split(":")
        self.upstream = (host, int(port))
        self.server = socket.create_server(("127.0.0.1", 0))
        self.requests: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client, len(self.requests) == 0), daemon=True).start()

    def _relay(self, client: socket.socket, cut: bool) -> None:
        with client, socket.create_connection(self.upstream) as upstream:
            request = client.recv(65536)
            self.requests.append(request)
            upstream.sendall(request)
            received = b""
            while chunk := upstream.recv(65536):
                if not cut:
                    client.sendall(chunk)
                    continue
                received += chunk
                head, sep, body = received.partition(b"\r\n\r\n")
                if sep and (event := _first_event_chunk(body)) is not None:
                    client.sendall(head + sep + event)
                    return  # both sockets close: the stream is cut mid-way

    def close(self) -> None:
        self.server.close()


def _first_event_chunk(body: bytes) -> bytes | None:
    """The chunked body up to and including the first chunk that carries an ``id:``; None until it came."""
    end = 0
    while (line_end := body.find(b"\r\n", end)) >= 0:
        size = int(body[end:line_end].split(b";")[0], 16)
        chunk_end = line_end + 2 + size + 2
        if chunk_end > len(body):
            return None
        end = chunk_end
        if b"id:" in body[line_end + 2 : chunk_end]:
            return body[:end]
    return None


@pytest.fixture
def job_id(stack: Stack, tmp_path: Path) -> Iterator[str]:
    """A submitted job of FILES files (already finished or not: the stream replays either way)."""
    for i in range(FILES):
        (tmp_path / "sql" / f"q{i}.sql").parent.mkdir(exist_ok=True)
        (tmp_path / "sql" / f"q{i}.sql").write_text(f"select a{i},b from t where x={i}\n")
    [job] = Planner(tmp_path, tmp_path).plan([str(tmp_path / "sql")])
    (tmp_path / "work").mkdir()
    upload, _ = job.upload(tmp_path / "work")
    yield ApiClient(stack.base_url).submit(upload, {})["job_id"]


def follower(url: str) -> Follower:
    bar = tqdm(file=io.StringIO(), disable=False)
    return Follower(ApiClient(url), bar, deadline=float("inf"), poll_interval=0.1, read_timeout=30)


def test_the_bar_follows_the_stream_to_its_end(stack: Stack, job_id: str) -> None:
    follow = follower(stack.base_url)
    assert follow.stream(job_id) is True
    assert (follow.bar.n, follow.bar.total) == (FILES, FILES)
    assert follow.follow(job_id)["job_status"] == "COMPLETED"


def test_a_cut_stream_is_resumed_from_the_last_event(stack: Stack, job_id: str) -> None:
    relay = CuttingRelay(stack.base_url)
    try:
        follow = follower(relay.url)
        assert follow.stream(job_id) is True
    finally:
        relay.close()
    assert (follow.bar.n, follow.bar.total) == (FILES, FILES)
    first, second = relay.requests[:2]
    assert b"last-event-id" not in first.lower()
    assert b"last-event-id: " in second.lower()


def test_a_server_without_events_is_polled(stack: Stack, job_id: str) -> None:
    # An older ingest answers 404 on /events; a wrong prefix on this one answers the same 404.
    follow = follower(stack.base_url)
    follow.api.base_url = stack.base_url + "/old"
    assert follow.stream(job_id) is False
    follow.api.base_url = stack.base_url
    assert follow.poll(job_id)["job_status"] == "COMPLETED"
    assert (follow.bar.n, follow.bar.total) == (FILES, FILES)
