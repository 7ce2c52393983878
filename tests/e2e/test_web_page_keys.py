"""The web page against a stack that requires API keys: the key field, kept in the tab, sent as a header.

With ``AUTH_REQUIRED=true`` the page must send the typed key on every call:
the submission, the event stream (read with fetch, since EventSource cannot
send headers), each file's record and the report downloads. The key stays in
``sessionStorage`` (never ``localStorage``) and never appears in a URL.
"""

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from harness import resources
from harness.stack import Stack, running
from runtime.access import Role
from runtime.api_keys import create_key
from runtime.db import create_db_engine
from schemas.topics import TopicNames
from tests.e2e.conftest import stack_settings
from tests.e2e.web_browser import WatchedPage, watched_page
from tests.e2e.web_reading import wait_finished

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]
SQL = "select a,b from t where x=1;\n"


@pytest.fixture(scope="module")
def key(e2e_db_url: str) -> str:
    engine = create_db_engine(e2e_db_url)
    try:
        with engine.begin() as conn:
            return create_key(conn, "web", Role.SUBMITTER, name="playwright")[1]
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def stack(kafka_bootstrap: str, e2e_db_url: str, storage_root: Path, e2e_topics: TopicNames,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The conftest's stack, requiring keys."""
    settings = stack_settings(kafka_bootstrap, e2e_db_url, tmp_path_factory.mktemp("stack"), storage_root,
                              e2e_topics, f"e2e-{resources.short_id()}")
    with running(dataclasses.replace(settings, env={**settings.env, "AUTH_REQUIRED": "true"})) as started:
        yield started


def test_without_a_key_the_page_shows_the_refusal(web: WatchedPage) -> None:
    page = web.page
    page.fill("#sql", SQL)
    page.click("#submit")
    error = page.locator("#form-error")
    expect(error).to_have_attribute("data-code", "UNAUTHORIZED")
    expect(page.locator("#job")).to_be_hidden()
    web.shot("keys-01-no-key")


def test_with_a_key_every_call_sends_it_and_it_stays_in_the_tab(web: WatchedPage, key: str) -> None:
    page = web.page
    assert page.locator("#api-key").get_attribute("type") == "password"
    sent: list[str | None] = []
    page.on("request", lambda request: sent.append(request.headers.get("authorization"))
            if "/api/v1/" in request.url else None)
    page.fill("#api-key", key)
    page.fill("#sql", SQL)
    page.click("#submit")
    job_id = wait_finished(page, 1)
    assert page.locator("#job").get_attribute("data-transport") == "events"
    page.locator("#files button").first.click()
    expect(page.locator("#detail li.violation").first).to_be_visible()
    with page.expect_download() as downloading:
        page.locator("#download-links a[data-format=sarif]").click()
    saved = Path(downloading.value.path())
    assert downloading.value.suggested_filename == f"sqllint-{job_id}.sarif"
    assert '"version": "2.1.0"' in saved.read_text() or '"version":"2.1.0"' in saved.read_text()
    assert sent and set(sent) == {f"Bearer {key}"}, sent  # the submission, the stream, the record, the report
    assert not [url for url in web.requests if key in url]
    assert page.evaluate("sessionStorage.getItem('sqllint.apiKey')") == key
    assert page.evaluate("localStorage.length") == 0
    page.reload()
    expect(page.locator("#api-key")).to_have_value(key)  # the same tab keeps it
    web.shot("keys-02-with-key")


def test_a_new_tab_does_not_know_the_key(browser: Browser, stack: Stack, key: str) -> None:
    with watched_page(browser, stack.base_url) as first:
        first.page.fill("#api-key", key)
        second = first.page.context.new_page()
        second.goto("/")
        expect(second.locator("#api-key")).to_have_value("")
        second.close()
