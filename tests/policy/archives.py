"""Reading a crafted archive through the policy, the way the ingest and the processors do."""

from pathlib import Path

import pytest

from policy.zip_policy import (
    ArchiveListing,
    ArchiveRejectedError,
    ReadBudget,
    ZipLimits,
    list_members,
    open_archive,
    read_member,
    validate_archive,
)


def listing(path: Path, limits: ZipLimits | None = None) -> ArchiveListing:
    return validate_archive(path, limits or ZipLimits())


def rejected_code(path: Path, limits: ZipLimits | None = None) -> str:
    with pytest.raises(ArchiveRejectedError) as caught:
        listing(path, limits)
    return caught.value.code


def read_all(path: Path, limits: ZipLimits) -> list[bytes]:
    with open_archive(path, limits) as zf:
        budget = ReadBudget(limits)
        return [read_member(zf, m, limits, budget) for m in list_members(zf, limits).members]
