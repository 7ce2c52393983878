"""The HTTP side of the ``sqllint`` command, on the standard library only.

Uploads are streamed from disk as a multipart body with a known length, so a
large archive is never held in memory by the client either.
"""

import json
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib import error, request
from urllib.parse import quote

from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError

CHUNK = 256 * 1024


class ApiError(LintServiceError):
    """The server answered with an error (``code`` is the API's error code)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}: {message}", code=code)
        self.status = status


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

    def __init__(self, base_url: str, timeout: float = 60.0, api_key: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
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
            raise ApiError(exc.code, err.get("code", "?"), err.get("message", "")) from exc
        except (error.URLError, OSError, ValueError) as exc:
            raise TransportError(f"cannot reach {req.full_url}: {exc}") from exc

    def _call(self, req: request.Request) -> Any:
        try:
            return json.loads(self._open(req))
        except ValueError as exc:
            raise TransportError(f"not JSON from {req.full_url}: {exc}") from exc

    def get(self, path: str) -> Any:
        """GET an API path and decode its JSON."""
        req = request.Request(self.base_url + path, headers={"Accept": "application/json", **self.auth})
        return self._call(req)

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
