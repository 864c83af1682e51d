"""A page of the app and what the tests read from it.

Waiting: Streamlit reruns are asynchronous, so after an action the tests wait for its effect
(a query parameter, changed plot data) with `settle()`, then for the script to be idle again
(`[data-testid='stApp'][data-test-script-state='notRunning']`, as Streamlit's e2e suite
waits) and for the map to be drawn. No fixed sleeps.

The map is read from plotly.js itself (`gd._fullData`, `gd._fullLayout`), from the SVG it drew
and from the page around it: the landscape is an image under the plot area
(`.descent-background img`, see ui/live_chart.py) and the key is HTML above the map
(`.descent-key`). Traces are told apart by what viz.trajectory_map gives them: a run's path,
trail and current point share `legendgroup: "run<i>"`; the path is the one with `meta` (the
run's plain label) drawn as lines, the current point is the one drawn as markers.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

DEFAULT_LABELS = ["SGD lr=0.001", "Momentum lr=0.001 μ=0.9", "RMSprop lr=0.01", "Adam lr=0.05"]
DEFAULT_QUERY = {
    "landscape": "rosenbrock", "start": "-1.5,2.0", "steps": "500",
    "r0.optimizer": "sgd", "r0.learning_rate": "0.001",
    "r1.optimizer": "sgd", "r1.learning_rate": "0.001", "r1.momentum": "0.9",
    "r2.optimizer": "rmsprop", "r2.learning_rate": "0.01",
    "r3.optimizer": "adam", "r3.learning_rate": "0.05",
}  # fmt: skip


IDLE = "[data-testid='stApp'][data-test-connection-state='CONNECTED'][data-test-script-state='notRunning']"

# The map is drawn: plotly has laid it out, every trace has its SVG group, the landscape image is
# decoded and placed, and the chart has not been redrawn for QUIET_MS.
QUIET_MS = 500
MAP_DRAWN = """(quietMs) => {
  const gd = document.querySelector('.js-plotly-plot');
  const image = gd && gd.querySelector('.descent-background img');
  const ready = gd && gd._fullLayout && gd._fullData && gd.dataset.drawn
    && gd.querySelectorAll('.scatterlayer .trace').length === gd._fullData.filter(t => t.type === 'scatter').length
    && image && image.complete && image.naturalWidth > 0;
  const now = performance.now(), last = window.__descentDrawn;
  if (!ready) { window.__descentDrawn = null; return false; }
  if (!last || last.gd !== gd || last.drawn !== gd.dataset.drawn) {
    window.__descentDrawn = {gd, drawn: gd.dataset.drawn, since: now};
    return false;
  }
  return now - last.since >= quietMs;
}"""

MAP_STATE = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const group = t => (t.legendgroup || '').startsWith('run');
  const arr = a => a ? Array.from(a, Number) : [];
  const fnv = text => { let h = 0x811c9dc5; for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; } return h; };
  const paths = gd._fullData.filter(t => group(t) && t.mode === 'lines' && t.meta)
    .map(t => ({label: t.meta, group: t.legendgroup, x: arr(t.x), y: arr(t.y)}));
  const heads = gd._fullData.filter(t => group(t) && t.mode === 'markers')
    .map(t => ({label: t.name, group: t.legendgroup, x: Number(t.x[0]), y: Number(t.y[0]), text: (t.text || [])[0]}));
  const start = gd._fullData.find(t => t.name === 'start');
  const image = gd.querySelector('.descent-background img');
  const plot = gd.querySelector('.nsewdrag').getBoundingClientRect();
  const svg = gd.querySelector('.main-svg');
  return {
    traceTypes: gd._fullData.map(t => t.type),
    paths, heads,
    start: start ? {x: arr(start.x), y: arr(start.y)} : null,
    background: image ? (() => {
      const r = image.getBoundingClientRect(), box = image.parentElement.getBoundingClientRect();
      const cs = getComputedStyle(image);
      const src = image.getAttribute('src') || '';
      return {head: src.slice(0, 21), hash: fnv(src), length: src.length, loaded: image.complete && image.naturalWidth > 0,
              width: r.width, height: r.height, left: r.left, top: r.top, clip: {left: box.left, top: box.top, width: box.width, height: box.height},
              visibility: cs.visibility, display: cs.display, opacity: Number(cs.opacity),
              // under the plot's SVG (drawn first), so the traces are on top of it
              belowTraces: !!(image.parentElement.compareDocumentPosition(svg) & Node.DOCUMENT_POSITION_FOLLOWING)};
    })() : null,
    // The key: the HTML above the map in the app, plotly's own legend in lecture mode.
    legend: Array.from(document.querySelectorAll('.descent-key .descent-key-label, .js-plotly-plot .legendtext'), el => el.textContent),
    annotations: Array.from(gd.querySelectorAll('.annotation-text'), el => el.textContent),
    // Length of the SVG line drawn for each run's path (0: not drawn).
    drawnPaths: gd._fullData.map((t, i) => [t, i]).filter(([t]) => group(t) && t.mode === 'lines' && t.meta)
      .map(([t, i]) => {
        const el = gd.querySelectorAll('.scatterlayer .trace')[i];
        const line = el && el.querySelector('path.js-line');
        return line ? (line.getAttribute('d') || '').length : 0;
      }),
    plotArea: {left: plot.left, top: plot.top, width: plot.width, height: plot.height},
    fontSize: gd._fullLayout.font.size,
    // The step counter as drawn in the SVG.
    counter: (() => { const i = gd._fullData.findIndex(t => t.name === 'step counter');
                      const el = i < 0 ? null : gd.querySelectorAll('.scatterlayer .trace')[i];
                      const text = el && el.querySelector('text');
                      return text ? text.textContent : null; })(),
  };
}"""


