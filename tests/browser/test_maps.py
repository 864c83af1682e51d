"""The Maps view in Chromium: the maps are drawn, and a click on a cell changes the run (read
back from the page's URL and the redrawn map)."""

from __future__ import annotations

import math
from urllib.parse import urlencode

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import ARTEFACTS

RAVINE = {"landscape": "quadratic", "landscape.kappa": "50", "start": "1,1", "steps": "300",
          "r0.optimizer": "sgd", "r0.flavour": "pytorch", "r0.learning_rate": "0.02", "r0.momentum": "0.5",
          "view": "Maps", "map.n": "32", "map.xr": "0.001,0.2", "map.yr": "0,0.95"}  # fmt: skip

# The map once drawn: its image (one pixel per cell) decoded under the plot, the colour bar,
# the light hover layer and the current-values marker.
HEATMAP = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  if (!gd || !gd._fullData || !gd.dataset.drawn) return null;
  const image = gd.querySelector('.descent-background img');
  const bar = gd._fullData.find(t => t.marker && t.marker.showscale);
  const hover = gd._fullData.find(t => t.type === 'heatmap');
  const current = gd._fullData.find(t => t.name === 'current values');
  if (!image || !image.complete || !image.naturalWidth || !bar || !hover || !current || !gd.querySelector('.colorbar')) return null;
  return {rows: image.naturalHeight, columns: image.naturalWidth, hoverCells: hover.z.length * hover.z[0].length,
          current: [current.x[0], current.y[0]]};
}"""

# The screen point of data (log10 x, y) on the chart.
SCREEN_POINT = """([lx, y]) => {
  const gd = document.querySelector('.js-plotly-plot');
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
  return {px: box.left + xa.l2p(lx), py: box.top + ya.l2p(y)};
}"""


def open_maps(app, query: dict):
    page = app.new_page()
    page.page.goto(page.base_url + "?" + urlencode(query))
    page.wait_idle()
    if query.get("map.kind", "hyper") == "hyper":
        page.page.wait_for_function(HEATMAP)
    else:
        page.wait_map()  # the basins are the chart's background image, like the landscape's
    # A click is aimed at screen coordinates: wait until the plot area has stopped moving (the
    # progress bar above it goes away once the map is computed).
    page.page.wait_for_function(STILL, polling=100)
    return page


# True once the plot area's box has been the same in five checks in a row.
STILL = """() => {
  const area = document.querySelector('.js-plotly-plot .nsewdrag');
  if (!area) return false;
  const r = area.getBoundingClientRect(), box = [r.left, r.top, r.width, r.height].join();
  window.__stillCount = window.__stillBox === box ? (window.__stillCount || 0) + 1 : 0;
  window.__stillBox = box;
  return window.__stillCount >= 5;
}"""


def test_the_hyperparameter_map_is_drawn_and_a_click_on_a_cell_changes_the_run(app):
    page = open_maps(app, RAVINE)
    drawn = page.page.evaluate(HEATMAP)
    assert (drawn["rows"], drawn["columns"]) == (32, 32)
    assert drawn["hoverCells"] == 32 * 32  # every cell of a small map
    assert drawn["current"] == [pytest.approx(0.02), pytest.approx(0.5)]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(ARTEFACTS / "maps-hyperparameter.png"))

    # Hovering shows a cell's values (the light hover layer over the image).
    target = page.page.evaluate(SCREEN_POINT, [math.log10(0.005), 0.7])
    page.page.mouse.move(target["px"], target["py"])
    label = page.page.wait_for_function("() => { const t = document.querySelector('.js-plotly-plot .hoverlayer .hovertext');"
                                        " return t && t.textContent; }").json_value()  # fmt: skip
    assert "learning rate = " in label and "momentum = " in label and "final loss" in label, label

    target = page.page.evaluate(SCREEN_POINT, [math.log10(0.05), 0.3])
    page.page.mouse.click(target["px"], target["py"])
    page.page.wait_for_function("() => new URLSearchParams(location.search).get('r0.learning_rate') !== '0.02'")
    page.wait_idle()
    query = page.query()
    lr, momentum = float(query["r0.learning_rate"]), float(query["r0.momentum"])
    # The nearest cell: 32 log-spaced rates in [0.001, 0.2] and 32 momenta in [0, 0.95].
    assert abs(math.log10(lr) - math.log10(0.05)) <= math.log10(0.2 / 0.001) / 31
    assert abs(momentum - 0.3) <= 0.95 / 31
    page.page.wait_for_function(f"() => {{ const d = ({HEATMAP})(); return d && Math.abs(d.current[0] - {lr}) < 1e-6 * {lr}; }}")
    assert page.query()["view"] == "Maps"
    assert page.alerts()["all"] == []


def test_the_basin_map_is_drawn_and_a_click_sets_the_start(app):
    query = {k: v for k, v in RAVINE.items() if not k.startswith("map.")} | {"landscape": "himmelblau", "start": "0,0",
             "r0.optimizer": "adam", "r0.flavour": "keras", "r0.learning_rate": "0.05", "map.kind": "basin", "map.res": "128"}  # fmt: skip
    query.pop("landscape.kappa"), query.pop("r0.momentum")
    page = open_maps(app, query)
    names = page.page.evaluate("() => document.querySelector('.js-plotly-plot')._fullData.map(t => t.name)")
    assert sum(n.startswith("minimum (") for n in names) == 4
    # The legend, a column right of the map, lies whole inside the chart (a row above the map ran
    # past its right edge at 1500 px: "not con…").
    edges = page.page.evaluate("""() => { const gd = document.querySelector('.js-plotly-plot');
        const svg = gd.querySelector('.main-svg').getBoundingClientRect();
        const entries = Array.from(gd.querySelectorAll('.legend .traces')).map(e => e.getBoundingClientRect());
        return {svg: [svg.left, svg.right], entries: entries.map(r => [r.left, r.right]), texts: entries.length,
                laidOut: gd._fullLayout.width, column: gd.clientWidth}; }""")
    assert edges["texts"] == 6
    # Laid out at its column's width (a slow first run drew it before the sidebar narrowed the column).
    assert abs(edges["laidOut"] - edges["column"]) < 1, edges
    assert all(edges["svg"][0] <= left and right <= edges["svg"][1] for left, right in edges["entries"]), edges
    page.page.screenshot(path=str(ARTEFACTS / "maps-basins.png"))
    moved = "() => { const s = new URLSearchParams(location.search).get('start'); return s !== null && s !== '0,0'; }"
    for _attempt in range(3):  # a click that lands while the page redraws the chart is lost: click again
        target = page.page.evaluate(SCREEN_POINT, [2.0, -3.0])  # linear axes: l2p takes the value
        page.page.mouse.click(target["px"], target["py"])
        try:
            page.page.wait_for_function(moved, timeout=10_000)
            break
        except PlaywrightTimeout:
            page.page.wait_for_function(STILL, polling=100)
    page.wait_idle()
    # The link follows the scene: wait for it to say the new start (a later rerun may bring it).
    page.page.wait_for_function("() => { const s = (new URLSearchParams(location.search).get('start') || '').split(',').map(Number);"
                                " return s.length === 2 && Math.abs(s[0] - 2) <= 0.1 && Math.abs(s[1] + 3) <= 0.1; }")  # fmt: skip
    start = [float(v) for v in page.query()["start"].split(",")]
    assert start == pytest.approx([2.0, -3.0], abs=0.1)
    assert page.page.locator("[data-testid='stSidebar'] [data-testid='stNumberInput'] input").first.input_value() == "2"
    assert page.alerts()["all"] == []
