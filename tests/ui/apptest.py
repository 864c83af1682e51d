"""The app under Streamlit's AppTest, shared by the ui tests."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from ui import address

# The first run of a test process imports JAX and compiles; on a busy 2-core machine that is slow.
TIMEOUT = 120


def app(query: dict | None = None) -> AppTest:
    """app.py run once, opened with `query` as its URL's parameters."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def clean(at: AppTest) -> None:
    """No exception element and no error element on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def query(at: AppTest) -> dict[str, str]:
    """The address the page last wrote into the browser's URL bar (ui.address)."""
    written = address.sent(at.get("bidi_component"))
    assert written is not None, "the page wrote no address"
    return written