# The runs' labels and paths as a string, or null while the map is not there.
PATHS_KEY = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  if (!gd || !gd._fullData) return null;
  return JSON.stringify(gd._fullData
    .filter(t => (t.legendgroup || '').startsWith('run') && t.mode === 'lines' && t.showlegend !== false)
    .map(t => [t.meta, Array.from(t.x, Number), Array.from(t.y, Number)]));
}"""


class AppPage:
    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url

    # -- loading and waiting ------------------------------------------------------------------

    def goto(self, query: str = "") -> None:
        self.page.goto(self.base_url + query)
        self.wait_ready()

    def goto_url(self, url: str) -> None:
        self.page.goto(url)
        self.wait_ready()

    def wait_idle(self) -> None:
        self.page.wait_for_selector(IDLE)

    def wait_map(self) -> None:
        self.page.wait_for_function(MAP_DRAWN, arg=QUIET_MS, polling=50)

    def wait_ready(self) -> None:
        """The script has run to its end and the map is drawn."""
        self.wait_idle()
        self.wait_map()

    def settle(self, predicate: str, arg=None) -> None:
        """Wait until the JS `predicate(arg)` holds (the effect of an action), then until the
        script is idle and the map drawn again."""
        self.page.wait_for_function(predicate, arg=arg)
        self.wait_ready()

    def settle_query(self, key: str, value: str | None) -> None:
        """Wait until the URL's `key` reads `value` (None: absent); the app writes the URL at the
        end of a script run."""
        self.settle("([k, v]) => new URLSearchParams(location.search).get(k) === v", [key, value])

    def paths_key(self) -> str:
        """The runs' labels and path data as one string (to wait for a change)."""
        return self.page.evaluate(f"() => ({PATHS_KEY})()")

    def settle_map_change(self, before_key: str) -> None:
        """Wait until the runs' paths differ from `before_key` (a `paths_key()`)."""
        self.settle(f"(before) => {{ const now = ({PATHS_KEY})(); return now !== null && now !== before; }}", before_key)

    def set_steps(self, steps: int) -> None:
        """Type a number of steps (Enter), and wait until the URL and the map show it."""
        key = self.paths_key()
        box = self.page.get_by_label("Steps", exact=True)
        box.fill(str(steps))
        box.press("Enter")
        self.settle_query("steps", str(steps))
        self.settle_map_change(key)

    # -- reading ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.page.url

    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.page.url).query, keep_blank_values=True))

    def map_state(self) -> dict:
        return self.page.evaluate(MAP_STATE)

    def alerts(self) -> dict[str, list[str]]:
        """Text of each alert element by kind (error, warning, info, success) and of exceptions."""
        found: dict[str, list[str]] = {"exception": []}
        for el in self.page.locator("[data-testid='stException']").all():
            found["exception"].append(el.inner_text())
        for kind in ("Error", "Warning", "Info", "Success"):
            found[kind.lower()] = [el.inner_text() for el in
                                   self.page.locator(f"[data-testid='stAlert'] [data-testid='stAlertContent{kind}']").all()]
        found["all"] = [el.inner_text() for el in self.page.locator("[data-testid='stAlert']").all()]
        return found

    # -- the sidebar ----------------------------------------------------------------------------

    def sidebar_expander(self, text: str):
        """The sidebar expander whose title (not its content) contains `text`."""
        title = self.page.locator("summary", has_text=text)
        return self.page.locator("[data-testid='stSidebar'] [data-testid='stExpander']").filter(has=title)

    def open_expander(self, text: str):
        """Open the sidebar expander whose title contains `text` (if closed); its locator."""
        expander = self.sidebar_expander(text)
        details = expander.locator("details")
        if details.get_attribute("open") is None:
            expander.locator("summary").click()
            expander.locator("details[open]").wait_for()
            # Its contents are built by the rerun that opening it starts: wait until they are
            # there and that run has ended, so a click does not land on an element being replaced.
            expander.locator("[data-testid='stExpanderDetails'] [data-testid='stElementContainer']").first.wait_for()
            self.wait_idle()
        return expander

    def click_lesson(self, title: str, lesson_id: str) -> None:
        lessons = self.open_expander("Lessons")
        # A click can land on a button the page is replacing in that instant (a rerun redraws the
        # sidebar): it is lost, so a lesson that has not loaded after a while is clicked again
        # (loading a lesson twice gives the same scene).
        for _attempt in range(3):
            lessons.get_by_role("button", name=title, exact=True).click()
            try:
                self.page.wait_for_function("(v) => new URLSearchParams(location.search).get('lesson') === v",
                                            arg=lesson_id, timeout=15_000)  # fmt: skip
                break
            except PlaywrightTimeout:
                continue
        self.settle_query("lesson", lesson_id)


def assert_landscape_image_shown(state: dict) -> None:
    """The landscape is one image under the plot, covering the whole plot area (the map's
    domain: its axes are fixed to it)."""
    image, area = state["background"], state["plotArea"]
    assert image is not None, "no landscape image under the map"
    assert image["head"] == "data:image/png;base64" and image["loaded"]
    assert image["belowTraces"]
    assert image["visibility"] == "visible" and image["display"] != "none" and image["opacity"] > 0.5
    for side, size in (("left", "width"), ("top", "height")):
        assert image[side] == pytest.approx(area[side], abs=2) and image[size] == pytest.approx(area[size], abs=2)
        assert image["clip"][side] == pytest.approx(area[side], abs=2) and image["clip"][size] == pytest.approx(area[size], abs=2)
    assert area["width"] > 250 and area["height"] > 250


def assert_paths_drawn(state: dict, count: int) -> None:
    assert len(state["paths"]) == count
    assert len(state["drawnPaths"]) == count and all(d > 50 for d in state["drawnPaths"]), state["drawnPaths"]
