"""A Streamlit server per test process (per xdist worker); a Chromium per test, and a fresh
browser context (a new Streamlit session) per page.

The server is started the way Streamlit's own e2e suite starts it and polled on
`/_stcore/health`; it is stopped at the end of the session, also when a test failed.

Chromium is launched lazily, inside the first test that opens a page: without
/usr/bin/chromium that test FAILS (a skip would let a machine without a browser pass the
suite). A failing test leaves a screenshot of every page it had open under
test-artefacts/browser/failures/.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess

import pytest
from playwright.sync_api import expect

pytest.register_assert_rewrite("tests.browser.driver")

from tests.browser.driver import AppPage  # noqa: E402
from ui.serve import start_streamlit, stop  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "test-artefacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1500, "height": 1000}
# Playwright's wait for one thing (a rerun, a redraw); the first script run of a server
# imports JAX and compiles, which on a busy 2-core machine takes a while.
DEFAULT_TIMEOUT_MS = 45_000
# expect(...) retries its assertion this long (Playwright's default, 5 s, is tight on a busy machine).
expect.set_options(timeout=15_000)


def _start_server(log) -> tuple[subprocess.Popen, int]:
    """Start `streamlit run app.py` and wait until it is healthy; (process, port)."""
    for _attempt in range(3):  # a free port can be taken between the probe and the bind
        try:
            return start_streamlit(ROOT / "app.py", log=log)
        except RuntimeError as error:
            log.flush()
            text = pathlib.Path(log.name).read_text()
            if "already in use" not in text:
                pytest.fail(f"Streamlit did not become healthy ({error}); its log ({log.name}):\n{text[-4000:]}",
                            pytrace=False)  # fmt: skip
    pytest.fail(f"Streamlit could not bind a free port; its log: {log.name}", pytrace=False)


@pytest.fixture(scope="session")
def streamlit_server():
    """`streamlit run app.py` on a free port; yields its base URL ("http://127.0.0.1:PORT/").
    The server's output goes to test-artefacts/browser/streamlit-<worker>.log."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with (ARTEFACTS / f"streamlit-{worker}.log").open("w") as log:
        process, port = _start_server(log)
        try:
            yield f"http://127.0.0.1:{port}/"
        finally:
            stop(process)


class LazyChromium:
    """Debian's Chromium through Playwright, launched on first use (inside a test's body).

    One per test, not per session: while Playwright's sync API is started, its event loop counts
    as running in the thread, and other tests of the same worker that call asyncio.run()
    (tests/viz/test_browser.py) would fail.
    """

    def __init__(self):
        self._playwright = None
        self._browser = None

    @property
    def browser(self):
        if self._browser is None:
            if not os.path.exists(CHROMIUM):
                pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's chromium package "
                            "(apt-get install chromium; Playwright's own browser download does not work here).",
                            pytrace=False)  # fmt: skip
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        return self._browser

    def close(self) -> None:
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            if self._playwright is not None:
                self._playwright.stop()  # always: a started sync Playwright blocks asyncio.run()
            self._browser = self._playwright = None


class App:
    """Opens pages of the served app, each in a fresh browser context (a new Streamlit session)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self._chromium = LazyChromium()
        self.contexts = []
        self.pages: list[AppPage] = []

    def new_page(self, viewport: dict | None = None) -> AppPage:
        context = self._chromium.browser.new_context(viewport=viewport or VIEWPORT, accept_downloads=True)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        self.contexts.append(context)
        page = AppPage(context.new_page(), self.base_url)
        self.pages.append(page)
        return page

    def open(self, query: str = "", viewport: dict | None = None) -> AppPage:
        """A new session on `base_url + query` ("" or "?a=b&..."), loaded and with the map drawn."""
        page = self.new_page(viewport)
        page.goto(query)
        return page

    def close(self, failed_test: str | None) -> None:
        if failed_test:
            folder = ARTEFACTS / "failures"
            folder.mkdir(parents=True, exist_ok=True)
            for i, page in enumerate(self.pages):
                try:
                    page.page.screenshot(path=str(folder / f"{failed_test}-{i}.png"))
                except Exception:  # the page may be gone; the failure itself is what matters
                    pass
        try:
            for context in self.contexts:
                context.close()
        finally:
            self._chromium.close()


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


@pytest.fixture
def app(streamlit_server, request):
    """Open app pages with `app.open("?query")`; every page is a fresh browser context."""
    opened = App(streamlit_server)
    yield opened
    failed = request.node.stash.get(_FAILED, False)
    opened.close(re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name) if failed else None)


@pytest.fixture(scope="session")
def artefacts() -> pathlib.Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS
