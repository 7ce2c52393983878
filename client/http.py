"""The HTTP side of the ``sqllint`` command, on the standard library only.

Uploads are streamed from disk as a multipart body with a known length, so a
large archive is never held in memory by the client either.
"""

import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib import error, request
from urllib.parse import quote

from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError

CHUNK = 256 * 1024


class ApiError(LintServiceError):
    """The server answered with an error (``code`` is the API's error code)."""

    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status} {code}: {message}", code=code)
        self.status = status
        # Seconds the server asked us to wait (429 limits, 503 outages, a key still in flight).
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds; the HTTP-date form is not one our server sends, so it counts as absent."""
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


class TransportError(LintServiceError, code=ErrorCode.TRANSPORT_ERROR):
    """The server could not be reached or answered something that is not our API."""


def _multipart(fields: Mapping[str, str], file_path: Path, boundary: str) -> tuple[Iterator[bytes], int]:
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value.encode()
        + b"\r\n"
        for name, value in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{quote(file_path.name)}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        with file_path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
        yield tail

    return body(), len(head) + file_path.stat().st_size + len(tail)


class ApiClient:
    """Calls of the ingest API used by the command."""

    def __init__(
        self, base_url: str, timeout: float = 60.0, api_key: str | None = None, wait_budget_s: float = 120.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        # How long, in all, a call may wait as Retry-After asks before giving up; 0 never waits.
        self.wait_budget_s = wait_budget_s
        # Sent with every call; none: the service must run with AUTH_REQUIRED=false (make run).
        self.auth = {"Authorization": f"Bearer {api_key}"} if api_key else {}

    def _open(self, req: request.Request, answers: frozenset[int] = frozenset()) -> bytes:
        """The body of the answer; an HTTP status in ``answers`` is an answer, any other error raises."""
        try:
            with request.urlopen(req, timeout=self.timeout) as response:
                body: bytes = response.read()
                return body
        except error.HTTPError as exc:
            raw = exc.read()
            if exc.code in answers:
                return raw
            try:
                err = json.loads(raw)["error"]
            except (ValueError, KeyError, TypeError):
                raise TransportError(f"HTTP {exc.code} from {req.full_url}") from exc
            wait = _retry_after(exc.headers.get("Retry-After"))
            raise ApiError(exc.code, err.get("code", "?"), err.get("message", ""), wait) from exc
        except (error.URLError, OSError, ValueError) as exc:
            raise TransportError(f"cannot reach {req.full_url}: {exc}") from exc

    def _waiting(self, call: Callable[[], Any]) -> Any:
        """``call``'s answer, waiting as a 429 or 503 asks (within the budget), like a polite CI job.

        A request the server refused for a limit or an outage changed nothing on it, and a
        submission is retried with its Idempotency-Key, so calling again is always safe.
        """
        deadline = time.monotonic() + self.wait_budget_s
        while True:
            try:
                return call()
            except ApiError as exc:
                if exc.retry_after is None or time.monotonic() + exc.retry_after > deadline:
                    raise
                time.sleep(exc.retry_after)

    def _call(self, req: request.Request) -> Any:
        try:
            return json.loads(self._open(req))
        except ValueError as exc:
            raise TransportError(f"not JSON from {req.full_url}: {exc}") from exc

    def get(self, path: str) -> Any:
        """GET an API path and decode its JSON."""
        req = request.Request(self.base_url + path, headers={"Accept": "application/json", **self.auth})
        return self._waiting(lambda: self._call(req))

    def get_body(self, path: str, answers: frozenset[int] = frozenset()) -> bytes:
        """GET an API path's body undecoded, for strict models that read JSON themselves.

        ``answers`` names error statuses whose body is still the answer (the
        503 of an unhealthy ``/api/v1/health/workers`` carries its reasons).
        """
        req = request.Request(self.base_url + path, headers={"Accept": "application/json", **self.auth})
        return self._open(req, answers)

    def submit(self, file_path: Path, fields: Mapping[str, str], attempts: int = 2) -> dict[str, Any]:
        """POST a .sql or .zip file with its options; returns the 202 body.

        A transport failure is retried with the same Idempotency-Key, so a
        submission whose answer was lost does not become a second job.
        """
        key = str(uuid.uuid4())
        return dict(self._waiting(lambda: self._submit_once(file_path, fields, key, attempts)))

    def _submit_once(
        self, file_path: Path, fields: Mapping[str, str], key: str, attempts: int
    ) -> dict[str, Any]:
        """One submission, its transport failures retried with the same key."""
        for attempt in range(1, attempts + 1):
            boundary = uuid.uuid4().hex
            body, length = _multipart(fields, file_path, boundary)
            req = request.Request(
                self.base_url + "/api/v1/jobs",
                data=body,
                method="POST",
                headers={
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Content-Length": str(length),
                    "Accept": "application/json",
                    "Idempotency-Key": key,
                    **self.auth,
                },
            )
            try:
                result: dict[str, Any] = self._call(req)
                return result
            except TransportError:
                if attempt == attempts:
                    raise
        raise TransportError("no attempt was made")
