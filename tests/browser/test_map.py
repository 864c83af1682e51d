"""The map in a real browser: it loads, follows the controls, plays, and takes a click as the
new start point."""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.browser.driver import (
    DEFAULT_LABELS,
    DEFAULT_QUERY,
    assert_landscape_image_shown,
    assert_paths_drawn,
)

def f32(*values: float) -> tuple:
    """Coordinates as float32: the paths arrive as float32 arrays, a marker's point as the
    shortest decimal of the same float32 value."""
    return tuple(np.float32(v) for v in values)


# A hung browser or server fails its test (the suite itself takes well under a minute per test).
pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def test_default_scene_loads_without_errors_and_draws_the_map(app):
    page = app.open()

    alerts = page.alerts()
    assert alerts["exception"] == [] and alerts["error"] == [], alerts
    assert alerts["all"] == [], alerts  # a plain link has nothing to warn about
    state = page.map_state()
    assert set(state["traceTypes"]) == {"scatter"}  # the landscape is an image, not a contour trace
    assert_landscape_image_shown(state)
    assert_paths_drawn(state, 4)
    assert [p["label"] for p in state["paths"]] == DEFAULT_LABELS
    assert state["legend"][:4] == DEFAULT_LABELS
    for path in state["paths"]:
        assert len(path["x"]) == len(path["y"]) == 501  # 500 steps, none diverged
        assert (path["x"][0], path["y"][0]) == (-1.5, 2.0)
    # Before any playback every run's marker stands on its last point.
    assert [h["label"] for h in state["heads"]] == DEFAULT_LABELS
    for head, path in zip(state["heads"], state["paths"]):
        assert f32(head["x"], head["y"]) == f32(path["x"][-1], path["y"][-1])
        assert head["text"] == "step 500"
    assert state["start"] == {"x": [-1.5], "y": [2.0]}
    assert page.query() == DEFAULT_QUERY


def test_learning_rate_controls_change_that_run_and_the_url(app):
    page = app.open()
    history = page.page.evaluate("() => history.length")
    before = page.map_state()
    adam = page.open_expander("Run 4: Adam")
    slider = adam.locator("[data-testid='stSlider'] input[type=range]").first  # learning_rate, 1-2-5 steps
    exact = adam.locator("[data-testid='stNumberInput'] input").first  # learning_rate (exact)
    expect(slider).to_have_attribute("aria-valuetext", "0.05")
    expect(exact).to_have_value("0.05")

    # The select_slider, one notch up: 0.05 -> 0.1.
    key = page.paths_key()
    slider.focus()
    page.page.keyboard.press("ArrowRight")
    page.settle_query("r3.learning_rate", "0.1")
    page.settle_map_change(key)
    after = page.map_state()
    assert page.query() == DEFAULT_QUERY | {"r3.learning_rate": "0.1"}
    assert after["paths"][:3] == before["paths"][:3]  # the other runs are untouched
    assert after["paths"][3]["label"] == "Adam lr=0.1"
    assert (after["paths"][3]["x"], after["paths"][3]["y"]) != (before["paths"][3]["x"], before["paths"][3]["y"])
    assert (after["paths"][3]["x"][0], after["paths"][3]["y"][0]) == (-1.5, 2.0)
    assert "Adam lr=0.1" in after["legend"]
    # Only the run's data and words changed: the chart moved its traces in place, no full redraw.
    assert page.page.evaluate("() => document.querySelector('.js-plotly-plot').dataset.path") == "move"
    expect(exact).to_have_value("0.1")

    # The exact box: 0.02.
    key = page.paths_key()
    exact.fill("0.02")
    exact.press("Enter")
    page.settle_query("r3.learning_rate", "0.02")
    page.settle_map_change(key)
    last = page.map_state()
    assert last["paths"][:3] == before["paths"][:3]
    assert last["paths"][3]["label"] == "Adam lr=0.02"
    assert last["paths"][3]["x"] not in (before["paths"][3]["x"], after["paths"][3]["x"])
    expect(slider).to_have_attribute("aria-valuetext", "0.02")

    # The run's editor stays open while it is being tuned; its title names the run, not the rate
    # (an edit of a value redraws that editor alone).
    expect(adam.locator("summary")).to_have_text(re.compile(r"● Run 4: Adam$"))
    expect(adam.locator("details")).to_have_attribute("open", "")

    # Back to 0.1: the path drawn is the one drawn for 0.1 before, not the last one.
    key = page.paths_key()
    exact.fill("0.1")
    exact.press("Enter")
    page.settle_query("r3.learning_rate", "0.1")
    page.settle_map_change(key)
    assert page.map_state()["paths"] == after["paths"]
    # The address was replaced in place (ui.address): an edit adds no entry to the history.
    assert page.page.evaluate("() => history.length") == history


