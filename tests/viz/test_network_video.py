"""The Network page's decision boundary as a GIF and an MP4, decoded: frame count, size, and the
background under the panels against the trained network's own predictions (computed here with
the model, not read from the drawing's probability grid), at the first and the last epoch."""

from __future__ import annotations

import io
import json

import imageio.v2 as imageio
import jax
import numpy as np
import pytest
from PIL import Image

import descent
from tests.descent.test_cli import cli
from viz import network_video as nv
from viz.network import CLASS_COLOURS

pytestmark = pytest.mark.filterwarnings("ignore:os.fork:RuntimeWarning")

SCENE = {"dataset": {"name": "moons", "size": 200, "noise": 0.15, "seed": 1, "validation": 0.25},
         "model": {"hidden": [12, 12], "activation": "tanh", "seed": 0}, "epochs": 80,
         "minibatch": {"batch_size": 16, "shuffle": True, "seed": 0},
         "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.02}},
                  {"optimizer": "sgd", "hparams": {"learning_rate": 0.01}}]}  # fmt: skip


@pytest.fixture(scope="module")
def trained():
    result = descent.train(descent.NetworkScenario.from_json(SCENE))
    return result, nv.movie(result, descent.boundary, title="Two moons")


def _gif_frames(data: bytes) -> tuple[list[np.ndarray], list[int]]:
    image = Image.open(io.BytesIO(data))
    frames, durations = [], []
    for k in range(image.n_frames):
        image.seek(k)
        frames.append(np.asarray(image.convert("RGB")))
        durations.append(image.info["duration"])
    return frames, durations


def _probe(result, movie, frame: np.ndarray, run: int, panel: int, weights, *, margin: float = 0.2, lean: int = 20):
    """At points of a 25 × 25 grid over the panel that lie away from the data's markers, the
    panel boundary and the decision boundary (P within `margin` of 0.5 left out): the share of
    pixels whose colour leans (red and blue apart by more than `lean`) to the class the network
    predicts there (orange: 1, blue: 0)."""
    geo = nv.panels(movie, frame.shape[1], frame.shape[0])[panel]
    x0, x1, y0, y1 = geo.domain
    gx, gy = np.meshgrid(np.linspace(x0, x1, 27)[1:-1], np.linspace(y0, y1, 27)[1:-1])
    points = np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32)
    p = np.asarray(jax.nn.sigmoid(result.mlp.logits(np.asarray(weights, np.float32), points)))
    px, py = geo.to_pixel(points[:, 0], points[:, 1])
    data = np.concatenate([movie.x_train, movie.x_val])
    dx, dy = geo.to_pixel(data[:, 0], data[:, 1])
    clear = np.min(np.hypot(px[:, None] - dx[None], py[:, None] - dy[None]), axis=1) > 9
    keep = clear & (np.abs(p - 0.5) > margin)
    assert keep.sum() > 50  # the premise: plenty of points to look at
    colours = frame[np.floor(py[keep]).astype(int), np.floor(px[keep]).astype(int)].astype(int)
    leans_orange = colours[:, 0] - colours[:, 2] > lean
    leans_blue = colours[:, 2] - colours[:, 0] > lean
    predicted = p[keep] > 0.5
    return float(np.mean(np.where(predicted, leans_orange, leans_blue)))


def test_gif_frames_size_and_the_boundary_of_the_first_and_last_epoch(trained):
    result, movie = trained
    calls = []
    data = nv.video_bytes(movie, format="gif", fps=10, duration=10, progress=lambda done, total: calls.append((done, total)))
    assert data[:6] == b"GIF89a" and len(data) <= 8 * 2**20
    frames, durations = _gif_frames(data)
    assert calls == [(k, 100) for k in range(1, 101)]
    assert sum(durations) == 10_000 and durations[-1] >= 1100  # the last epoch held (a pause before the loop)
    assert len(frames) == len(set(movie.epochs)) and all(f.shape == (720, 1280, 3) for f in frames)
    assert movie.epochs[0] == 0 and movie.epochs[-1] == 80
    for panel, run in enumerate(result.runs):
        assert _probe(result, movie, frames[-1], panel, panel, run.final_weights) > 0.97
        # The untrained network is unsure everywhere (P in 0.37..0.62): a closer look, in the GIF's exact colours.
        assert _probe(result, movie, frames[0], panel, panel, result.initial_weights, margin=0.05, lean=2) > 0.97
    # The runs have learnt something different from their start: the last frame is not the first.
    assert _probe(result, movie, frames[-1], 0, 0, result.initial_weights, margin=0.05, lean=2) < 0.9


