"""State overlays on the map: where explain says, one scale per kind, small payload."""

from __future__ import annotations

import json

import numpy as np
import pytest

import descent
import viz
from viz.overlays import KINDS, SHARE
from tests.viz.plain import frame_step


def overlay_map(landscape, run: int, kinds=KINDS):
    steps = descent.explain_steps(landscape.scenario, run=run)
    return viz.trajectory_map_spec(landscape.result, landscape.surface, minima=landscape.spec.minima,
                                   log_scale=landscape.spec.log_scale,
                                   overlays={"run": run, "steps": steps, "kinds": list(kinds)}), steps  # fmt: skip


def overlay_indices(spec) -> dict[str, int]:
    return {t["meta"].split(":")[1]: i for i, t in enumerate(spec["data"]) if str(t.get("meta", "")).startswith("overlay:")}


def test_arrows_start_at_the_run_and_point_where_explain_says(steady_1000):
    spec, steps = overlay_map(steady_1000, run=0)  # Adam: every kind
    where = overlay_indices(spec)
    assert set(where) == set(KINDS)
    animated = spec["frames"][0]["traces"]
    for frame in spec["frames"][:-1]:  # the last point has no step leaving it
        k = frame_step(frame)
        e = descent.explain(steady_1000.scenario, run=0, step=k) if k in (0, 505) else None
        for kind, index in where.items():
            item = frame["data"][animated.index(index)]
            if kind != "box":  # every arrow starts at the run's point k
                assert (item["x"][0], item["y"][0]) == (float(steps["point"][k][0]), float(steps["point"][k][1]))
            if e is None:
                continue
            vec = {"gradient": -e["gradient"], "momentum": -e["state_after"]["m"], "step": e["update"]}.get(kind)
            if vec is not None:  # the arrow is the vector, scaled by the legend's factor
                factor = float(spec["data"][index]["name"].rsplit("×", 1)[1])
                got = np.array([item["x"][1] - item["x"][0], item["y"][1] - item["y"][0]])
                np.testing.assert_allclose(got, vec * factor, rtol=2e-3)
            else:  # the box: half-sides ∝ η_eff along x and y, centred on the point
                half = np.array([(max(item["x"]) - min(item["x"])) / 2, (max(item["y"]) - min(item["y"])) / 2])
                assert half[1] / half[0] == pytest.approx(e["effective_lr"][1] / e["effective_lr"][0], rel=1e-3)
                assert np.mean(item["x"][:4]) == pytest.approx(float(e["point"][0]), abs=1e-5)


def test_one_scale_per_kind_fits_the_largest_arrow_in_a_share_of_the_view(steady_1000):
    spec, _ = overlay_map(steady_1000, run=1)  # SGD with momentum: no box
    where = overlay_indices(spec)
    assert set(where) == {"gradient", "momentum", "step"}
    span = min(float(np.ptp(steady_1000.surface[0])), float(np.ptp(steady_1000.surface[1])))
    longest = {kind: 0.0 for kind in where}
    animated = spec["frames"][0]["traces"]
    for frame in spec["frames"]:
        for kind, index in where.items():
            item = frame["data"][animated.index(index)]
            if len(item["x"]):
                longest[kind] = max(longest[kind], float(np.hypot(item["x"][1] - item["x"][0], item["y"][1] - item["y"][0])))
    for kind, length in longest.items():
        assert 0 < length <= SHARE * span * (1 + 1e-5)
        assert "×" in spec["data"][where[kind]]["name"]  # the legend states the scale


def test_overlays_add_at_most_a_quarter_to_the_payload(steady_1000):
    plain = viz.trajectory_map_spec(steady_1000.result, steady_1000.surface, minima=steady_1000.spec.minima,
                                    log_scale=steady_1000.spec.log_scale)  # fmt: skip
    with_overlays, _ = overlay_map(steady_1000, run=0)
    size = lambda spec: len(json.dumps(viz.compact(spec), default=float))  # noqa: E731
    assert size(with_overlays) <= 1.25 * size(plain)
    go = viz.trajectory_map(steady_1000.result, steady_1000.surface, overlays={"run": 0, "steps": descent.explain_steps(steady_1000.scenario, run=0), "kinds": list(KINDS)})
    assert len(go.frames) == len(with_overlays["frames"])  # plotly validates the overlay traces


def test_no_kinds_or_a_hidden_run_means_no_overlay(steady_1000):
    spec, _ = overlay_map(steady_1000, run=0, kinds=())
    assert not overlay_indices(spec)
    steps = descent.explain_steps(steady_1000.scenario, run=0)
    hidden = viz.trajectory_map_spec(steady_1000.result, steady_1000.surface, visible=[False, True, True, True],
                                     overlays={"run": 0, "steps": steps, "kinds": list(KINDS)})  # fmt: skip
    assert not overlay_indices(hidden)


def test_the_frames_overlays_are_each_steps_shapes(steady_1000):
    """`at_steps` (all frames at once) gives `at`'s shapes, step by step, bit for bit."""
    from viz.overlays import Overlays

    result = steady_1000.result
    steps = descent.explain_steps(steady_1000.scenario, run=0)
    span = min(float(np.ptp(steady_1000.surface[0])), float(np.ptp(steady_1000.surface[1])))
    overlays = Overlays(steps, result.runs[0].path, ["gradient", "momentum", "step", "box"], span, "run")
    chosen = [0, 1, 7, 500, len(result.runs[0].path) - 1, len(result.runs[0].path) + 5]
    for got, step in zip(overlays.at_steps(chosen), chosen):
        want = overlays.at(step)
        assert len(got) == len(want) == len(overlays.kinds)
        for g, w in zip(got, want):
            assert np.array_equal(g["x"], w["x"]) and np.array_equal(g["y"], w["y"])