def test_a_new_number_of_steps_moves_the_runs_in_place(app):
    """Frames are named by their place in the animation, so another number of steps leaves the
    buttons and the slider as they were: the runs move, and nothing else is redrawn."""
    page = app.open()
    page.set_steps(437)
    chart = "document.querySelector('.js-plotly-plot')"
    assert page.page.evaluate(f"() => {chart}.dataset.path") == "move"
    assert all(len(path["x"]) == 438 for path in page.map_state()["paths"])
    page.page.wait_for_function(f"() => ({chart}._transitionData._frames || []).length === 100")
    last = page.page.evaluate(f"() => {chart}._transitionData._frames[99].data.find(d => Object.keys(d).length === 1).text[0]")
    assert last == "step 437"


# Record the markers while the map plays: plotly's own data and the SVG marker positions.
PLAY_RECORDER = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const heads = () => gd._fullData.map((t, i) => [t, i])
    .filter(([t]) => (t.legendgroup || '').startsWith('run') && t.mode === 'markers');
  const record = {samples: [], frames: 0, done: false, interrupted: false};
  const sample = () => {
    if (record.frames === 0) return;  // not playing yet
    const hs = heads();
    const traces = gd.querySelectorAll('.scatterlayer .trace');
    record.samples.push({
      step: Number(((hs[0][0].text || [])[0] || '').replace('step ', '')),
      xy: hs.map(([t]) => [Number(t.x[0]), Number(t.y[0])]),
      svg: hs.map(([, i]) => { const p = traces[i] && traces[i].querySelector('.points path');
                               return p ? p.getAttribute('transform') : null; }),
      images: gd.querySelectorAll('.descent-background img').length,
      counter: (() => { const i = gd._fullData.findIndex(t => t.name === 'step counter');
                        const el = gd.querySelectorAll('.scatterlayer .trace')[i];
                        return el && el.querySelector('text') ? el.querySelector('text').textContent : null; })(),
    });
  };
  gd.on('plotly_animatingframe', () => { record.frames += 1; });
  gd.on('plotly_animated', () => { record.done = true; });
  gd.on('plotly_animationinterrupted', () => { record.interrupted = true; });
  record.timer = setInterval(sample, 50);
  window.__descentPlay = record;
}"""
PLAY_REPORT = """() => { const r = window.__descentPlay; clearInterval(r.timer);
  return {samples: r.samples, frames: r.frames, done: r.done, interrupted: r.interrupted}; }"""


def _play(page, button: str) -> None:
    page.page.evaluate(PLAY_RECORDER)
    page.page.locator(".js-plotly-plot .updatemenu-button").filter(has_text=button).click()


def test_play_moves_the_markers_and_keeps_the_landscape(app):
    page = app.open()
    before = page.map_state()
    ends = [f32(p["x"][-1], p["y"][-1]) for p in before["paths"]]
    assert [f32(h["x"], h["y"]) for h in before["heads"]] == ends

    # Play from the still figure (which shows the last step) restarts at step 0.
    _play(page, "▶ 4×")
    page.page.wait_for_function("() => window.__descentPlay.done")
    report = page.page.evaluate(PLAY_REPORT)
    samples = report["samples"]
    steps = [s["step"] for s in samples]
    assert report["frames"] >= 40, report["frames"]  # 4× shows every other one of ~100 frames
    assert len(samples) >= 3, steps
    assert steps[0] < 250, steps  # it started over, not from the end
    assert steps == sorted(steps), steps
    adam = {tuple(s["xy"][3]) for s in samples}
    assert len(adam) >= 3, "the Adam marker did not move during playback"
    assert len({s["svg"][3] for s in samples}) >= 3, "the drawn Adam marker did not move"
    assert all(s["images"] == 1 for s in samples), "the landscape image left the SVG during playback"
    # The counter on the map counts along with the markers.
    assert all(s["counter"] == f"step {s['step']}" for s in samples), [(s["counter"], s["step"]) for s in samples]

    after = page.map_state()
    assert [f32(h["x"], h["y"]) for h in after["heads"]] == ends  # the animation ends on the last step
    assert after["counter"] == "step 500"  # the step counter on the map, drawn
    assert_landscape_image_shown(after)
    assert_paths_drawn(after, 4)
    assert after["paths"] == before["paths"] and after["background"]["hash"] == before["background"]["hash"]

    # Pause stops it midway, and the next Play continues from there.
    _play(page, "▶ 1×")
    page.page.wait_for_function("() => window.__descentPlay.samples.some(s => s.step >= 60)")
    page.page.locator(".js-plotly-plot .updatemenu-button").filter(has_text="Pause").click()
    page.page.wait_for_function("() => window.__descentPlay.interrupted")
    paused_step = int(page.map_state()["heads"][3]["text"].removeprefix("step "))
    assert 60 <= paused_step < 500
    _play(page, "▶ 2×")
    # Wait for the last step itself: the paused animation's own end event can arrive after the
    # new recorder is installed (and set `done` before the resumed play has begun).
    page.page.wait_for_function("() => { const s = window.__descentPlay.samples; return s.length && s[s.length - 1].step === 500; }")
    resumed = [s["step"] for s in page.page.evaluate(PLAY_REPORT)["samples"]]
    assert resumed and min(resumed) >= paused_step, (paused_step, resumed)
    assert resumed[-1] == 500
    assert_landscape_image_shown(page.map_state())


# The centre of the step slider's tick `index`, and the frame now shown (its index in the
# figure's frames).
SLIDER_TICK = """(index) => {
  const gd = document.querySelector('.js-plotly-plot');
  const ticks = gd.querySelectorAll('.slider-group rect.slider-tick-rect');
  const r = ticks[index].getBoundingClientRect();
  const names = gd._transitionData._frames.map(f => f.name);
  return {x: r.left + r.width / 2, y: r.top + r.height / 2, count: ticks.length,
          current: names.indexOf(gd._fullLayout._currentFrame)};
}"""


def test_fast_play_continues_from_a_scrubbed_step(app):
    page = app.open()
    # Scrub the step slider (25 positions over 100 frames) to a position near a third.
    for index in (8, 9, 10, 8, 9, 10):
        tick = page.page.evaluate(SLIDER_TICK, index)
        assert tick["count"] == 25
        page.page.mouse.click(tick["x"], tick["y"] - 8)  # on the rail, above the tick
        try:
            page.page.wait_for_function("() => { const gd = document.querySelector('.js-plotly-plot'); const names ="
                                        " gd._transitionData._frames.map(f => f.name);"
                                        " return names.indexOf(gd._fullLayout._currentFrame) > 0; }",
                                        timeout=3000)  # fmt: skip
            break
        except PlaywrightTimeout:
            continue  # the click was lost; try again
    else:
        pytest.fail("could not scrub the step slider")  # not the expected failure
    scrubbed = int(page.map_state()["heads"][3]["text"].removeprefix("step "))
    if not 100 < scrubbed < 250:
        pytest.fail(f"the markers did not go to the scrubbed step: {scrubbed}")
    assert page.map_state()["counter"] == f"step {scrubbed}"
    _play(page, "▶ 4×")
    page.page.wait_for_function("() => window.__descentPlay.done")
    steps = [s["step"] for s in page.page.evaluate(PLAY_REPORT)["samples"]]
    assert min(steps) >= scrubbed, (scrubbed, steps)


# A screen point at (fx, fy) of the map's ranges that lies at least `clear` px from every drawn
# point (paths, markers, minima), so a click there lands on the landscape; with its data
# coordinates and the size of a pixel in them.
CLICK_TARGET = """([fx, fy, clear]) => {
  const gd = document.querySelector('.js-plotly-plot');
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
  const px = x => box.left + xa.l2p(x), py = y => box.top + ya.l2p(y);
  const others = [];
  for (const t of gd._fullData) {
    if (t.name === 'colour scale' || !t.visible || !t.x) continue;
    for (let i = 0; i < t.x.length; i++) others.push([px(t.x[i]), py(t.y[i])]);
  }
  for (let k = 0; k < 400; k++) {  // around the asked point, further and further out
    const angle = k * 2.4, radius = 3 * Math.sqrt(k);
    const cx = box.left + fx * box.width + radius * Math.cos(angle), cy = box.bottom - fy * box.height + radius * Math.sin(angle);
    if (others.every(([ox, oy]) => Math.hypot(ox - cx, oy - cy) >= clear))
      return {px: cx, py: cy, x: xa.p2l(cx - box.left), y: ya.p2l(cy - box.top),
              dx: (xa.range[1] - xa.range[0]) / box.width, dy: (ya.range[1] - ya.range[0]) / box.height};
  }
  return null;
}"""


def test_a_click_on_the_map_moves_the_start_point(app):
    import viz

    page = app.open()
    target = page.page.evaluate(CLICK_TARGET, [0.85, 0.12, 30])
    assert target is not None
    x, y = viz.click_point(target)  # where the click lands, rounded to about two pixels
    assert (x, y) != (-1.5, 2.0)

    page.page.mouse.click(target["px"], target["py"])
    page.settle("(old) => new URLSearchParams(location.search).get('start') !== old", "-1.5,2.0")
    start = [float(v) for v in page.query()["start"].split(",")]
    assert start == pytest.approx([x, y], abs=2 * max(target["dx"], target["dy"]))  # a pixel either way
    x, y = start
    assert {k: v for k, v in page.query().items() if k != "start"} == {k: v for k, v in DEFAULT_QUERY.items() if k != "start"}
    expect(page.page.get_by_label("Start x", exact=True)).to_have_value(f"{x:g}")
    expect(page.page.get_by_label("Start y", exact=True)).to_have_value(f"{y:g}")

    page.page.wait_for_function("([x, y]) => { const s = document.querySelector('.js-plotly-plot')._fullData"
                                ".find(t => t.name === 'start'); return s && Math.abs(s.x[0] - x) < 1e-6 && Math.abs(s.y[0] - y) < 1e-6; }",
                                arg=[x, y])  # fmt: skip
    state = page.map_state()
    assert_paths_drawn(state, 4)
    for path in state["paths"]:
        assert path["x"][0] == pytest.approx(x, abs=1e-6) and path["y"][0] == pytest.approx(y, abs=1e-6)
    assert state["start"]["x"] == [pytest.approx(x, abs=1e-6)] and state["start"]["y"] == [pytest.approx(y, abs=1e-6)]
    assert page.alerts()["all"] == []


def test_a_drag_pans_the_map_and_does_not_move_the_start(app):
    page = app.open()
    target = page.page.evaluate(CLICK_TARGET, [0.5, 0.5, 30])
    before = page.map_state()
    page.page.mouse.move(target["px"], target["py"])
    page.page.mouse.down()
    page.page.mouse.move(target["px"] + 60, target["py"] + 20, steps=5)
    page.page.mouse.up()
    page.page.wait_for_timeout(600)
    page.wait_idle()
    assert page.query()["start"] == "-1.5,2.0"
    after = page.map_state()
    assert after["background"]["left"] > before["background"]["left"] + 30  # the landscape moved with the axes


FRAMES = """() => document.querySelector('.js-plotly-plot')._transitionData._frames.map(
    f => ({name: f.name, traces: f.traces, data: f.data.map(d => ({x: d.x ? Array.from(d.x) : null,
                                                                   y: d.y ? Array.from(d.y) : null,
                                                                   text: d.text ? Array.from(d.text) : null}))}))"""


def test_the_page_builds_the_frames_the_figure_builder_makes(app):
    """The map is sent with a frame recipe (ui.live_chart's expandFrames builds the frames from
    the path traces): plotly.js in the page holds exactly the frames viz.trajectory_map's own
    `_frame` makes for the same result."""
    import numpy as np

    import descent
    from ui import views
    from ui.links import parse

    page = app.open()
    page.page.wait_for_function("() => (document.querySelector('.js-plotly-plot')._transitionData._frames || []).length > 0")
    shown = page.page.evaluate(FRAMES)
    parsed = parse(page.query())
    scene = parsed.scenario
    # The page's own figure, frames built by the server (the state overlays of the selected run included).
    expected = views.map_spec(scene, parsed.options, descent.run(scene), descent.landscape_grid(scene.landscape, {}, 40))["frames"]
    assert [f["name"] for f in shown] == [f["name"] for f in expected] and len(shown) == 100
    for got, want in zip(shown, expected):
        assert got["traces"] == want["traces"]
        for g, w in zip(got["data"], want["data"]):
            for axis in ("x", "y"):
                if axis in w:
                    # Both read back from the shortest decimal of each float32 value.
                    assert np.array_equal(np.float32(g[axis]), np.float32(w[axis])), (got["name"], axis)
            if "text" in w:
                assert g["text"] == w["text"]


CHART_3D = "document.querySelector(\"[data-testid='stMain'] .js-plotly-plot\")"
GL_TRACES = """() => { const traces = %s._fullLayout.scene._scene.traces;
  return Object.keys(traces).map(uid => ({uid, type: traces[uid].data.type, name: traces[uid].data.name,
                                          marked: traces[uid].__mark === true, x0: Number(traces[uid].data.x[0]),
                                          updates: traces[uid].__descentUpdates || 0})); }""" % CHART_3D
MARK_GL_TRACES = """() => { Object.values(%s._fullLayout.scene._scene.traces).forEach(t => { t.__mark = true; }); }""" % CHART_3D


def test_an_edit_updates_the_3d_traces_where_they_are_drawn(app):
    """plotly.js builds a 3D trace with a new uid from nothing (its WebGL programs compiled
    anew); the page gives each trace its place's uid, so an edit updates the drawn ones."""
    page = app.open()
    # The map makes no WebGL canvas: the first page does not probe the browser's WebGL.
    assert page.page.evaluate("() => window.__descentWebGL === null")  # installed, nothing probed yet
    page.page.locator("[data-testid='stMain'] [data-testid='stButtonGroup']").get_by_role("radio", name="3D", exact=True).click()
    page.page.wait_for_function("() => new URLSearchParams(location.search).get('view') === '3D'")
    page.page.wait_for_function(f"() => {{ const g = {CHART_3D}; return g && g._fullLayout && g._fullLayout.scene && g._fullLayout.scene._scene; }}")
    before = page.page.evaluate(GL_TRACES)
    assert {t["type"] for t in before} >= {"surface", "scatter3d"}
    page.page.evaluate(MARK_GL_TRACES)
    drawn = page.page.evaluate(f"() => {CHART_3D}.dataset.drawn")
    start_x = page.page.get_by_label("Start x", exact=True)
    start_x.fill("-1.2")
    start_x.press("Enter")
    page.page.wait_for_function(f"() => {CHART_3D}.dataset.drawn !== '{drawn}'")
    after = page.page.evaluate(GL_TRACES)
    assert [t["uid"] for t in after] == [t["uid"] for t in before] and all(t["marked"] for t in after), after
    paths = [t for t in after if t["uid"] in {f"trace{i}-scatter3d" for i in (1, 2, 3, 4)}]  # the runs' paths
    assert len(paths) == 4 and all(abs(t["x0"] + 1.2) < 1e-6 for t in paths), after  # the same objects, the new paths
    # The paths were updated from their new data; the surface, the very trace already drawn, kept its vertices.
    surface = lambda traces: next(t for t in traces if t["type"] == "surface")  # noqa: E731
    assert all(t["updates"] == b["updates"] + 1 for t, b in zip(paths, before[1:5])), (before, after)
    assert surface(after)["updates"] == surface(before)["updates"], (before, after)
    # Without a GPU (Chromium here draws WebGL with SwiftShader) the 3D canvas is not antialiased.
    webgl = page.page.evaluate("""() => ({software: window.__descentWebGL.software, antialias:
        %s.querySelector('canvas').getContext('webgl').getContextAttributes().antialias})""" % CHART_3D)
    assert webgl == {"software": True, "antialias": False}, webgl
    # A new landscape is a new surface: it is updated where it is drawn.
    drawn = page.page.evaluate(f"() => {CHART_3D}.dataset.drawn")
    page.page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
    page.page.get_by_role("option", name="Himmelblau", exact=True).click()
    page.page.wait_for_function(f"() => {CHART_3D}.dataset.drawn !== '{drawn}'")
    page.page.wait_for_function("() => new URLSearchParams(location.search).get('landscape') === 'himmelblau'")
    renewed = page.page.evaluate(GL_TRACES)
    assert surface(renewed)["uid"] == surface(before)["uid"] and surface(renewed)["marked"], renewed
    assert surface(renewed)["updates"] == surface(after)["updates"] + 1 and surface(renewed)["x0"] != surface(after)["x0"], renewed
