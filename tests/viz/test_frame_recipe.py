"""The map's frames sent as a recipe: the page builds them from the path traces (ui.live_chart's
expandFrames, checked in Chromium by tests/browser/test_map.py); here the recipe's rule against
the frames the figure builder makes itself."""

import json

import numpy as np
import pytest

import descent
from viz.trajectory_map import MAX_PATH_POINTS, expand_frame_recipe, trajectory_map_spec
from tests.viz.plain import frame_step

SCENE = {"landscape": "rosenbrock", "start": [-1.5, 2.0], "steps": 700,
         "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.001}},
                  {"optimizer": "adam", "hparams": {"learning_rate": 0.05}},
                  {"optimizer": "sgd", "hparams": {"learning_rate": 0.01}}]}  # fmt: skip


@pytest.fixture(scope="module")
def result():
    return descent.run(descent.Scenario.from_json(SCENE))


def _plain(value):
    """Arrays as lists of float32 values, as both forms read back from JSON."""
    return json.loads(json.dumps(value, default=lambda a: np.asarray(a, np.float32).tolist()))


@pytest.mark.parametrize("visible", [None, [True, False, True]])
def test_the_recipe_gives_the_frames_the_builder_makes(result, visible):
    grid = descent.landscape_grid("rosenbrock", {}, 40)
    whole = trajectory_map_spec(result, grid, visible=visible)
    sent = trajectory_map_spec(result, grid, visible=visible, frame_recipe=True)
    assert "frames" not in sent and sent["frame_recipe"]["steps"] == [frame_step(f) for f in whole["frames"]]
    assert [f["name"] for f in whole["frames"]] == [str(i) for i in range(len(whole["frames"]))]
    assert _plain(expand_frame_recipe(sent)["frames"]) == _plain(whole["frames"])


def test_a_diverged_run_stays_at_its_last_point(result):
    scene = descent.Scenario.from_json({**SCENE, "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.5}},
                                                          SCENE["runs"][1]]})  # fmt: skip
    diverged = descent.run(scene)
    assert diverged.runs[0].status == "diverged"
    grid = descent.landscape_grid("rosenbrock", {}, 40)
    frames = expand_frame_recipe(trajectory_map_spec(diverged, grid, frame_recipe=True))["frames"]
    last = len(diverged.runs[0].path) - 1
    head = frames[-1]["data"][1]
    assert head["text"] == [f"step {last}"] and head["x"][0] == pytest.approx(float(diverged.runs[0].path[-1][0]))


def test_the_recipe_is_a_fraction_of_the_frames_bytes(result):
    grid = descent.landscape_grid("rosenbrock", {}, 40)
    whole = len(json.dumps(_plain(trajectory_map_spec(result, grid))))
    sent = len(json.dumps(_plain(trajectory_map_spec(result, grid, frame_recipe=True))))
    assert sent < 0.5 * whole, (sent, whole)


def test_thinned_paths_keep_the_frames(result):
    """A path longer than the path trace holds whole cannot be a recipe's source: frames are sent."""
    long = descent.run(descent.Scenario.from_json({**SCENE, "steps": MAX_PATH_POINTS + 50, "runs": SCENE["runs"][:1]}))
    spec = trajectory_map_spec(long, descent.landscape_grid("rosenbrock", {}, 40), frame_recipe=True)
    assert "frame_recipe" not in spec and len(spec["frames"]) == 100
