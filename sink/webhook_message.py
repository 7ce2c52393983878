"""What a callback says and how a receiver knows we said it: the summary body and its signature.

The scheme is GitHub's and Stripe's: an HMAC-SHA256 over the timestamp and
the exact body bytes, in a header a receiver recomputes and compares in
constant time, refusing an old timestamp so a captured request cannot be
replayed later (docs/webhooks.md has a receiver's code).

The secret is per submitter and derived, never stored: until the service has
API keys, a submitter is the origin of its callback URL, and its secret is
``HMAC-SHA256(WEBHOOK_SIGNING_KEY, "origin:" + origin)``. An operator hands a
receiver its secret with ``python -m deploy webhook-secret <origin>``.
"""

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from schemas.http import utc_text

EVENT = "job.finished"
SIGNATURE_HEADER = "X-Sqllint-Signature-256"
TIMESTAMP_HEADER = "X-Sqllint-Timestamp"
# One delivery id per job, the same on every attempt, so a receiver can drop a repeat.
_DELIVERY_NAMESPACE = uuid5(NAMESPACE_URL, "urn:sqllint:webhook-delivery")


def derive_secret(signing_key: str, origin: str) -> bytes:
    """The signing secret of the submitter at ``origin`` (``scheme://host:port``)."""
    return hmac.new(signing_key.encode(), b"origin:" + origin.encode(), hashlib.sha256).digest()


def secret_text(secret: bytes) -> str:
    """How a receiver is given its secret and keys its HMAC: the hex text, used as UTF-8 bytes."""
    return secret.hex()


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>`` over ``<timestamp>.<body>``, keyed by the secret's hex text."""
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret_text(secret).encode(), signed, hashlib.sha256).hexdigest()


def delivery_id(job_id: str) -> UUID:
    """The job's delivery id: stable across attempts."""
    return uuid5(_DELIVERY_NAMESPACE, job_id)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else utc_text(value)


def summary(job: dict[str, Any]) -> dict[str, Any]:
    """The job's summary from its row: the keys and values GET /api/v1/jobs/{id} shows for them."""
    job_id = job["job_id"]
    error = (
        None if job["error_code"] is None else {"code": job["error_code"], "message": job["error_message"]}
    )
    return {
        "event": EVENT,
        "job_id": job_id,
        "job_status": job["status"],
        "submission_type": job["submission_type"],
        "file_name": job["source_name"],
        "task_count": job["task_count"],
        "tasks_succeeded": job["tasks_succeeded"],
        "tasks_failed": job["tasks_failed"],
        "violation_count": job["violation_count"],
        "error": error,
        "created_at": _iso(job["created_at"]),
        "finished_at": _iso(job["finished_at"]),
        "job_path": f"/api/v1/jobs/{job_id}",
        "results_path": f"/api/v1/jobs/{job_id}/results",
    }


def body_bytes(job: dict[str, Any]) -> bytes:
    """The exact bytes that are sent and signed."""
    return json.dumps(summary(job), separators=(",", ":"), ensure_ascii=False).encode()


def signed_headers(secret: bytes, job_id: str, body: bytes, timestamp: int) -> dict[str, str]:
    """The headers of one attempt: what it is, which delivery, when, and the signature."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "sqllint-webhooks/1",
        "X-Sqllint-Event": EVENT,
        "X-Sqllint-Delivery": str(delivery_id(job_id)),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }
