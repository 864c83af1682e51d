"""The Network page in Chromium: it renders from its link, Play animates the decision boundary,
and a screenshot under test-artefacts/browser/ for a person to look at."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

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


def test_each_page_keeps_its_scene_across_a_visit_to_the_other_page(app):
    # Streamlit drops a page's widget values while another page is shown: coming back, each
    # page draws its widgets again from the scene it last drew (the Network page raised a
    # KeyError before, and the 2D page fell back to the map while its link said Curves).
    page = app.open()
    curves = page.page.locator("[data-testid='stMain'] [data-testid='stButtonGroup']").get_by_role("radio", name="Curves", exact=True)
    curves.click()
    page.page.wait_for_function("() => new URLSearchParams(location.search).get('view') === 'Curves'")
    page.wait_idle()
    page.page.get_by_role("link", name="Network", exact=True).click()
    examples = page.page.locator("[data-testid='stSlider']").filter(has_text="Examples").locator("input[type=range]")
    expect(examples).to_have_attribute("aria-valuetext", "500")
    page.wait_idle()
    examples.focus()
    page.page.keyboard.press("ArrowRight")
    page.page.wait_for_function("() => new URLSearchParams(location.search).get('size') === '510'")
    page.wait_idle()
    page.page.get_by_role("link", name="2D landscapes", exact=True).click()
    # The 2D page too shows the view it showed before.
    page.page.wait_for_function("() => new URLSearchParams(location.search).get('view') === 'Curves'")
    page.wait_idle()
    expect(curves).to_have_attribute("aria-checked", "true")
    page.page.get_by_role("link", name="Network", exact=True).click()
    expect(examples).to_have_attribute("aria-valuetext", "510")
    page.wait_idle()
    assert page.alerts()["exception"] == [] and page.alerts()["error"] == []
    assert page.query()["size"] == "510" and page.page.url.split("?")[0].endswith("/network")


def test_a_long_training_shows_its_progress_and_a_scene_too_long_says_what_to_change(app, artefacts):
    # 1600 training examples in batches of 8 for 500 epochs: 100,000 updates per run, the most
    # a run may make, and a few seconds of training
    long = {**QUERY, "view": "Curves", "size": "2000", "epochs": "500", "batch": "8"}
    page = app.new_page()
    page.page.goto(page.base_url + "network?" + urlencode(long))
    bar = page.page.locator("[data-testid='stMain'] [data-testid='stProgress']")
    expect(bar).to_contain_text("Training 2 runs: epoch", timeout=120_000)
    page.page.screenshot(path=str(artefacts / "network-progress.png"))
    page.wait_idle()
    expect(page.page.locator("[data-testid='stMain'] .js-plotly-plot").first).to_be_visible()
    expect(bar).to_have_count(0)  # gone once the views are drawn
    epochs = page.page.locator("[data-testid='stSlider']").filter(has_text="Epochs").locator("input[type=range]")
    epochs.focus()
    page.page.keyboard.press("ArrowRight")  # 501 epochs: 100,200 updates
    error = page.page.locator("[data-testid='stMain'] [data-testid='stAlertContentError']")
    expect(error).to_contain_text("epochs: 501 epochs of 200 updates", timeout=60_000)
    expect(error).to_contain_text("at most 100,000: fewer epochs or a larger batch")
    page.wait_idle()
    assert page.query()["epochs"] == "500"  # the last scene drawn, still linked
    page.page.screenshot(path=str(artefacts / "network-too-long.png"))
