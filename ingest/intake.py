"""From a validated draft to an accepted job: storage, archive check, publish, first row.

The order is the contract of the 202: the event is acknowledged by every
in-sync replica before we answer, and the job's first row is written after
that (best effort) so a GET right after the 202 finds the job.
"""

import asyncio
import logging
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from ingest.db import run_db
from ingest.errors import DatabaseUnavailableError, RequestRejectedError
from ingest.producer import KafkaPublisher
from ingest.recent import RecentJobs
from ingest.records import insert_accepted_job
from ingest.settings import IngestSettings
from ingest.storage import SavedFile, Storage, safe_file_name
from ingest.submissions import build_job
from policy.zip_policy import ArchiveRejectedError, validate_archive
from schemas.codec import encode
from schemas.events import JobSubmitted, LintOptions
from schemas.statuses import SubmissionType

log = logging.getLogger(__name__)
ZIP_SUFFIXES = (".zip",)
_TOO_LARGE_CODES = frozenset({"ZIP_TOO_LARGE"})


@dataclass(frozen=True)
class Draft:
    """A parsed request: one source (inline text, a path under the root, or an upload)."""

    fingerprint: str
    kind: SubmissionType
    options: LintOptions
    file_name: str | None
    sql_content: str | None = None
    zip_file_path: str | None = None
    upload: SavedFile | None = None


class Intake:
    """Everything POST /api/v1/jobs does after parsing."""

    def __init__(
        self,
        settings: IngestSettings,
        publisher: KafkaPublisher,
        storage: Storage,
        engine: Engine,
        recent: RecentJobs,
    ) -> None:
        self.settings = settings
        self.publisher = publisher
        self.storage = storage
        self.engine = engine
        self.recent = recent

    async def materialize(self, draft: Draft, job_id: UUID) -> JobSubmitted:
        """The event for ``draft``: large text stored, archives checked, paths made relative."""
        if draft.sql_content is not None:
            if len(draft.sql_content.encode()) <= self.settings.inline_max_bytes:
                return build_job(
                    job_id, draft.kind, draft.options, draft.file_name, sql_content=draft.sql_content
                )
            name = safe_file_name(draft.file_name or "", "query.sql")
            path = await self.storage.save_text(str(job_id), name, draft.sql_content)
            return build_job(job_id, draft.kind, draft.options, draft.file_name, storage_path=path)
        if draft.zip_file_path is not None:
            resolved = await asyncio.to_thread(
                self.storage.resolve_user_path, draft.zip_file_path, ZIP_SUFFIXES
            )
            storage_path = self.storage.relative(resolved)
        elif draft.upload is not None:
            storage_path = draft.upload.storage_path
        else:
            raise RequestRejectedError("MISSING_SOURCE", "the request carries no SQL")
        if draft.kind is SubmissionType.ZIP_ARCHIVE:
            await self._check_archive(storage_path)
        return build_job(job_id, draft.kind, draft.options, draft.file_name, storage_path=storage_path)

    async def _check_archive(self, storage_path: str) -> None:
        try:
            await asyncio.to_thread(
                validate_archive, self.storage.root / storage_path, self.settings.zip_limits
            )
        except ArchiveRejectedError as exc:
            status = 413 if exc.code in _TOO_LARGE_CODES else 400
            raise RequestRejectedError(exc.code, exc.message, status) from exc

    async def accept(self, job: JobSubmitted) -> None:
        """Publish (acks=all), then write the first row; the row is best effort."""
        await self.publisher.publish(self.settings.topics.jobs, str(job.job_id), encode(job))
        self.recent.remember(job)
        try:
            await run_db(self.engine, insert_accepted_job, job)
        except IntegrityError:
            pass  # the sink consumed the event first: the row is there
        except DatabaseUnavailableError as exc:
            log.warning("job %s accepted but its first row was not written: %s", job.job_id, exc.message)
