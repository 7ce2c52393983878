"""docs/settings.md lists every variable of every service and is regenerated when they change."""

from pathlib import Path

from deploy.settings_catalog import SERVICES
from deploy.settings_table import render_markdown
from runtime.settings import setting_names

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_table_is_current() -> None:
    assert (ROOT / "docs" / "settings.md").read_text(encoding="utf-8") == render_markdown(), (
        "run: python -m deploy settings-table > docs/settings.md"
    )


def test_every_setting_of_every_service_has_a_row_with_its_readers() -> None:
    lines = [line for line in render_markdown().splitlines() if line.startswith("| `")]
    rows = {line.split(" | ")[0].strip("|` "): line for line in lines}
    for cls in SERVICES:
        for name in setting_names(cls):
            spelt = [row for row in rows if row == name or row.startswith(name + "__")]
            assert spelt, f"{cls.service_name}: {name} is missing from docs/settings.md"
            assert all(cls.service_name in rows[row].split(" | ")[1] for row in spelt), name
    assert rows["DATABASE_URL"].split(" | ")[4] == "yes"
    assert rows["OPERATOR_TOKEN"].split(" | ")[4] == "yes"
    assert rows["INGEST_PUBLIC_BASE_URL"].count("|") == rows["CONSUL_HOST"].count("|") + 1  # the escaped one
    assert rows["PROCESSORS_LINT_WORKERS"].split(" | ")[3] == "computed at start"  # not this host's CPU count
