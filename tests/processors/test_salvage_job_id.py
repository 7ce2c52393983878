import json
import uuid

import pytest

from processors.parking import salvage_job_id


def test_job_id_is_salvaged_from_an_invalid_job() -> None:
    job_id = uuid.uuid4()
    assert salvage_job_id(json.dumps({"job_id": str(job_id), "nonsense": True}).encode()) == job_id


@pytest.mark.parametrize(
    "raw", [b"", b"\xff\xfe", b"[1, 2]", b'{"job_id": "not-a-uuid"}', b'{"job": 1}', b'{"job_id": null}']
)
def test_nothing_is_salvaged_from_garbage(raw: bytes) -> None:
    assert salvage_job_id(raw) is None
