"""The load of every scenario: ZIPs of small SQL files, and a stream of single-text POSTs.

Files are built from a handful of templates whose SQLFluff answer is computed
once, so every result in the database can be checked, not just counted. The
template of a file is in its name (``..._t<k>.sql``).
"""

import itertools
import json
import re
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.oracle import sqlfluff_says

STATEMENTS = (
    "select a,b from t where x=1",
    "SELECT id, name\nFROM users\nWHERE active = 1",
    "select  c from   u join v on u.id=v.id",
    "SELECT COUNT(*) AS n FROM orders GROUP BY customer_id",
    "insert into t (a, b) values (1,2)",
)
# Ten statements a file: ~0.15 s of SQLFluff each, so 500 files keep two lint processes busy ~40 s.
REPEAT = 10
TEMPLATES = tuple(f"{statement};\n" * REPEAT for statement in STATEMENTS)
_serials = itertools.count()
_serial_lock = threading.Lock()
_TEMPLATE_OF = re.compile(r"_t(\d+)\.sql$")


def template_of(file_name: str) -> int:
    """Which template a load file was made from."""
    found = _TEMPLATE_OF.search(file_name)
    if found is None:
        raise ValueError(f"{file_name!r} is not a load file")
    return int(found.group(1))


def unique_sql(template: int, serial: int | None = None) -> str:
    """A template made unique by a fixed-width trailing comment, so no file is a cache hit of another."""
    if serial is None:
        with _serial_lock:
            serial = next(_serials)
    return f"{TEMPLATES[template]}-- load file {serial:010d}\n"


def expected_results() -> dict[int, Any]:
    """SQLFluff's own answer for each template (the oracle); the comment changes no violation."""
    return {k: sqlfluff_says(unique_sql(k, 0)) for k in range(len(TEMPLATES))}


def write_zips(storage: Path, archives: int, files: int) -> list[str]:
    """``archives`` ZIPs of ``files`` members each under ``storage/load``; their relative paths."""
    folder = storage / "load"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for a in range(archives):
        path = folder / f"load-{a}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in range(files):
                k = (a + f) % len(TEMPLATES)
                zf.writestr(f"dir{f % 4}/file{f:04d}_t{k}.sql", unique_sql(k))
        paths.append(path.relative_to(storage).as_posix())
    return paths


def post(base_url: str, body: dict[str, Any], timeout: float = 60) -> tuple[int, dict[str, Any]]:
    """POST a job; a transport error is status 0 (never counted as accepted)."""
    req = urllib.request.Request(
        f"{base_url}/api/v1/jobs", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        payload = err.read()
        try:
            return err.code, json.loads(payload)
        except ValueError:
            return err.code, {"raw": payload[:200].decode(errors="replace")}
    except OSError as exc:
        return 0, {"transport_error": str(exc)}


@dataclass
class Answer:
    """One POST: when it was sent, what came back, and the job it created if 2xx."""

    sent_at: float
    status: int
    code: str | None
    job_id: str | None
    expected_tasks: int


@dataclass
class Ledger:
    """Every answer the load got, shared by the posting threads."""

    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def submit(self, base_url: str, body: dict[str, Any], expected_tasks: int) -> Answer:
        """POST one job and record the answer, whatever it is."""
        sent_at = time.monotonic()
        status, reply = post(base_url, body)
        accepted = 200 <= status < 300
        answer = Answer(
            sent_at, status, (reply.get("error") or {}).get("code") if not accepted else None,
            reply.get("job_id") if accepted else None, expected_tasks,
        )
        with self.lock:
            self.answers.append(answer)
        return answer

    def accepted(self) -> dict[str, int]:
        """Job id -> tasks it must end with, for every 2xx."""
        with self.lock:
            return {a.job_id: a.expected_tasks for a in self.answers if a.job_id}

    def statuses(self) -> Counter[int]:
        """How many answers had each HTTP status."""
        with self.lock:
            return Counter(a.status for a in self.answers)

    def files(self) -> int:
        """Files the accepted jobs hold."""
        return sum(self.accepted().values())


class PostStream:
    """Threads posting single-text jobs back to back until stopped: traffic during a fault."""

    def __init__(self, base_url: str, ledger: Ledger, threads: int = 2, pause: float = 0.5) -> None:
        self.base_url = base_url
        self.pause = pause
        self.ledger = ledger
        self._stop = threading.Event()
        self._count = 0
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _next(self) -> int:
        with self._lock:
            self._count += 1
            return self._count

    def _run(self) -> None:
        while not self._stop.is_set():
            i = self._next()
            k = i % len(TEMPLATES)
            body = {"sql_content": unique_sql(k), "file_name": f"stream{i}_t{k}.sql"}
            self.ledger.submit(self.base_url, body, 1)
            self._stop.wait(self.pause)

    def __enter__(self) -> "PostStream":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(120)
