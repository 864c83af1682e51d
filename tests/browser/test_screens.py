"""Screenshots under test-artefacts/browser/ (for a person to look at), and lecture mode:
controls hidden, large fonts, the whole map in the window, a way back."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

import landscapes
from tests.browser.driver import (
    DEFAULT_LABELS,
    assert_landscape_image_shown,
    assert_paths_drawn,
)

# A hung browser or server fails its test (the suite itself takes well under a minute per test).
pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

# The element at the centre of `el` is `el` or inside it (nothing covers it).
UNCOVERED = """(el) => {
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return !!hit && (hit === el || el.contains(hit));
}"""


# Where the map's parts are, in CSS pixels of the window.
MAP_BOXES = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const box = el => { const r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
  return {
    window: {width: innerWidth, height: innerHeight},
    chart: box(gd),
    plot: box(gd.querySelector('.draglayer .xy .nsewdrag')),
    buttons: box(gd.querySelector('.updatemenu-container')),
    slider: box(gd.querySelector('.slider-container')),
  };
}"""


def _screenshot(page, path) -> None:
    page.page.evaluate("() => document.fonts.ready.then(() => true)")
    page.page.screenshot(path=str(path))
    assert path.stat().st_size > 20_000  # a drawn page, not a blank one


def test_screenshots_of_the_default_view_and_a_lesson(app, artefacts):
    page = app.open()
    assert page.page.locator("[data-testid='stSidebar']").is_visible()
    expect(page.page.get_by_role("link", name="Network", exact=True)).to_be_visible()  # the page links at the top
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
    assert not page.page.get_by_role("link", name="Network", exact=True).is_visible()  # so are the page links
    # The landscape's heading and what it teaches sit beside the map, in large text.
    assert page.page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").count() == 0
    teaches = page.page.get_by_text(landscapes.get("rosenbrock").teaches, exact=True)
    expect(teaches).to_be_visible()
    assert teaches.bounding_box()["x"] >= page.page.evaluate(MAP_BOXES)["chart"]["right"] - 1
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
    # So are the page links, at once (their place follows the session's lecture mode, not the
    # address the page was opened with).
    expect(page.page.get_by_role("link", name="Network", exact=True)).to_be_visible()


@pytest.mark.parametrize("viewport", [{"width": 1500, "height": 1000}, {"width": 1280, "height": 720}],
                         ids=["1500x1000", "1280x720"])
def test_lecture_mode_fits_the_whole_map_in_the_window(app, artefacts, viewport):
    """A projector or a slide's iframe shows the map, its Play buttons and its step slider
    without scrolling, with the lesson beside the map rather than above it."""
    page = app.open(viewport=viewport)
    page.click_lesson("SGD vs Momentum in a ravine", "ravine")
    page.goto("?" + urlencode({**page.query(), "lecture": "1"}))  # the link a lecturer puts on a slide
    assert page.query()["lecture"] == "1" and page.query()["lesson"] == "ravine"
    boxes = page.page.evaluate(MAP_BOXES)
    height = boxes["window"]["height"]
    for part in ("buttons", "slider"):
        assert 0 <= boxes[part]["top"] < boxes[part]["bottom"] <= height, (part, boxes)
    # The map takes most of the height (the old fixed 820 px chart ran off a 720 px window).
    assert boxes["plot"]["bottom"] - boxes["plot"]["top"] >= 0.5 * height, boxes
    lesson = page.page.get_by_text("SGD vs Momentum in a ravine.", exact=True)
    expect(lesson).to_be_visible()
    assert lesson.bounding_box()["x"] >= boxes["chart"]["right"] - 1, "the lesson should sit beside the map"
    assert page.page.evaluate("() => document.scrollingElement.scrollHeight <= innerHeight + 1")
    _screenshot(page, artefacts / f"lecture-lesson-{viewport['width']}x{viewport['height']}.png")
