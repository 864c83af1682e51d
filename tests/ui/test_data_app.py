"""The app's data landscapes: "Data…" in the landscape picker, its controls, minibatches, the URL."""

from __future__ import annotations

import numpy as np

import datasets
from tests.ui.test_app import app, clean, map_spec, query, result, scene
from ui.links import parse


def _select(at, label):
    return next(s for s in at.selectbox if s.label == label)


def _number(at, label):
    return next(n for n in at.number_input if n.label == label)


def _toggle(at, label):
    return next(t for t in at.toggle if t.label == label)


def _captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_data_from_the_picker_draws_the_loss_with_its_minimum_and_puts_it_in_the_url():
    at = app()
    _select(at, "Landscape").set_value("data").run()
    clean(at)
    s = scene(at)
    assert s.dataset["name"] == "noisy_line" and s.model == "linear_regression" and s.minibatch is None
    q = query(at)
    assert q["landscape"] == "data" and q["data"] == "noisy_line" and q["model"] == "linear_regression"
    assert parse(q).scenario == s
    spec = map_spec(at)
    minimum = next(t for t in spec["data"] if t.get("name") == "global minimum")
    d = datasets.load("noisy_line", 200, 0)
    w, b = np.polyfit(d.x.astype(np.float64), d.y.astype(np.float64), 1)
    np.testing.assert_allclose([float(np.ravel(minimum["x"])[0]), float(np.ravel(minimum["y"])[0])], [w, b], rtol=1e-4)
    assert "Full-batch gradients on all n = 200 rows" in _captions(at)


def test_data_set_model_size_seed_and_standardize_are_controls():
    at = app({"landscape": "data", "data": "noisy_line", "model": "linear_regression", "r0.optimizer": "sgd"})
    clean(at)
    _select(at, "Model").set_value("logistic_regression").run()
    clean(at)
    assert scene(at).model == "logistic_regression" and scene(at).dataset["name"] == "two_blobs"  # a set with labels
    _select(at, "Data set").set_value("breast_cancer").run()
    clean(at)
    assert scene(at).dataset["size"] == 569
    _toggle(at, "Standardize x (mean 0, std 1)").set_value(True).run()
    clean(at)
    _number(at, "Size n").set_value(300).run()
    _number(at, "Data seed").set_value(4).run()
    clean(at)
    s = scene(at)
    assert dict(s.dataset) == {"name": "breast_cancer", "size": 300, "seed": 4, "standardize": True}
    q = query(at)
    assert (q["data"], q["data.size"], q["data.seed"], q["data.standardize"]) == ("breast_cancer", "300", "4", "true")
    assert parse(q).scenario == s


def test_minibatch_controls_and_the_noise_sentence():
    at = app({"landscape": "data", "data": "noisy_line", "data.size": "200", "model": "linear_regression",
              "steps": "70", "r0.optimizer": "sgd", "r0.learning_rate": "0.05"})  # fmt: skip
    clean(at)
    _toggle(at, "Minibatches").set_value(True).run()
    clean(at)
    assert scene(at).minibatch.batch_size == 32
    _number(at, "Batch size B").set_value(64).run()
    _toggle(at, "Shuffle each epoch").set_value(False).run()
    clean(at)
    s = scene(at)
    assert (s.minibatch.batch_size, s.minibatch.shuffle) == (64, False)
    q = query(at)
    assert (q["mb.batch"], q["mb.shuffle"]) == ("64", "false")
    # 200 = 3·64 + 8: four steps per epoch, the last batch of 8; 70 steps = 17.5 epochs
    assert "minibatches of B = 64 of n = 200 rows (4 steps per epoch, the last one of 8); 70 steps = 17.5 epochs" in _captions(at)
    assert len(result(at).runs[0].path) == 71


def test_classic_landscapes_say_the_gaussian_model_is_in_effect():
    at = app({"landscape": "quadratic", "sigma": "2", "batch": "4", "r0.optimizer": "sgd"})
    clean(at)
    assert "Noise: a Gaussian model" in _captions(at)


def test_bad_data_in_a_link_falls_back_with_one_warning():
    parsed = parse({"landscape": "data", "data": "noisy_line", "data.size": "5", "model": "linear_regression",
                    "r0.optimizer": "adam"})  # fmt: skip
    assert parsed.scenario.dataset["size"] == 200
    assert len(parsed.warnings) == 1 and "data.size" in parsed.warnings[0]
    parsed = parse({"landscape": "data", "model": "linear_regression", "mb.batch": "zero", "r0.optimizer": "adam"})
    assert parsed.scenario.minibatch == parsed.scenario.minibatch.__class__()  # the default rule
    assert len(parsed.warnings) == 1 and "mb.batch" in parsed.warnings[0]


def test_the_batch_size_lesson_opens_with_its_minibatches():
    from tests.ui.test_app import open_expander

    at = open_expander(app(), "lessons_open")
    next(b for b in at.button if b.label == "Batch size: 1, 32 or the whole data set").click().run()
    clean(at)
    s = scene(at)
    assert s.minibatch.batch_size == 1 and s.dataset["name"] == "noisy_line"
    assert query(at)["lesson"] == "batch_size" and query(at)["mb.batch"] == "1"
    assert "minibatches of B = 1 of n = 200 rows (200 steps per epoch); 600 steps = 3 epochs" in _captions(at)


def test_a_lesson_opened_while_a_data_widget_reports_a_value_opens_cleanly():
    """In the rerun where a lesson replaces a data scene, Streamlit may still report the old
    scene's data widgets (their keys belong to the replaced scene): the lesson opens, with no
    error (this was a KeyError in the server's log and Streamlit's red error box)."""
    from tests.ui.test_app import open_expander

    at = open_expander(app(), "lessons_open")
    next(b for b in at.button if b.label == "Batch size: 1, 32 or the whole data set").click().run()
    at.run()
    _select(at, "Model").set_value("logistic_regression")
    next(b for b in at.button if b.label.startswith("Feature scaling")).click().run()
    clean(at)
    assert query(at)["lesson"] == "feature_scaling" and scene(at).model == "linear_regression"


def test_edits_of_the_noise_and_of_the_steps_restate_the_noise_sentence():
    """The sentence states σ and B (classic landscapes) or the epochs the steps make (data
    landscapes): the edits that change them redraw it, not only the map."""
    at = app({"landscape": "quadratic", "sigma": "2", "batch": "4", "r0.optimizer": "sgd"})
    clean(at)
    _number(at, "Gradient noise σ").set_value(3.0).run()  # what this edit redraws
    clean(at)
    assert "Noise: a Gaussian model, g = ∇f + (σ/√B)·ξ with σ = 3, B = 4." in _captions(at)
    at = app({"landscape": "data", "data": "noisy_line", "data.size": "200", "model": "linear_regression",
              "steps": "70", "mb.batch": "64", "r0.optimizer": "sgd", "r0.learning_rate": "0.05"})  # fmt: skip
    clean(at)
    at.number_input(key="g0:steps").set_value(140).run()
    clean(at)
    captions = _captions(at)
    assert "140 steps = 35 epochs" in captions and "70 steps" not in captions
