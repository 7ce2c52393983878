"""The web page at ``/``, end to end: headless Chromium (Debian's) against a real stack.

Each test drives the page as a user would, and checks what the page shows
against the real tools: the violations SQLFluff's own ``lint --format json``
reports for the same text, the files of the ZIP chosen, the API's own 400, the
report downloads' content types. Every request the page makes must stay on the
ingest's origin; a screenshot per step is kept under var/screenshots/.
"""

from pathlib import Path

import pytest
import sqlfluff
from playwright.sync_api import Page, expect

import reports
from harness import http
from harness.oracle import comparable
from harness.stack import Stack
from tests.e2e.web_browser import ROOT, SCREENSHOTS, WatchedPage
from tests.e2e.web_reading import cli_violations, shown_violations, wait_finished, zip_of

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]
DATA = ROOT / "tests" / "data" / "sql" / "ansi"
MESSY_SQL = "select a,b from t where x=1;\nSELECT  c from   u;\n"
ZIPPED = sorted(DATA.glob("*.sql"))[:6]
# The README's picture, refreshed by copying it to docs/images/web-page.png (docs/web.md says when).
README_IMAGE = SCREENSHOTS / "web-readme.png"


def test_the_page_comes_from_the_ingest_alone(web: WatchedPage, stack: Stack) -> None:
    page = web.page
    expect(page).to_have_title("sqllint: SQLFluff as a service")
    labels = page.locator("#dialect option").evaluate_all("options => options.map(o => o.value)")
    assert sorted(labels) == sorted(d.label for d in sqlfluff.list_dialects())
    assert page.locator("#dialect").input_value() == "ansi"
    for control in page.locator("input:not([type=radio]), select, textarea").all():
        assert page.locator(f"label[for='{control.get_attribute('id')}']").count() == 1, control
    status, _ = http.request(stack.base_url, "GET", "/static/../page.py")
    assert status == 404
    web.shot("01-empty")
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    web.shot("02-narrow")
    assert len(web.requests) >= 5  # the page, its style sheet and its four scripts


def test_pasted_sql_shows_what_sqlfluff_reports(web: WatchedPage, tmp_path: Path) -> None:
    page = web.page
    page.fill("#sql", MESSY_SQL)
    page.fill("#file-name", "messy.sql")
    page.click("#submit")
    wait_finished(page, 1)
    assert page.locator("#job").get_attribute("data-transport") == "events"
    page.locator("#files button").first.click()
    expect(page.locator("#detail h3")).to_have_text("messy.sql")
    expected = cli_violations(MESSY_SQL, tmp_path)
    assert expected[0], "the text must have violations for the comparison to mean something"
    assert shown_violations(page) == expected
    lines = page.locator("#detail .source li.line code").all_inner_texts()
    assert lines == MESSY_SQL.splitlines()
    for link in page.locator("#detail li.violation a.rule").all():
        assert link.get_attribute("href") == reports.rule_url(link.inner_text())
    web.shot("03-pasted-sql")


def readme_image(page: Page) -> None:
    """The README's picture: a finished job with a short file open, the results section alone."""
    page.locator("#files button", has_text="queries/bracketed_statement.sql").click()
    expect(page.locator("#detail h3")).to_have_text("queries/bracketed_statement.sql")
    page.set_viewport_size({"width": 1100, "height": 700})
    page.locator("#results").screenshot(path=str(README_IMAGE))


