"""The registry, the shared entry point, the human and json formats, and the path mapping."""

import json
from typing import Any

import pytest

from reports import FORMATS, UnknownFormatError, render

Records = list[dict[str, Any]]
HUMAN_MESSY = "\n".join([
    "messy.sql:1:1: LT09 Select targets should be on a new line unless there is only one select target.",
    "messy.sql:1:10: LT01 Expected single whitespace between comma ',' and naked identifier.",
    "messy.sql:1:19: LT14 The 'where' keyword should always start a new line.",
])


def test_every_format_of_the_contract_is_registered(records: Records) -> None:
    assert list(FORMATS) == ["json", "sarif", "junit", "github", "gitlab", "checkstyle", "human"]
    for name, fmt in FORMATS.items():
        assert fmt.media_type.count("/") == 1 and fmt.extension
        assert render(name, records), name
    with pytest.raises(UnknownFormatError, match="'yaml' is not a report format: json, sarif"):
        render("yaml", records)


def test_human_is_the_clients_text(records: Records) -> None:
    """Byte for byte what ``sqllint`` printed before the formats moved here."""
    text = render("human", records)
    assert HUMAN_MESSY in text
    assert "\n\ntoo/big.sql: ERROR FILE_TOO_LARGE the file is over the 1 MiB limit\n\n" in text
    assert "clean.sql" not in text
    assert text.endswith("6 file(s) checked, 19 violation(s), 1 file(s) failed")
    assert render("human", []) == "0 file(s) checked, 0 violation(s)"


def test_json_is_the_records_unchanged(records: Records, sqlfluff_records: Records) -> None:
    assert json.loads(render("json", records)) == records
    assert render("json", sqlfluff_records) == json.dumps(sqlfluff_records, indent=2)  # fixes, timings kept


def test_paths_map_to_the_users_files(records: Records) -> None:
    mapped = json.loads(render("json", records, path_prefix="db/sql/", paths={"clean.sql": "/abs/clean.sql"}))
    names = [r["filepath"] for r in mapped]
    assert names[:3] == ["db/sql/broken.sql", "/abs/clean.sql", "db/sql/messy.sql"]
    assert "db/sql/messy.sql:1:1: LT09" in render("human", records, path_prefix="db/sql")


def test_sqlfluffs_own_records_render_in_every_format(sqlfluff_records: Records) -> None:
    """The CLI may render SQLFluff's output itself: extra keys (fixes, offsets) are no obstacle."""
    for name in FORMATS:
        assert "messy.sql" in render(name, sqlfluff_records)
