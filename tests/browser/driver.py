"""A page of the app and what the tests read from it.

Waiting: Streamlit reruns are asynchronous, so after an action the tests wait for its effect
(a query parameter, changed plot data) with `settle()`, then for the script to be idle again
(`[data-testid='stApp'][data-test-script-state='notRunning']`, as Streamlit's e2e suite
waits) and for the map to be drawn. No fixed sleeps.

The map is read from plotly.js itself (`gd._fullData`, which holds the typed arrays decoded,
`gd._fullLayout`) and from
the SVG it drew. Traces are told apart by what viz.trajectory_map gives them: a run's path,
trail and current point share `legendgroup: "run<i>"`; the path is the one with a legend entry
(its `meta` is the run's plain label), the current point is the one drawn as markers.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

DEFAULT_LABELS = ["SGD lr=0.001", "Momentum lr=0.001 μ=0.9", "RMSprop lr=0.01", "Adam lr=0.05"]
DEFAULT_QUERY = {
    "landscape": "rosenbrock", "start": "-1.5,2.0", "steps": "500",
    "r0.optimizer": "sgd", "r0.learning_rate": "0.001",
    "r1.optimizer": "sgd", "r1.learning_rate": "0.001", "r1.momentum": "0.9",
    "r2.optimizer": "rmsprop", "r2.learning_rate": "0.01",
    "r3.optimizer": "adam", "r3.learning_rate": "0.05",
}  # fmt: skip


IDLE = "[data-testid='stApp'][data-test-connection-state='CONNECTED'][data-test-script-state='notRunning']"

# The map is drawn: plotly has laid it out, every trace has its SVG group, the landscape's layout
# image is in the SVG, and plotly has not redrawn it for QUIET_MS. (Streamlit redraws a new chart
# once more about 250 ms after the first draw; a click in between can be lost.)
QUIET_MS = 700
MAP_DRAWN = """(quietMs) => {
  const gd = document.querySelector('.js-plotly-plot');
  const ready = gd && gd._fullLayout && gd.data && gd._fullData
    && gd.querySelectorAll('.scatterlayer .trace').length === gd._fullData.length
    && gd.querySelectorAll('.imagelayer image').length === (gd._fullLayout.images || []).length
    && gd.querySelectorAll('.imagelayer image').length > 0;
  const now = performance.now(), last = window.__descentDrawn;
  if (!ready) { window.__descentDrawn = null; return false; }
  if (!last || last.gd !== gd || last.layout !== gd._fullLayout) {
    window.__descentDrawn = {gd, layout: gd._fullLayout, since: now};
    return false;
  }
  return now - last.since >= quietMs;
}"""

MAP_STATE = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const group = t => (t.legendgroup || '').startsWith('run');
  const arr = a => a ? Array.from(a, Number) : [];
  const fnv = text => { let h = 0x811c9dc5; for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; } return h; };
  const hrefOf = el => el.getAttribute('href') || el.getAttribute('xlink:href') || '';
  // _fullData: plotly.js's decoded copy (gd.data keeps the typed arrays as they were sent).
  const paths = gd._fullData.filter(t => group(t) && t.mode === 'lines' && t.showlegend !== false)
    .map(t => ({label: t.meta, group: t.legendgroup, x: arr(t.x), y: arr(t.y)}));
  const heads = gd._fullData.filter(t => group(t) && t.mode === 'markers')
    .map(t => ({label: t.name, group: t.legendgroup, x: Number(t.x[0]), y: Number(t.y[0]), text: (t.text || [])[0]}));
  const start = gd._fullData.find(t => t.name === 'start');
  const grid = gd._fullData.find(t => t.meta === 'set-start');
  return {
    traceTypes: gd._fullData.map(t => t.type),
    paths, heads,
    start: start ? {x: arr(start.x), y: arr(start.y)} : null,
    gridPoints: grid ? grid.x.length : 0,
    layoutImages: (gd.layout.images || []).map(i => ({name: i.name, layer: i.layer, head: (i.source || '').slice(0, 21), hash: fnv(i.source || ''), length: (i.source || '').length})),
    svgImages: Array.from(gd.querySelectorAll('.imagelayer image')).map(el => {
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      return {href: hrefOf(el).slice(0, 21), width: r.width, height: r.height, visibility: cs.visibility,
              display: cs.display, opacity: Number(el.getAttribute('opacity') ?? cs.opacity),
              // drawn before (under) the traces
              belowTraces: !!(el.compareDocumentPosition(gd.querySelector('.scatterlayer')) & Node.DOCUMENT_POSITION_FOLLOWING)};
    }),
    legend: Array.from(gd.querySelectorAll('.legendtext'), el => el.textContent),
    annotations: Array.from(gd.querySelectorAll('.annotation-text'), el => el.textContent),
    // Length of the SVG line drawn for each run's path (0: not drawn).
    drawnPaths: gd._fullData.map((t, i) => [t, i]).filter(([t]) => group(t) && t.mode === 'lines' && t.showlegend !== false)
      .map(([t, i]) => {
        const el = gd.querySelectorAll('.scatterlayer .trace')[i];
        const line = el && el.querySelector('path.js-line');
        return line ? (line.getAttribute('d') || '').length : 0;
      }),
    plotArea: (() => { const r = gd.querySelector('.nsewdrag').getBoundingClientRect();
                       return {left: r.left, top: r.top, width: r.width, height: r.height}; })(),
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
        lessons.get_by_role("button", name=title, exact=True).click()
        self.settle_query("lesson", lesson_id)


def assert_landscape_image_shown(state: dict) -> None:
    """The landscape is one layout image, below the traces, drawn over the whole plot area."""
    assert [(i["name"], i["layer"]) for i in state["layoutImages"]] == [("landscape", "below")]
    assert state["layoutImages"][0]["head"] == "data:image/png;base64"
    assert len(state["svgImages"]) == 1, state["svgImages"]
    image, area = state["svgImages"][0], state["plotArea"]
    assert image["href"] == "data:image/png;base64"
    assert image["belowTraces"]
    assert image["visibility"] == "visible" and image["display"] != "none" and image["opacity"] > 0.5
    assert image["width"] == pytest.approx(area["width"], abs=2) and image["height"] == pytest.approx(area["height"], abs=2)
    assert area["width"] > 250 and area["height"] > 250


def assert_paths_drawn(state: dict, count: int) -> None:
    assert len(state["paths"]) == count
    assert len(state["drawnPaths"]) == count and all(d > 50 for d in state["drawnPaths"]), state["drawnPaths"]
