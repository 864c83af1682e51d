"""The map's animation in a real Chromium: after Play the landscape and the divergence label
are still there and every run's marker stands on its last point.

Drives /usr/bin/chromium through choreographer (kaleido's browser driver, installed with it).
"""

from __future__ import annotations

import asyncio
import json
import os

import numpy as np
import pytest

import viz
from viz.curves import NO_SCHEDULE_NOTE

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _chromium_is_there():
    # Fail, not skip: the README's test command installs Debian's chromium, so a missing
    # browser is a broken setup, and a skipped test must not pass for a checked one.
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: install Debian's chromium (scripts/test does)"

# Click "▶ 4×", wait for the animation to end, then report what the page shows.
PLAY = """
(async () => {
  const gd = document.querySelector('.plotly-graph-div');
  const landscape = () => Array.from(gd.querySelectorAll('image')).filter(
    image => (image.getAttribute('href') || image.getAttribute('xlink:href') || '').startsWith('data:image/png')).length;
  const before = landscape();
  let frames = 0;
  gd.on('plotly_animatingframe', () => { frames += 1; });
  const done = new Promise(resolve => gd.on('plotly_animated', resolve));
  const started = performance.now();
  gd.querySelectorAll('.updatemenu-button')[BUTTON].dispatchEvent(new MouseEvent('click', {bubbles: true}));
  let during = -1;
  setTimeout(() => { during = landscape(); }, 400);
  await done;
  return JSON.stringify({
    before, during, after: landscape(), frames, seconds: (performance.now() - started) / 1000,
    annotations: Array.from(gd.querySelectorAll('.annotation-text')).map(a => a.textContent),
    points: gd._fullData.map(t => [t.name, t.x ? Array.from(t.x) : null, t.y ? Array.from(t.y) : null]),
  });
})()
"""


async def _evaluate(html_path: str, expression: str) -> dict:
    """Open the page in Chromium, wait until plotly has drawn, and return what `expression`
    (a JSON string, or a promise of one) gives."""
    import choreographer

    async with choreographer.Browser(path=CHROMIUM, headless=True) as browser:
        tab = browser.get_tab()
        await tab.send_command("Page.navigate", params={"url": "file://" + html_path})
        for _ in range(100):  # wait for plotly to draw (≈ 1 s)
            ready = await tab.send_command("Runtime.evaluate", params={
                "expression": "!!(document.querySelector('.plotly-graph-div') || {})._fullLayout", "returnByValue": True})
            if ready.get("result", {}).get("result", {}).get("value"):
                break
            await asyncio.sleep(0.1)
        answer = await tab.send_command("Runtime.evaluate", params={
            "expression": expression, "awaitPromise": True, "returnByValue": True})
        return json.loads(answer["result"]["result"]["value"])


async def _play(html_path: str, button: int) -> dict:
    return await _evaluate(html_path, PLAY.replace("BUTTON", str(button)))


@pytest.mark.timeout(90)
def test_playback_keeps_the_landscape_and_ends_on_the_last_points(race, tmp_path):
    fig = race.map()
    page = tmp_path / "map.html"
    page.write_text(viz.standalone_html(fig), encoding="utf-8")
    report = asyncio.run(_play(str(page), button=2))  # ▶ 4×

    assert report["before"] == report["during"] == report["after"] == 1, report
    assert report["frames"] >= 80  # 4× plays every frame (at 20 ms)
    assert report["annotations"] == [f"diverged at step {race.result.runs[3].diverged_at}"]
    heads = {name: (x[0], y[0]) for name, x, y in report["points"] if x is not None and len(x) == 1 and name in
             {run.label for run in race.result.runs}}
    for run in race.result.runs:
        assert np.allclose(heads[run.label], run.path[-1], rtol=1e-6), run.label


# Hover three points of the 3D surface (seen from above) and report the hover labels.
HOVER = """
(async () => {
  const gd = document.querySelector('.plotly-graph-div');
  const canvas = gd.querySelector('canvas');
  const box = canvas.getBoundingClientRect();
  const labels = [];
  for (const [fx, fy] of [[0.5, 0.5], [0.37, 0.44], [0.6, 0.62]]) {
    const at = {clientX: box.left + box.width * fx, clientY: box.top + box.height * fy, bubbles: true};
    canvas.dispatchEvent(new MouseEvent('mousemove', at));
    await new Promise(resolve => setTimeout(resolve, 700));
    labels.push(Array.from(gd.querySelectorAll('.hovertext')).map(h => h.textContent).join(' | '));
  }
  return JSON.stringify(labels);
})()
"""


