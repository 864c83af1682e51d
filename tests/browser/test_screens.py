"""Screenshots at 1500×1000 under test-artefacts/browser/ (for a person to look at), and lecture
mode: controls hidden, large fonts, a way back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.driver import DEFAULT_LABELS, assert_landscape_image_shown, assert_paths_drawn

# A hung browser or server fails its test (the suite itself takes well under a minute per test).
pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

# The element at the centre of `el` is `el` or inside it (nothing covers it).
UNCOVERED = """(el) => {
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return !!hit && (hit === el || el.contains(hit));
}"""


def _screenshot(page, path) -> None:
    page.page.evaluate("() => document.fonts.ready.then(() => true)")
    page.page.screenshot(path=str(path))
    assert path.stat().st_size > 20_000  # a drawn page, not a blank one


def test_screenshots_of_the_default_view_and_a_lesson(app, artefacts):
    page = app.open()
    assert page.page.locator("[data-testid='stSidebar']").is_visible()
    _screenshot(page, artefacts / "default.png")

    page.click_lesson("SGD vs Momentum in a ravine", "ravine")
    state = page.map_state()
    assert [p["label"] for p in state["paths"]] == ["SGD lr=0.035", "Momentum lr=0.035 μ=0.7"]
    assert_paths_drawn(state, 2)
    assert_landscape_image_shown(state)
    expect(page.page.get_by_text("SGD vs Momentum in a ravine.", exact=True)).to_be_visible()
    assert page.query()["landscape"] == "quadratic"
    _screenshot(page, artefacts / "lesson-ravine.png")


def test_lecture_mode_hides_the_controls_and_enlarges_the_text(app, artefacts):
    page = app.open("?lecture=1")
    sidebar = page.page.locator("[data-testid='stSidebar']")
    assert sidebar.count() == 0 or not sidebar.is_visible()
    assert not page.page.locator("[data-testid='stSidebarCollapsedControl']").is_visible()
    assert not page.page.locator("[data-testid='stToolbar']").is_visible()
    assert not page.page.get_by_role("button", name="Lecture mode", exact=True).is_visible()  # Share & export is gone
    # The landscape's caption gives way to the map; the heading's text is large.
    assert page.page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").count() == 0
    heading = page.page.locator("[data-testid='stMain'] [data-testid='stMarkdownContainer']").first
    body_px = page.page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert body_px >= 22 and float(heading.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")) >= 20
    state = page.map_state()
    assert state["fontSize"] >= 20  # the map's lecture style
    assert_landscape_image_shown(state)
    assert_paths_drawn(state, 4)
    assert [p["label"] for p in state["paths"]] == DEFAULT_LABELS
    assert page.query()["lecture"] == "1"

    exit_button = page.page.get_by_role("button", name="Exit lecture mode")
    assert exit_button.is_visible()
    assert exit_button.evaluate(UNCOVERED), "something covers the 'Exit lecture mode' button"
    _screenshot(page, artefacts / "lecture.png")

    exit_button.click()
    page.settle_query("lecture", None)
    assert_paths_drawn(page.map_state(), 4)
    # The controls are back: the sidebar stays collapsed (Streamlit applies the page's
    # initial_sidebar_state on the first load only), and its button opens it.
    sidebar = page.page.locator("[data-testid='stSidebar']")
    if not sidebar.is_visible():
        page.page.locator("[data-testid='stExpandSidebarButton']").click()
    expect(sidebar.get_by_role("heading", name="Descent")).to_be_visible()
    expect(sidebar.get_by_label("Start x")).to_be_visible()
