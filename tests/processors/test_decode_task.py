"""The lint agent's one-pass decoding of tasks: as strict as the general path, with the same error codes.

The tasks topic is internal, but anyone with write access could put anything
on it: each bad message must still be rejected, and named as the general path
names it, for the dead-letter topic.
"""

import json
from uuid import uuid4

import pytest

from schemas.codec import decode, encode
from schemas.errors import SchemaError
from schemas.events import LintResult, LintTask
from schemas.statuses import TaskStatus

TASK = LintTask(task_id=uuid4(), job_id=uuid4(), ordinal=2, file_name="m/a.sql", sql_content="select 1\n",
                size_bytes=9, tenant="acme")
GOOD = json.loads(encode(TASK))


def _with(**changes: object) -> bytes:
    return json.dumps({**GOOD, **changes}).encode()


def test_our_own_task_decodes_to_an_equal_event() -> None:
    assert decode(encode(TASK), LintTask) == TASK


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"not json", "UNDECODABLE_EVENT"),
        (b"[1, 2]", "UNDECODABLE_EVENT"),
        (_with(event_type="task.exploded"), "UNKNOWN_EVENT_TYPE"),
        (_with(schema_version=2), "UNKNOWN_EVENT_TYPE"),
        (_with(ordinal=-1), "INVALID_EVENT"),
        (_with(task_id="not-a-uuid"), "INVALID_EVENT"),
        (_with(storage_path="a.sql"), "INVALID_EVENT"),  # both sources at once
        (_with(tenant="Not A Tenant"), "INVALID_EVENT"),
        (_with(options={"dialect": "ansi", "surprise": 1}), "INVALID_EVENT"),
        (_with(extra_field=True), "INVALID_EVENT"),
    ],
)
def test_a_malformed_task_is_rejected_with_the_general_paths_code(data: bytes, code: str) -> None:
    with pytest.raises(SchemaError) as fast:
        decode(data, LintTask)
    with pytest.raises(SchemaError) as general:
        decode(data, LintTask, LintTask)  # two expected classes: the general path alone
    assert fast.value.code == general.value.code == code
    assert fast.value.message == general.value.message


def test_another_event_kind_on_the_tasks_topic_is_unexpected() -> None:
    result = LintResult(job_id=TASK.job_id, task_id=TASK.task_id, file_name="m/a.sql",
                        status=TaskStatus.SUCCESS, dialect="ansi", sqlfluff_version="3")
    with pytest.raises(SchemaError) as info:
        decode(encode(result), LintTask)
    assert info.value.code == "UNEXPECTED_EVENT_TYPE"
