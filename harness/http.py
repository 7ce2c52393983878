"""Talking to the ingest the way any client does: JSON over HTTP, uploads as multipart forms.

Plain ``urllib``: what the harness checks should not depend on a client
library the services do not use. HTTP errors are answers, not exceptions.
"""

import json
import urllib.error
import urllib.request
import uuid
from typing import Any


def request(base_url: str, method: str, path: str, body: Any = None, *, data: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 60) -> tuple[int, Any]:
    """Status and decoded JSON body; ``body`` is sent as JSON, ``data`` as it is."""
    hdrs = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(base_url + path, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def multipart(fields: dict[str, str], file_name: str, content: bytes,
              file_type: str = "application/octet-stream") -> tuple[bytes, str]:
    """A form upload as browsers and curl send it (urllib has no encoder of its own): body, content type."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        f"Content-Type: {file_type}\r\n\r\n".encode() + content + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
