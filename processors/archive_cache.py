"""A whole archive remembered: an upload byte-identical to one expanded before needs no unzipping.

An entry is keyed by a sha256 over the archive's bytes, the job's lint options,
the SQLFluff version, the tenant and the ZIP limits (everything that decides
what expanding those bytes yields), and holds, per ``.sql`` member in archive
order, its name and a reference: the member's per-file cache key, or the
FAILURE the expansion gave it. References, not results: an entry costs a few
hundred bytes per member whatever the violations, a per-file entry removed
from the cache (a tombstone, the LRU bound) makes the archive a miss instead
of an answer from a copy, and a member that never had a SUCCESS (a lint
timeout, a refused in-file ``-- sqlfluff:`` directive) is never answered here:
such an archive is expanded file by file, exactly as before.

Entries stay in the worker that expanded the archive (the lint-cache topic
has a record type for files only): a resubmission expanded by another worker
misses here and is answered file by file from the shared per-file entries.
"""

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path

from cachetools import LRUCache

from policy.zip_policy import ZipLimits
from processors.cache_key import canonical_options
from schemas.events import DEFAULT_TENANT, ErrorInfo, LintOptions

READ_BYTES = 1024 * 1024
# A member's per-file cache key, or the expansion-time error that settled it.
Reference = str | ErrorInfo


@dataclass(frozen=True)
class ArchiveEntry:
    """The ``.sql`` members of one archive, in order: names and what settles each."""

    names: tuple[str, ...]
    references: tuple[Reference, ...]

    def __len__(self) -> int:
        return len(self.names)


class ArchiveEntries:
    """Entries by archive key, at most ``max_members`` member references in all (LRU).

    Filled and read by the expansion threads, hence the lock. An archive larger
    than the whole bound is not kept (``cachetools`` refuses it).
    """

    def __init__(self, max_members: int) -> None:
        self._entries: LRUCache[str, ArchiveEntry] = LRUCache(maxsize=max_members, getsizeof=len)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def get(self, key: str) -> ArchiveEntry | None:
        """The entry for ``key``, if any, marked as recently used."""
        with self._lock:
            return self._entries.get(key)

    def put(self, key: str, entry: ArchiveEntry) -> bool:
        """Keep ``entry`` (evicting the least recently used); ``False`` when it alone is over the bound."""
        with self._lock:
            if len(entry) > self._entries.maxsize:
                return False
            self._entries[key] = entry
            return True


def archive_key(
    path: Path, options: LintOptions, sqlfluff_version: str, tenant: str | None, limits: ZipLimits
) -> str | None:
    """Hex sha256 over (``"archive"``, version, options, tenant, limits) and the file's bytes.

    Blocking (reads the whole file). ``None`` when the file is over the limits'
    archive size or unreadable: the expansion then decides, as for any archive.
    The header's first element keeps these keys apart from per-file keys.
    """
    header = ["archive", sqlfluff_version, canonical_options(options), tenant or DEFAULT_TENANT,
              limits.model_dump_json()]
    digest = hashlib.sha256(json.dumps(header).encode())
    digest.update(b"\n")
    try:
        with path.open("rb") as handle:
            read = 0
            while chunk := handle.read(READ_BYTES):
                read += len(chunk)
                if read > limits.max_archive_bytes:
                    return None
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()
