"""How a file's fix travels on the public lint-results topic: inline when small, else by storage path.

Kafka refuses a message over the broker's ``message.max.bytes`` and the
producer's ``max.request.size`` (both about 1 MB by default; this service
keeps the defaults). A file may be up to ``max_file_bytes`` (1 MiB by
default), its fixed text as large, and a diff that rewrites every line twice
that, beside the file's violations in the same ``lint.result``. So the fixed
SQL and the diff ride inline only while their JSON-escaped sizes together stay
within :data:`FIX_INLINE_MAX_BYTES`; larger ones are written to the storage
root under ``jobs/<job_id>/fixes/<task_id>.sql`` and ``.diff`` (beside the
job's uploads, so whatever prunes a job's folder prunes them too), and the
event carries those paths. The ingest reads them back for ``GET /tasks/{id}/fix``.
"""

import json
from pathlib import Path
from uuid import UUID

from processors.fixing import FixedFile
from processors.storage import write_task_file
from schemas.events import FixOutcome

# A quarter of Kafka's default limit: the rest stays for the violations and the envelope.
FIX_INLINE_MAX_BYTES = 256 * 1024


def fix_file_relpaths(job_id: UUID, task_id: UUID) -> tuple[str, str]:
    """Where a large fix is kept: the fixed SQL and the diff, named by ids we made."""
    base = f"jobs/{job_id}/fixes/{task_id}"
    return f"{base}.sql", f"{base}.diff"


def inline_size(fixed: FixedFile) -> int:
    """Bytes the two texts take in the event's JSON (escapes included)."""
    return len(json.dumps(fixed.fixed_sql).encode()) + len(json.dumps(fixed.diff).encode())


def fix_for_wire(fixed: FixedFile, job_id: UUID, task_id: UUID, root: Path) -> FixOutcome:
    """The ``fix`` of a ``lint.result``; blocking (it may write to NFS), so callers run it in a thread.

    Writes are atomic and named by ids, so a replayed task rewrites the same files harmlessly.
    """
    if inline_size(fixed) <= FIX_INLINE_MAX_BYTES:
        return FixOutcome(fixed=fixed.fixed, fixed_sql=fixed.fixed_sql, diff=fixed.diff)
    sql_path, diff_path = fix_file_relpaths(job_id, task_id)
    write_task_file(root, sql_path, fixed.fixed_sql.encode("utf-8", "surrogatepass"))
    write_task_file(root, diff_path, fixed.diff.encode("utf-8", "surrogatepass"))
    return FixOutcome(fixed=fixed.fixed, fixed_sql_path=sql_path, diff_path=diff_path)
