"""State overlays and the step inspector in a real browser: read from plotly.js's own data.

Also leaves screenshots under test-artefacts/browser/ (overlays on the ravine and on
Rosenbrock mid-run, the inspector).
"""

from __future__ import annotations

from urllib.parse import urlencode

import numpy as np

import descent
from tests.browser.conftest import ARTEFACTS
from ui.defaults import DEFAULT_SCENARIO
from ui.lessons import BY_ID
from ui.links import Options, encode

OVERLAYS = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const out = {};
  gd._fullData.forEach(t => { if (String(t.meta || '').startsWith('overlay:'))
    out[t.meta.slice(8)] = {x: Array.from(t.x || [], Number), y: Array.from(t.y || [], Number), name: t.name}; });
  const heads = gd._fullData.filter(t => (t.legendgroup || '').startsWith('run') && t.mode === 'markers')
    .map(t => ({x: Number(t.x[0]), y: Number(t.y[0]), step: Number(((t.text || [])[0] || '').replace('step ', ''))}));
  return {overlays: out, heads};
}"""
JUMP = """(name) => new Promise(done => {
  const gd = document.querySelector('.js-plotly-plot');
  Plotly.animate(gd, [name], {mode: 'immediate', frame: {duration: 0, redraw: false}, transition: {duration: 0}}).then(done);
})"""
RECORD = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const rec = {samples: [], done: false};
  gd.on('plotly_animated', () => { rec.done = true; });
  rec.timer = setInterval(() => {
    const step = gd._fullData.find(t => t.meta === 'overlay:step');
    const head = gd._fullData.filter(t => (t.legendgroup || '').startsWith('run') && t.mode === 'markers')[1];
    if (step && step.x && step.x.length) rec.samples.push({x0: Number(step.x[0]), y0: Number(step.y[0]),
      hx: Number(head.x[0]), hy: Number(head.y[0]), k: Number(((head.text || [])[0] || '').replace('step ', ''))});
  }, 40);
  window.__overlayPlay = rec;
}"""


def _query(scene, opts) -> str:
    return "?" + urlencode(encode(scene, opts))


# Each frame's step, as its step counter says (frames are named by their place in the animation).
FRAME_STEPS = """() => document.querySelector('.js-plotly-plot')._transitionData._frames.map(f =>
  Number(f.data.find(d => Object.keys(d).length === 1 && d.text).text[0].replace('step ', '')))"""


def _check_frame(page, scene, run: int, frame: int) -> dict:
    k = page.page.evaluate(FRAME_STEPS)[frame]
    page.page.evaluate(JUMP, str(frame))
    state = page.page.evaluate(OVERLAYS)
    e = descent.explain(scene, run=run, step=k)
    step = state["overlays"]["step"]
    factor = float(step["name"].rsplit("×", 1)[1])
    np.testing.assert_allclose([step["x"][0], step["y"][0]], e["point"], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose([step["x"][1] - step["x"][0], step["y"][1] - step["y"][0]], e["update"] * factor, rtol=5e-3)
    gradient = state["overlays"]["gradient"]
    g_factor = float(gradient["name"].rsplit("×", 1)[1])
    np.testing.assert_allclose([gradient["x"][1] - gradient["x"][0], gradient["y"][1] - gradient["y"][0]],
                               -e["gradient"] * g_factor, rtol=5e-3)  # fmt: skip
    head = state["heads"][run]
    assert head["step"] == k and np.array_equal(np.float32([head["x"], head["y"]]), np.float32([step["x"][0], step["y"][0]]))
    return state


def test_overlays_sit_where_explain_says_and_move_with_play(app):
    lesson = BY_ID["ravine"]
    scene = lesson.build()
    opts = Options(selected=1, overlays=("gradient", "momentum", "step"))
    page = app.open(_query(scene, opts))
    names = page.page.evaluate("() => document.querySelector('.js-plotly-plot')._transitionData._frames.map(f => f.name)")
    assert names == [str(f) for f in range(len(names))] and len(names) > 20
    for frame in (20, 10, 3):
        _check_frame(page, scene, 1, frame)
    assert page.page.locator("[data-testid='stMain'] .descent-overlay-scales").filter(has_text="momentum ×").count() == 1  # the scales
    page.page.screenshot(path=str(ARTEFACTS / "overlays-ravine.png"))
    # Play: the step arrow follows the momentum run's point at every sampled moment.
    page.page.evaluate(RECORD)
    page.page.locator(".js-plotly-plot .updatemenu-button").filter(has_text="▶ 1×").click()
    page.page.wait_for_function("() => window.__overlayPlay.done", timeout=60_000)
    samples = page.page.evaluate("() => { clearInterval(window.__overlayPlay.timer); return window.__overlayPlay.samples; }")
    moving = {(s["x0"], s["y0"]) for s in samples}
    assert len(moving) >= 5, "the arrows did not move during playback"
    last = len(descent.run(scene).runs[1].path) - 1  # no step leaves the last point: the last step is shown
    for s in samples:
        if s["k"] < last:
            # the arrow starts at the run's current point (both float32 values)
            assert np.array_equal(np.float32([s["x0"], s["y0"]]), np.float32([s["hx"], s["hy"]])), s


def test_overlays_on_rosenbrock_and_the_inspector_screenshots(app):
    scene = DEFAULT_SCENARIO
    page = app.open(_query(scene, Options(selected=3, overlays=("gradient", "momentum", "step", "box"))))
    names = page.page.evaluate("() => document.querySelector('.js-plotly-plot')._transitionData._frames.map(f => f.name)")
    state = _check_frame(page, scene, 3, 3)
    assert set(state["overlays"]) == {"gradient", "momentum", "step", "box"}
    page.page.screenshot(path=str(ARTEFACTS / "overlays-rosenbrock.png"))
    inspector = app.new_page()  # no map in this view: wait for the script, not for a map
    inspector.page.goto(inspector.base_url + _query(scene, Options(view="Inspector", selected=3, step=7)))
    inspector.wait_idle()
    inspector.page.wait_for_selector("text=With this step's numbers")
    inspector.page.wait_for_selector("table")
    inspector.page.screenshot(path=str(ARTEFACTS / "inspector.png"), full_page=True)
    e = descent.explain(scene, run=3, step=7)
    cells = inspector.page.locator("table").first.inner_text()
    assert f"{float(e['next_point'][0]):.9g}" in cells and f"{float(e['update'][1]):.9g}" in cells
