"""Accepting one job: everything POST /api/v1/jobs does once the request is parsed.

The order is the contract of the 202. The Idempotency-Key is claimed first,
so of two racing requests only one goes on, and a replay is answered before
any limit is asked: the job it names was accepted within the limits already,
so a client retrying at its limit gets its 202 back, not a 429 (the request
rate, checked by the middleware before any handler, still counts replays: it
protects the replica, which serves them too). Then the tenant's limits, in
the order of their cost: a free job slot (a count, nothing stored yet), then
the day's bytes, reserved once the source is stored, as only then is the size
of a ``zip_file_path`` known. The archive is checked before anyone else sees
it; the event is acknowledged by every in-sync replica before we answer; the
first row is written after that, so a GET right after the 202 finds the job
(and the next admission counts it). A failure on the way leaves no file, no
claim and no counted bytes behind, so the client's retry starts clean.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID, uuid4

from ingest.accepted import AcceptedJobs
from ingest.callbacks import check_callback
from ingest.errors import RequestRejectedError
from ingest.idempotency import IdempotencyKeys
from ingest.job_slots import JobLimits
from ingest.producer import KafkaPublisher
from ingest.quota import DailyBytes, Reservation
from ingest.request import JobRequest
from ingest.settings import IngestSettings
from ingest.storage import Storage, safe_file_name
from ingest.views import JobAccepted
from policy.zip_policy import validate_archive
from schemas.error_codes import ErrorCode
from schemas.events import DEFAULT_TENANT, JobSubmitted
from schemas.statuses import SubmissionType

ZIP_SUFFIXES = (".zip",)
StatusUrl = Callable[[UUID], str]


@dataclass(frozen=True)
class Outcome:
    """The 202's body, and whether it replays an earlier request with the same key."""

    answer: JobAccepted
    replayed: bool


class SubmitJob:
    """Idempotency, then storage, archive check, publish (acks=all) and first row."""

    def __init__(
        self,
        settings: IngestSettings,
        keys: IdempotencyKeys,
        storage: Storage,
        publisher: KafkaPublisher,
        accepted: AcceptedJobs,
    ) -> None:
        self._settings = settings
        self._keys = keys
        self._storage = storage
        self._publisher = publisher
        self._accepted = accepted

    async def __call__(
        self,
        request: JobRequest,
        key: str | None,
        status_url: StatusUrl,
        tenant: str = DEFAULT_TENANT,
        *,
        limits: JobLimits,
    ) -> Outcome:
        """Accept ``request`` as ``tenant``'s new job, or replay the answer its key already got."""
        job_id = uuid4()
        try:
            await check_callback(request.callback_url, self._settings)  # before anything is claimed
            async with self._keys.guard(key, tenant):
                replay = None
                if key is not None:  # the fingerprint is a digest of the body: only a keyed request needs it
                    replay = await self._keys.claim(key, request.fingerprint, job_id, tenant)
                if replay is not None:
                    return Outcome(replay, replayed=True)
                job = await self._accept(job_id, request, key, tenant, limits)
                answer = JobAccepted(
                    job_id=job_id, submission_type=job.submission_type, status_url=status_url(job_id)
                )
                await self._keys.complete(key, answer, tenant)
                return Outcome(answer, replayed=False)
        finally:
            if request.upload is not None:  # a no-op once the upload became the job's
                await self._storage.drop(request.upload.staged)

    async def _accept(
        self, job_id: UUID, request: JobRequest, key: str | None, tenant: str, limits: JobLimits
    ) -> JobSubmitted:
        """The job admitted, published and recorded; its slot held until its row counts it."""
        try:
            await limits.slots.admit(tenant)
        except BaseException:
            await self._keys.release(key, job_id, tenant)
            raise
        try:
            job = await self._published(job_id, request, key, tenant, limits.daily)
            await self._accepted.record(job)
        finally:
            limits.slots.settle(tenant)
        return job

    async def _published(
        self, job_id: UUID, request: JobRequest, key: str | None, tenant: str, daily: DailyBytes
    ) -> JobSubmitted:
        """The job stored, counted, checked and durable on its topic; or nothing of it when a step fails."""
        reservation: Reservation | None = None
        try:
            job = await self._stored(job_id, request, tenant)
            reservation = await daily.reserve(tenant, await self._source_bytes(job))
            await self._check_archive(job)
            await self._publisher.publish(job)
        except BaseException:
            if reservation is not None:
                await daily.refund(reservation)
            await self._storage.discard(job_id)
            await self._keys.release(key, job_id, tenant)
            raise
        return job

    async def _stored(self, job_id: UUID, request: JobRequest, tenant: str) -> JobSubmitted:
        """The event of the request; its source is inline only when small enough for an event.

        The default tenant is left off the event, so a job without tenants is byte-identical to before.
        """
        sql = request.sql_content
        inline = sql is not None and len(sql.encode()) <= self._settings.inline_max_bytes
        return JobSubmitted(
            job_id=job_id,
            submission_type=request.kind,
            file_name=request.file_name,
            sql_content=sql if inline else None,
            storage_path=None if inline else await self._place(job_id, request, tenant),
            options=request.options,
            callback_url=request.callback_url,
            tenant=None if tenant == DEFAULT_TENANT else tenant,
        )

    async def _source_bytes(self, job: JobSubmitted) -> int:
        """What the day's quota counts: the SQL text's UTF-8 bytes, or the stored file's (upload or ZIP)."""
        if job.storage_path is None:
            return len((job.sql_content or "").encode())
        stat = await asyncio.to_thread((self._storage.root / job.storage_path).stat)
        return stat.st_size

    async def _check_archive(self, job: JobSubmitted) -> None:
        """A bad archive is refused now, with its 4xx, rather than failing later as a rejected job."""
        if job.submission_type is SubmissionType.ZIP_ARCHIVE and job.storage_path is not None:
            archive = self._storage.root / job.storage_path
            await asyncio.to_thread(validate_archive, archive, self._settings.zip_limits)

    async def _place(self, job_id: UUID, request: JobRequest, tenant: str) -> str:
        """Where on the storage root the job's source lies: stored now, or named by the client."""
        if request.sql_content is not None:
            name = safe_file_name(request.file_name or "", "query.sql")
            return await self._storage.save_text(job_id, name, request.sql_content)
        if request.zip_file_path is not None:
            return await self._storage.locate(request.zip_file_path, ZIP_SUFFIXES, tenant)
        if request.upload is None:
            raise RequestRejectedError(ErrorCode.MISSING_SOURCE, "the request carries no SQL")
        default = "upload.zip" if request.kind is SubmissionType.ZIP_ARCHIVE else "upload.sql"
        name = safe_file_name(request.upload.client_name, default)
        return await self._storage.adopt(request.upload.staged, job_id, name)
