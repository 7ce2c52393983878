"""Small files go to the lint processes in batches: one pickle and one pool round trip per batch.

Handing a file to a pool process and getting its outcome back crosses three
threads of the parent (the pool's scheduler and result threads, the event
loop) and a pipe each way; on two busy cores each hop may wait for the GIL, and
meanwhile the lint process idles. The batcher keeps one batch running per lint
process plus one waiting in the pool's pipe (so a process that finishes takes
its next files at once), and collects whatever arrives meanwhile into the next
batch. An idle pool still gets a lone file at once: nothing waits for a batch
to fill. Express files go to the head of the next batch.

Per-file limits still hold. A batch runs under one file's time limit, and a
batch that timed out or lost its process cannot say which file was to blame:
every file of it is linted again alone ("solo"), so the guilty file fails
alone with its own timeout, crash or memory outcome, and its batch-mates get
their real results.
"""

import asyncio
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from processors.lint_worker import lint_batch, lint_text
from schemas.errors import LintServiceError

# The pool's submit: (function, *args, task_id=...) -> the function's value in a lint process.
Submit = Callable[..., Awaitable[Any]]


def _answer() -> "asyncio.Future[dict[str, Any]]":
    return asyncio.get_running_loop().create_future()


@dataclass
class _File:
    args: tuple[str, str, str]  # file name, SQL, options as JSON: what lint_text takes
    task_id: UUID | None
    express: bool
    solo: bool = False  # its batch was lost: linted alone from now on
    answer: "asyncio.Future[dict[str, Any]]" = field(default_factory=_answer)

    @property
    def size(self) -> int:
        return len(self.args[1])


class Batcher:
    """Queues files for ``submit`` and sends them as batches of up to ``max_files`` and ``max_bytes``."""

    def __init__(self, submit: Submit, processes: int, max_files: int, max_bytes: int) -> None:
        self._submit = submit
        self._limit = processes + 1  # batches in flight: one per process, one waiting in the pipe
        self.max_files, self.max_bytes = max(1, max_files), max_bytes
        self._waiting: dict[bool, deque[_File]] = {True: deque(), False: deque()}
        self._in_flight = 0
        self._runs: set[asyncio.Task[None]] = set()
        self.sizes: Counter[int] = Counter()  # batches sent, by files in them (for the tests and profiles)
        self.lost = 0  # batches that timed out or lost their process, their files then linted alone

    async def lint(
        self, file_name: str, sql: str, options_json: str, task_id: UUID | None, express: bool = False
    ) -> dict[str, Any]:
        """The worker's outcome dict for one file; raises what the pool raised for a file linted alone."""
        item = _File((file_name, sql, options_json), task_id, express)
        self._waiting[express].append(item)
        self._dispatch()
        return await item.answer

    def close(self) -> None:
        """Files not yet sent are abandoned with their callers (the pool is closing; from any thread)."""
        for queue in self._waiting.values():
            while queue:
                answer = queue.popleft().answer
                answer.get_loop().call_soon_threadsafe(answer.cancel)

    def _dispatch(self) -> None:
        while self._in_flight < self._limit:
            batch = self._next_batch()
            if not batch:
                return
            self._in_flight += 1
            self.sizes[len(batch)] += 1
            run = asyncio.ensure_future(self._run(batch))
            self._runs.add(run)
            run.add_done_callback(self._runs.discard)

    def _next_batch(self) -> list[_File]:
        """Express files first, then bulk ones; a solo or an oversized file goes alone."""
        batch: list[_File] = []
        size = 0
        for queue in (self._waiting[True], self._waiting[False]):
            while queue and len(batch) < self.max_files:
                item = queue[0]
                if item.answer.done():  # its caller gave up waiting
                    queue.popleft()
                    continue
                if batch and (item.solo or batch[0].solo or size + item.size > self.max_bytes):
                    return batch
                batch.append(queue.popleft())
                size += item.size
        return batch

    async def _run(self, batch: list[_File]) -> None:
        try:
            await (self._one(batch[0]) if len(batch) == 1 else self._many(batch))
        except asyncio.CancelledError:
            for item in batch:
                item.answer.cancel()
            raise
        finally:
            self._in_flight -= 1
            self._dispatch()

    async def _one(self, item: _File) -> None:
        try:
            value = await self._submit(lint_text, *item.args, task_id=item.task_id)
        except Exception as exc:  # the caller's to judge: a timeout, a lost process, a broken pool
            _settle(item, error=exc)
        else:
            _settle(item, value)

    async def _many(self, batch: list[_File]) -> None:
        try:
            values = await self._submit(lint_batch, [item.args for item in batch], task_id=batch[0].task_id)
        except LintServiceError:  # timed out or lost its process: again, each file alone
            self.lost += 1
            for item in reversed(batch):
                item.solo = True
                self._waiting[item.express].appendleft(item)
            return
        except Exception as exc:  # not about any file (a broken pool): every caller hears it
            for item in batch:
                _settle(item, error=exc)
            return
        for item, value in zip(batch, values, strict=True):
            _settle(item, value)


def _settle(item: _File, value: dict[str, Any] | None = None, error: BaseException | None = None) -> None:
    if item.answer.done():  # its caller gave up waiting
        return
    if error is not None:
        item.answer.set_exception(error)
    else:
        item.answer.set_result(value or {})
