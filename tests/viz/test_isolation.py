"""viz must not pull in jax or streamlit, not even through the engine packages."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.viz.conftest import ROOT

SCRIPT = r"""
import json, sys
import viz
from tests.viz.plain import BOWL_MINIMA, bowl_surface, plain_race

race, surface = plain_race(), bowl_surface()
figures = [
    viz.trajectory_map(race, surface, minima=BOWL_MINIMA, log_scale=True, lecture=True),
    viz.surface_3d(race, surface, minima=BOWL_MINIMA, log_scale=True),
    viz.loss_figure(race, minima=BOWL_MINIMA),
    viz.grad_norm_figure(race),
    viz.learning_rate_figure(race),
    viz.curves_figure(race, minima=BOWL_MINIMA),
]
for fig in figures:
    fig.to_json()
viz.results_table(race, BOWL_MINIMA)
viz.trajectories_csv(race)
viz.standalone_html(figures[0])
assert viz.click_point({"x": -1.497, "y": 0.703, "dx": 0.01, "dy": 0.01}) == (-1.5, 0.7)
viz.map_key_html(race, surface, minima=BOWL_MINIMA, log_scale=True)
viz.compact(viz.trajectory_map_spec(race, surface))
heavy = ("jax", "jaxlib", "streamlit", "descent", "landscapes", "optimizers")
print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
"""


def test_viz_builds_every_figure_without_jax_or_streamlit():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
