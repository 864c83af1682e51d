"""Degenerate inputs every figure must survive: a run that diverged at its start (empty path),
a single-point run, non-finite values on the surface."""

from __future__ import annotations

import csv
import io

import numpy as np

import viz
from tests.viz.plain import BOWL_MINIMA, bowl_surface, plain_result, plain_run, spiral


def odd_race():
    return plain_result([
        plain_run("dead on arrival", np.zeros((0, 2)), status="diverged", diverged_at=0),
        plain_run("one point", [[0.5, 0.5]]),
        plain_run("fine", spiral(40)),
    ], schedules=["constant", "step", "constant"])


def test_every_figure_survives_an_empty_and_a_one_point_run():
    race = odd_race()
    surface = bowl_surface()
    fig = viz.trajectory_map(race, surface, minima=BOWL_MINIMA, log_scale=True)
    assert [a.text for a in fig.layout.annotations] == []  # nothing left to point at
    assert len(fig.frames) == 40
    fig.to_json()
    viz.surface_3d(race, surface, minima=BOWL_MINIMA, log_scale=True).to_json()
    viz.curves_figure(race, minima=BOWL_MINIMA).to_json()
    rows = viz.results_table(race, BOWL_MINIMA)
    assert rows[0]["status"] == "diverged at step 0" and rows[0]["final x"] is None
    assert rows[1]["distance to nearest minimum"] == np.hypot(0.5, 0.5)
    table = list(csv.DictReader(io.StringIO(viz.trajectories_csv(race))))
    assert [row["run"] for row in table].count("one point") == 1 and len(table) == 41


def test_non_finite_surface_values_do_not_break_the_scale():
    xs, ys, z = bowl_surface()
    z = z.copy()
    z[0, 0], z[5, 5] = np.inf, np.nan
    fig = viz.trajectory_map(odd_race(), (xs, ys, z), log_scale=True)
    bar = next(t for t in fig.data if t.name == "colour scale").marker
    assert np.isfinite(bar.cmin) and np.isfinite(bar.cmax) and bar.cmax > bar.cmin
