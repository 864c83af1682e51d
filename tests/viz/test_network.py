"""The Network page's figures: valid plotly, the right traces, frames that animate the boundary."""

import numpy as np
import plotly.graph_objects as go
import pytest

import descent
from viz import network as vn

SCENARIO = {
    "dataset": {"name": "xor", "size": 80, "noise": 0.1, "seed": 2, "validation": 0.25},
    "model": {"hidden": [16, 16], "activation": "relu", "seed": 0},
    "epochs": 12,
    "minibatch": {"batch_size": 16},
    "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.05}},
             {"optimizer": "sgd", "hparams": {"learning_rate": 100.0, "momentum": 0.9}}],
}


@pytest.fixture(scope="module")
def result():
    return descent.train(SCENARIO)


def test_curves_draw_training_and_validation_per_run_and_mark_divergence(result):
    spec = vn.training_curves(result)
    go.Figure(spec)  # plotly accepts it
    names = [t["name"] for t in spec["data"]]
    adam = result.runs[0].label
    assert f"{adam} (training)" in names and f"{adam} (validation)" in names
    first = spec["data"][0]
    assert first["x"][0] == 0 and len(first["y"]) == 13
    assert first["y"][0] == pytest.approx(float(result.runs[0].train_loss[0]))
    assert spec["layout"]["yaxis"]["type"] == "log"
    assert result.runs[1].status == "diverged"
    assert any(f"diverged at epoch {result.runs[1].diverged_at}" in a["text"] for a in spec["layout"]["annotations"])
    accuracy = vn.training_curves(result, metric="accuracy", visible=[True, False])
    assert all(result.runs[1].label not in t["name"] for t in accuracy["data"])
    assert accuracy["layout"]["yaxis"]["range"] == [0, 1.02]
    # the legend's top sits the same 64 px below the plot area in a short chart as in a tall one
    for height in (300, 420, 600):
        layout = vn.training_curves(result, height=height)["layout"]
        plot_height = height - layout["margin"]["t"] - layout["margin"]["b"]
        assert layout["legend"]["yanchor"] == "top" and -layout["legend"]["y"] * plot_height == pytest.approx(64)


def test_boundary_animates_over_epochs_with_play(result):
    epochs = vn.frame_epochs(result.snapshot_epochs)
    xs, ys, prob = descent.boundary(result, 0, epochs, resolution=20)
    spec = vn.decision_boundary(result, 0, xs, ys, prob, epochs)
    fig = go.Figure(spec)
    assert len(fig.frames) == len(epochs) == 13
    assert [f.name for f in fig.frames] == [str(e) for e in range(13)]
    assert np.allclose(np.asarray(fig.frames[3].data[0].z, float), prob[3])
    assert not np.allclose(np.asarray(fig.frames[0].data[0].z, float), np.asarray(fig.frames[-1].data[0].z, float))
    buttons = spec["layout"]["updatemenus"][0]["buttons"]
    assert buttons[0]["label"].endswith("Play") and buttons[0]["args"][0] is None
    assert [s["label"] for s in spec["layout"]["sliders"][0]["steps"]] == [str(e) for e in range(13)]
    # the training points are drawn in their class colours, validation points open
    markers = [t for t in spec["data"] if t["type"] == "scatter"]
    assert sum(len(t["x"]) for t in markers) == 80
    assert {t["marker"]["symbol"] for t in markers} == {"circle", "circle-open"}


def test_the_boundary_axes_span_the_image_and_no_more(result):
    """The heatmap's cells are centred on xs, ys: its image runs half a cell past them, and the
    axes must end at the image's edges (not at the centres, nor widened past the image)."""
    epochs = vn.frame_epochs(result.snapshot_epochs)
    xs, ys, prob = descent.boundary(result, 0, epochs, resolution=20)
    spec = vn.decision_boundary(result, 0, xs, ys, prob, epochs)
    heatmap = spec["data"][0]
    assert heatmap["type"] == "heatmap"
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    (x0, x1), (y0, y1) = result.data.domain
    image_x = [min(heatmap["x"]) - dx / 2, max(heatmap["x"]) + dx / 2]
    image_y = [min(heatmap["y"]) - dy / 2, max(heatmap["y"]) + dy / 2]
    xaxis, yaxis = spec["layout"]["xaxis"], spec["layout"]["yaxis"]
    np.testing.assert_allclose(xaxis["range"], image_x, rtol=1e-6)
    np.testing.assert_allclose(yaxis["range"], image_y, rtol=1e-6)
    # the data's box, whose edges are the first and last cell centres, is inside the image
    np.testing.assert_allclose([image_x[0] + dx / 2, image_x[1] - dx / 2, image_y[0] + dy / 2, image_y[1] - dy / 2],
                               [x0, x1, y0, y1], atol=1e-5)
    # one scale on both axes: the plot area shrinks to the image instead of the range growing
    assert yaxis["scaleanchor"] == "x"
    assert xaxis["constrain"] == "domain" and yaxis["constrain"] == "domain"


def test_frame_epochs_spread_over_the_run():
    picked = vn.frame_epochs(np.arange(0, 201), limit=41)
    assert len(picked) == 41 and picked[0] == 0 and picked[-1] == 200


def test_slice_figures_state_the_explained_variance_and_draw_the_path(result):
    cut = descent.pca_slice(result, 0, resolution=30)
    contour, surface = vn.slice_contour(cut), vn.slice_3d(cut)
    go.Figure(contour), go.Figure(surface)
    share = 100 * cut.explained.sum()
    assert f"explain {share:.1f}%" in contour["layout"]["title"]["text"]
    assert contour["layout"]["xaxis"]["title"]["text"].startswith(f"PC1 ({100 * cut.explained[0]:.1f}%")
    path = next(t for t in contour["data"] if t.get("name") == "trajectory")
    assert path["x"] == pytest.approx(list(cut.path[:, 0]))
    assert np.allclose(np.asarray(contour["data"][0]["customdata"]), cut.loss)
    assert surface["data"][0]["type"] == "surface" and surface["data"][1]["type"] == "scatter3d"
    random_cut = descent.random_slice(result, 0, resolution=30)
    assert all(t.get("name") != "trajectory" for t in vn.slice_contour(random_cut)["data"])
    assert "filter-normalized" in vn.slice_contour(random_cut)["layout"]["title"]["text"]