def test_data_points_are_drawn_in_their_class_colours(trained):
    _, movie = trained
    frame = np.asarray(next(nv.boundary_frames(movie, frames=1)).convert("RGB"))
    geo = nv.panels(movie)[1]
    hits = []
    for point, cls in zip(movie.x_train, movie.y_train):
        px, py = geo.to_pixel(point[0], point[1])
        colour = frame[int(py), int(px)].astype(int)
        expected = np.array([int(CLASS_COLOURS[int(cls)][i : i + 2], 16) for i in (1, 3, 5)])
        hits.append(np.abs(colour - expected).max() <= 8)
    assert np.mean(hits) > 0.8  # a few are covered by a neighbour of the other class


def test_mp4_frames_size_and_the_last_epochs_boundary(trained, tmp_path):
    result, movie = trained
    target = tmp_path / "boundary.mp4"
    nv.write_video(movie, target, format="mp4", fps=12, duration=2)
    reader = imageio.get_reader(target, format="FFMPEG")
    try:
        assert reader.get_meta_data()["fps"] == 12
        frames = [frame for frame in reader]
    finally:
        reader.close()
    assert len(frames) == 24 and frames[-1].shape == (720, 1280, 3)
    assert _probe(result, movie, frames[-1], 1, 1, result.runs[1].final_weights) > 0.95


def test_one_panel_at_1080p_and_a_size_limit_for_eight_runs(trained):
    result, _ = trained
    one = nv.movie(result, descent.boundary, [1])
    frames = list(nv.boundary_frames(one, width=1920, height=1080, frames=3))
    assert len(frames) == 3 and frames[-1].size == (1920, 1080)
    assert len(nv.panels(one, 1920, 1080)) == 1
    assert _probe(result, one, np.asarray(frames[-1].convert("RGB")), 1, 0, result.runs[1].final_weights) > 0.97
    eight = descent.train(descent.NetworkScenario.from_json({**SCENE, "epochs": 200, "runs": SCENE["runs"] * 4}))
    data = nv.video_bytes(nv.movie(eight, descent.boundary), format="gif", width=1920, height=1080)
    assert len(data) <= 8 * 2**20


def test_cli_exports_a_network_scenario_and_refuses_what_it_cannot(tmp_path, trained):
    result, _ = trained
    scene = tmp_path / "network.json"
    scene.write_text(json.dumps(SCENE))
    target = tmp_path / "boundary.gif"
    out = cli("export", str(scene), "--format", "gif", "-o", str(target), "--fps", "5", "--duration", "2", "--run", "0")
    assert out.returncode == 0, out.stderr
    frames, durations = _gif_frames(target.read_bytes())
    assert frames[-1].shape == (720, 1280, 3) and sum(durations) == 2000
    movie = nv.movie(result, descent.boundary, [0])
    assert _probe(result, movie, frames[-1], 0, 0, result.runs[0].final_weights) > 0.97
    out = cli("export", str(scene), "--format", "csv", "-o", str(tmp_path / "x.csv"))
    assert out.returncode == 2 and "--format: a network scenario exports its decision boundary as gif or mp4" in out.stderr
    out = cli("export", str(scene), "--format", "mp4", "-o", str(tmp_path / "x.mp4"), "--run", "2")
    assert out.returncode == 2 and "--run: must be a run index in [0, 1], got 2" in out.stderr