def test_a_zip_finishes_file_by_file_with_sources_and_reports(web: WatchedPage, stack: Stack) -> None:
    page = web.page
    page.check("input[name=source][value=file]")
    page.set_input_files("#file", files=[{"name": "repo.zip", "mimeType": "application/zip",
                                          "buffer": zip_of(ZIPPED)}])
    page.click("#submit")
    job_id = wait_finished(page, len(ZIPPED))
    names = page.locator("#files .name").all_inner_texts()
    assert sorted(names) == [f"queries/{p.name}" for p in ZIPPED]
    opened = max(ZIPPED, key=lambda p: len(sqlfluff.lint(p.read_text(encoding="utf-8"), dialect="ansi")))
    page.locator("#files button", has_text=f"queries/{opened.name}").click()
    expect(page.locator("#detail h3")).to_have_text(f"queries/{opened.name}")
    shown = page.locator("#detail .source li.line code").all_inner_texts()
    text = opened.read_text(encoding="utf-8")
    assert [line.rstrip() for line in shown] == [line.rstrip() for line in text.splitlines()]
    expected = comparable(sqlfluff.lint(text, dialect="ansi"))
    assert expected[0] and shown_violations(page) == expected
    web.shot("04-zip")
    readme_image(page)

    links = page.locator("#download-links a")
    formats = [a.get_attribute("data-format") for a in links.all()]
    assert formats == list(reports.FORMATS)
    for link in links.all():
        fmt = link.get_attribute("data-format") or ""
        assert link.get_attribute("href") == f"/api/v1/jobs/{job_id}/results?format={fmt}"
        answer = page.request.get(link.get_attribute("href") or "")
        assert answer.status == 200, (fmt, answer.text())
        assert answer.headers["content-type"].split(";")[0] == reports.FORMATS[fmt].media_type


def test_an_api_error_is_shown_beside_the_form(web: WatchedPage) -> None:
    page = web.page
    page.fill("#sql", MESSY_SQL)
    page.fill("#exclude-rules", "XX99")
    expect(page.locator("#exclude-rules-hint")).to_contain_text("Not a rule of SQLFluff")
    page.fill("#rules", "LT01; CP01")
    expect(page.locator("#rules-hint")).to_contain_text("Not a rule reference: LT01; CP01")
    expect(page.locator("#rules")).to_have_attribute("aria-invalid", "true")
    page.click("#submit")
    error = page.locator("#form-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("data-code", "INVALID_RULES")
    expect(error).to_contain_text("not a rule code")
    expect(page.locator("#job")).to_be_hidden()
    web.shot("05-api-error")


def test_the_form_works_by_keyboard_alone(web: WatchedPage) -> None:
    page = web.page
    focused = "document.activeElement.id"
    for _ in range(10):  # past the skip link and the source choice to the SQL box
        page.keyboard.press("Tab")
        if page.evaluate(focused) == "sql":
            break
    assert page.evaluate(focused) == "sql"
    page.keyboard.type(MESSY_SQL)
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate(focused) == "submit":
            break
    assert page.evaluate(focused) == "submit"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    web.shot("06-keyboard-focus")
    page.keyboard.press("Enter")
    wait_finished(page, 1)
    page.locator("#files button").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#detail li.violation").first).to_be_visible()
    assert page.evaluate(focused) == "detail"
    web.shot("07-keyboard-detail")


def test_without_the_event_stream_the_page_polls(web: WatchedPage) -> None:
    page = web.page
    page.route("**/api/v1/jobs/*/events", lambda route: route.abort())
    page.fill("#sql", MESSY_SQL)
    page.click("#submit")
    wait_finished(page, 1)
    assert page.locator("#job").get_attribute("data-transport") == "polling"
    web.shot("08-polling")


def test_a_sql_file_dropped_on_the_page_is_uploaded(web: WatchedPage) -> None:
    page = web.page
    dropped = DATA / "bracketed_statement.sql"
    text = dropped.read_text(encoding="utf-8")
    transfer = page.evaluate_handle(
        """([name, text]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], name, { type: "application/sql" }));
            return transfer;
        }""",
        [dropped.name, text],
    )
    page.dispatch_event("#sql", "drop", {"dataTransfer": transfer})
    expect(page.locator("input[name=source][value=file]")).to_be_checked()
    expect(page.locator("#drop-hint")).to_have_text(f"Chosen: {dropped.name}")
    page.click("#submit")
    wait_finished(page, 1)
    page.locator("#files button").first.click()
    expect(page.locator("#detail h3")).to_have_text(dropped.name)
    assert page.locator("#detail .source li.line code").all_inner_texts() == [
        line or " " for line in text.splitlines()]
    expected = comparable(sqlfluff.lint(text, dialect="ansi"))
    assert expected[0] and shown_violations(page) == expected
    web.shot("09-dropped-sql")
