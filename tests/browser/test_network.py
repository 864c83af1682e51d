"""The Network page in Chromium: it renders from its link, Play animates the decision boundary,
and a screenshot under test-artefacts/browser/ for a person to look at."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

QUERY = {"dataset": "moons", "epochs": "120", "view": "Boundary",
         "r0.optimizer": "adam", "r0.learning_rate": "0.02",
         "r1.optimizer": "sgd", "r1.learning_rate": "0.1", "r1.momentum": "0.9"}  # fmt: skip

# The boundary figure's state as plotly.js holds it: the heatmap's z at one cell and the title.
BOUNDARY = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  if (!gd || !gd._fullData || !gd._fullData.length) return null;
  const z = gd._fullData[0].z;
  return {type: gd._fullData[0].type, frames: (gd._transitionData && gd._transitionData._frames || []).length,
          title: gd._fullLayout.title.text, z: JSON.stringify(z.slice(10, 12))};
}"""


def test_network_page_plays_the_boundary_and_is_photographed(app, artefacts):
    page = app.new_page()
    page.page.goto(page.base_url + "network?" + urlencode(QUERY))
    page.wait_idle()
    page.page.wait_for_function(f"() => {{ const s = ({BOUNDARY})(); return s && s.frames > 0; }}")
    assert "Network" in page.page.locator("h1").first.inner_text()
    before = page.page.evaluate(BOUNDARY)
    assert before["type"] == "heatmap" and before["frames"] == 41
    assert "epoch 120" in before["title"]
    assert page.alerts()["exception"] == []
    page.page.screenshot(path=str(artefacts / "network-boundary.png"))
    page.page.get_by_text("▶ Play").click()
    # Play starts from the current (last) frame: the title and the field change as frames pass.
    page.page.wait_for_function(f"(t) => {{ const s = ({BOUNDARY})(); return s && s.title !== t; }}", arg=before["title"])
    page.page.wait_for_timeout(300)
    after = page.page.evaluate(BOUNDARY)
    assert after["title"] != before["title"] and after["z"] != before["z"]
    assert page.query()["r1.momentum"] == "0.9" and page.query()["view"] == "Boundary"
