"""Debian's Chromium driven by Playwright for the web page's tests, with the page's every request watched.

The browser comes from ``infra/tools/chromium.sh`` (apt, never ``playwright
install``: that downloads a browser build, and nothing may be downloaded
here); a missing browser fails the test with the script's explanation.
"""

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, Request, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"


def chromium_path() -> str:
    """The system Chromium, installed first when missing (as root)."""
    script = ROOT / "infra" / "tools" / "chromium.sh"
    done = subprocess.run([str(script)], capture_output=True, text=True, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"{script} failed with {done.returncode}: {done.stderr.strip()[-2000:]}")
    return done.stdout.strip().splitlines()[-1]


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium for one test module (no sandbox: tests may run as root)."""
    path = chromium_path()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def origin(url: str) -> str:
    """scheme://host:port of ``url``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class WatchedPage:
    """A page, the URL of every request it made, and every script error or refused load it had."""

    page: Page
    base_url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def elsewhere(self) -> list[str]:
        """Requests that left the ingest's origin (``data:`` URLs never reach a network)."""
        home = origin(self.base_url)
        return [u for u in self.requests if not u.startswith("data:") and origin(u) != home]

    def shot(self, name: str) -> Path:
        """A full-page screenshot kept under var/screenshots/ as a test artefact."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"web-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@contextmanager
def watched_page(browser: Browser, base_url: str, width: int = 1280,
                 height: int = 900) -> Iterator[WatchedPage]:
    """A fresh context and page at ``base_url``'s ``/``; on the way out, nothing may have left the origin."""
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=base_url)
    page = context.new_page()
    watched = WatchedPage(page, base_url)

    def on_request(request: Request) -> None:
        watched.requests.append(request.url)

    page.on("request", on_request)
    page.on("pageerror", lambda error: watched.errors.append(str(error)))
    # The page's Content-Security-Policy refusing something is a bug of the page, not a log line.
    page.on("console", lambda message: watched.errors.extend(
        [message.text] if "Content Security Policy" in message.text else []))
    page.set_default_timeout(60_000)
    try:
        page.goto("/")
        yield watched
        assert not watched.elsewhere(), f"requests left the ingest's origin: {watched.elsewhere()}"
        assert not watched.errors, f"script errors on the page: {watched.errors}"
    finally:
        context.close()
