"""Where the app's page links go: hidden in lecture mode and when embedded."""

import pytest

from ui import navigation
from ui.serve import ROOT


@pytest.mark.parametrize("query, where", [
    ({}, "top"), ({"lecture": "1"}, "hidden"), ({"lecture": "true"}, "hidden"), ({"lecture": "0"}, "top"),
    ({"embed": "true"}, "hidden"), ({"embed": "false", "lesson": "ravine"}, "top"),
])  # fmt: skip
def test_navigation_is_hidden_in_lecture_mode_and_embedded(query, where):
    assert navigation.position(query) == where


@pytest.mark.parametrize("query, lecture, where", [
    ({}, True, "hidden"), ({"lecture": "1"}, False, "top"), ({"embed": "true"}, False, "hidden"),
])  # fmt: skip
def test_once_the_page_has_read_its_link_the_sessions_lecture_mode_decides(query, lecture, where):
    """The buttons turn lecture mode on and off in the session; the server's query parameters
    keep the address the page was opened with (ui.address)."""
    from ui.links import Options
    from ui.state import OPTIONS

    assert navigation.position(query, {OPTIONS: Options(lecture=lecture)}) == where



def test_the_2d_page_does_without_the_network_pages_modules():
    """A new server's first page (the 2D one) imports nothing of the Network page."""
    import subprocess
    import sys

    check = ("import sys; from streamlit.testing.v1 import AppTest; "
             "at = AppTest.from_file('app.py', default_timeout=120).run(); "
             "assert not at.exception, at.exception; "
             "print(sorted(m for m in ('ui.network_page', 'ui.network_export', 'viz.network_video') if m in sys.modules))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