async def _hover(html_path: str) -> list[str]:
    import choreographer

    async with choreographer.Browser(path=CHROMIUM, headless=True) as browser:
        tab = browser.get_tab()
        await tab.send_command("Page.navigate", params={"url": "file://" + html_path})
        await asyncio.sleep(2.5)  # WebGL scene drawn
        answer = await tab.send_command("Runtime.evaluate", params={"expression": HOVER, "awaitPromise": True,
                                                                    "returnByValue": True})
        return json.loads(answer["result"]["result"]["value"])


@pytest.mark.timeout(90)
def test_3d_hover_on_a_log_surface_shows_f_at_the_hovered_point(tmp_path):
    """The log surface's height is log10(f − f_min + ε); its hover must show f of that very
    point (plotly.js reads a surface's customdata transposed)."""
    import re

    from tests.viz.plain import bowl_surface, plain_race

    xs, ys, z = bowl_surface(resolution=41)
    lopsided = z + 3 * xs[None, :]  # f = x² + 3x + y²: not symmetric, so a transpose would show
    fig = viz.surface_3d(plain_race(), (xs, ys, lopsided), log_scale=True, visible=[False, False, False])
    fig.update_layout(width=700, height=700, scene_camera_eye={"x": 0, "y": 0, "z": 2.2})
    page = tmp_path / "surface.html"
    page.write_text(viz.standalone_html(fig), encoding="utf-8")
    labels = [label for label in asyncio.run(_hover(str(page))) if label]
    assert len(labels) >= 2, labels
    for label in labels:
        x, y, f = (float(v.replace("−", "-")) for v in
                   re.search(r"x = (\S+), y = (\S+?)\s*f = (\S+)", label).groups())
        assert f == pytest.approx(x * x + 3 * x + y * y, rel=0.02, abs=0.02), label


# What plotly.js made of a curves figure: each x axis's range, the y axes it drew, the notes.
CURVES = """
(() => {
  const gd = document.querySelector('.plotly-graph-div');
  const axes = Object.keys(gd._fullLayout).filter(k => /^[xy]axis\\d*$/.test(k)).sort();
  return JSON.stringify({
    ranges: Object.fromEntries(axes.filter(k => k[0] === 'x').map(k => [k, gd._fullLayout[k].range])),
    yTitles: Array.from(gd.querySelectorAll('.infolayer [class^="g-y"][class$="title"]')).map(t => t.textContent),
    notes: Array.from(gd.querySelectorAll('.annotation')).map(a => {
      const box = a.getBoundingClientRect(), plot = gd.querySelector('.cartesianlayer').getBoundingClientRect();
      return {text: a.textContent, below: box.top >= plot.bottom - 1};
    }),
  });
})()
"""


@pytest.mark.timeout(90)
@pytest.mark.parametrize("schedules", [["constant"] * 3, ["constant", "cosine", "constant"]], ids=["none", "cosine"])
def test_curves_are_drawn_over_the_steps_with_every_panel_axis(schedules, tmp_path):
    """An empty learning-rate panel once stretched the shared step axis to start near −140 and
    lost its own axes; every drawn panel must span the steps exactly and have its y axis."""
    from tests.viz.plain import plain_race, plain_result

    race = plain_race()
    race = plain_result(race.runs, schedules=schedules)
    fig = viz.curves_figure(race)
    page = tmp_path / "curves.html"
    page.write_text(viz.standalone_html(fig), encoding="utf-8")
    drawn = asyncio.run(_evaluate(str(page), CURVES))

    steps = max(len(run.path) for run in race.runs) - 1
    panels = 3 if "cosine" in schedules else 2
    assert len(drawn["ranges"]) == panels
    for axis, (low, high) in drawn["ranges"].items():
        assert low == pytest.approx(0, abs=1e-9) and high == pytest.approx(steps), axis
    assert drawn["yTitles"] == ["loss", "‖∇f‖", "learning rate"][:panels]
    if panels == 2:
        assert drawn["notes"] == [{"text": NO_SCHEDULE_NOTE, "below": True}]
    else:
        assert drawn["notes"] == []
