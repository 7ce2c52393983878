"""Reading the web page back in its tests, and what it is compared with: SQLFluff's own CLI, a ZIP."""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from harness.oracle import comparable


def cli_violations(sql: str, tmp_path: Path) -> Any:
    """What ``sqlfluff lint --format json`` says of ``sql`` (exit 1 means violations, not failure)."""
    path = tmp_path / "query.sql"
    path.write_text(sql, encoding="utf-8")
    cli = Path(sys.executable).with_name("sqlfluff")
    done = subprocess.run([str(cli), "lint", "--dialect", "ansi", "--format", "json", str(path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    return comparable(json.loads(done.stdout)[0]["violations"])


def shown_violations(page: Page) -> Any:
    """The violations the open file shows, read back from the page."""
    items = page.locator("#detail li.violation")
    found = [{"code": item.get_attribute("data-code"),
              "start_line_no": int(item.get_attribute("data-line") or 0),
              "start_line_pos": int(item.get_attribute("data-pos") or 0)} for item in items.all()]
    return comparable(found)


def wait_finished(page: Page, files: int) -> str:
    """Wait until the job ended with ``files`` files listed; the job's id."""
    expect(page.locator("#job")).to_have_attribute("data-status", "COMPLETED", timeout=90_000)
    expect(page.locator("#files li")).to_have_count(files)
    expect(page.locator("#progress-text")).to_contain_text(f"{files} of {files} files linted")
    return page.locator("#job").get_attribute("data-job-id") or ""


def zip_of(paths: list[Path]) -> bytes:
    """A ZIP of ``paths``, each under ``queries/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            archive.write(path, f"queries/{path.name}")
    return buffer.getvalue()
