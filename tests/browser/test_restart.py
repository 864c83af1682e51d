"""A page that outlives its server: the restarted server (or another replica) draws the scene of
the last edit, which the address holds, not the link the page was opened with (ui.address)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTEFACTS, App
from tests.browser.driver import MAP_STATE
from ui.serve import ROOT, start_streamlit, stop

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

SESSION = "() => window.__descentSession"


def test_a_restarted_server_draws_the_scene_the_address_holds():
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with (ARTEFACTS / "streamlit-restart.log").open("w") as log:
        process, port = start_streamlit(ROOT / "app.py", log=log)
        opened = App(f"http://127.0.0.1:{port}/")
        try:
            page = opened.open("?landscape=himmelblau&start=-1,1&steps=120&r0.optimizer=adam&r0.learning_rate=0.05")
            start_x = page.page.get_by_label("Start x", exact=True)
            start_x.fill("2.5")
            start_x.press("Enter")
            page.settle_query("start", "2.5,1.0")
            edited, first_session = page.map_state()["paths"], page.page.evaluate(SESSION)
            assert first_session and edited[0]["x"][0] == 2.5

            stop(process)
            process, _ = start_streamlit(ROOT / "app.py", port=port, log=log)
            # The page reconnects and is given a new session, which began from the link...
            page.page.wait_for_function(f"(old) => ({SESSION})() && ({SESSION})() !== old", arg=first_session,
                                        timeout=90_000)  # fmt: skip
            # ...and then drew the scene of the address: the edited start, in the boxes, the map and the URL.
            page.settle_query("start", "2.5,1.0")
            expect(start_x).to_have_value("2.5")
            page.settle(f"(x) => {{ const s = ({MAP_STATE})(); return s.paths.length > 0 && s.paths[0].x[0] === x; }}", 2.5)
            assert page.query()["landscape"] == "himmelblau" and page.query()["steps"] == "120"
            assert page.map_state()["paths"] == edited
        finally:
            opened.close(None)
            stop(process)
