"""Data landscapes: data sets, losses and gradients against NumPy, computed minima, surfaces,
compilations, the scenario forms and the CLI."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import datasets
import descent
from descent import cli


def scene(name="noisy_line", model="linear_regression", size=None, seed=3, standardize=False, **extra):
    d = {"name": name, "seed": seed, "standardize": standardize}
    if size is not None:
        d["size"] = size
    return {"landscape": {"dataset": d, "model": model}, "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.05}}], **extra}


# -- data sets ------------------------------------------------------------------------------


def test_generated_sets_are_seeded():
    a, b, c = (datasets.load("noisy_line", 100, s) for s in (1, 1, 2))
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)
    assert a.x.dtype == np.float32 and a.x.shape == (100,)


def test_two_blobs_are_two_overlapping_classes():
    d = datasets.load("two_blobs", 400, 0)
    assert set(np.unique(d.y)) == {0.0, 1.0} and d.y.mean() == 0.5
    zeros, ones = d.x[d.y == 0], d.x[d.y == 1]
    assert zeros.mean() < ones.mean()
    assert zeros.max() > ones.min()  # they overlap: no threshold separates them


def test_real_sets_are_scikit_learns():
    from sklearn.datasets import load_breast_cancer, load_diabetes

    diabetes = load_diabetes(scaled=False)
    d = datasets.load("diabetes")
    assert len(d.x) == 442
    np.testing.assert_array_equal(d.x, diabetes.data[:, list(diabetes.feature_names).index("bmi")].astype(np.float32))
    np.testing.assert_array_equal(d.y, diabetes.target.astype(np.float32))
    cancer = load_breast_cancer()
    d = datasets.load("breast_cancer")
    assert len(d.x) == 569
    np.testing.assert_array_equal(d.x, cancer.data[:, list(cancer.feature_names).index("mean radius")].astype(np.float32))
    malignant = np.asarray(cancer.target_names)[cancer.target] == "malignant"
    np.testing.assert_array_equal(d.y, malignant.astype(np.float32))


def test_real_subset_is_seeded_and_standardize_scales_x():
    a, b = datasets.load("diabetes", 100, 5), datasets.load("diabetes", 100, 5)
    assert len(a.x) == 100 and np.array_equal(a.x, b.x)
    full = datasets.load("diabetes")
    assert set(a.x.tolist()) <= set(full.x.tolist())
    s = datasets.load("diabetes", standardize=True)
    assert abs(float(s.x.mean())) < 1e-5 and abs(float(s.x.std()) - 1) < 1e-5
    np.testing.assert_allclose(s.x, (full.x - full.x.astype(np.float64).mean()) / full.x.astype(np.float64).std(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("field, kwargs", [
    ("name", {"name": "iris"}), ("size", {"size": 7}), ("size", {"size": 10_000}), ("size", {"size": 2.5}),
    ("seed", {"seed": -1}), ("standardize", {"standardize": "yes"}), ("size", {"name": "diabetes", "size": 443}),
])  # fmt: skip
def test_bad_data_requests_name_the_field(field, kwargs):
    with pytest.raises(descent.ScenarioError) as e:
        descent.Scenario.from_json(scene(**kwargs))
    assert e.value.field == f"landscape.dataset.{field}"


def test_logistic_regression_needs_labels():
    with pytest.raises(descent.ScenarioError, match="labels 0/1") as e:
        descent.Scenario.from_json(scene("noisy_line", "logistic_regression"))
    assert e.value.field == "landscape.dataset.name"


def test_unknown_model():
    with pytest.raises(descent.ScenarioError) as e:
        descent.Scenario.from_json(scene(model="svm"))
    assert e.value.field == "landscape.model"


# -- losses, gradients, minima ----------------------------------------------------------------


def numpy_loss_and_grad(model, x, y, w, b):
    x, y = x.astype(np.float64), y.astype(np.float64)
    z = w * x + b
    if model == "linear_regression":
        r = z - y
        return np.mean(r**2), np.array([np.mean(2 * r * x), np.mean(2 * r)])
    s = 1 / (1 + np.exp(-z))
    log_s, log_1_minus_s = -np.logaddexp(0, -z), -np.logaddexp(0, z)  # log σ(z), log(1 − σ(z))
    loss = -np.mean(y * log_s + (1 - y) * log_1_minus_s)
    return loss, np.array([np.mean((s - y) * x), np.mean(s - y)])


@pytest.mark.parametrize("name, model", [("noisy_line", "linear_regression"), ("diabetes", "linear_regression"),
                                         ("two_blobs", "logistic_regression"), ("breast_cancer", "logistic_regression")])  # fmt: skip
def test_loss_and_gradient_match_numpy(name, model):
    import jax

    sc = descent.Scenario.from_json(scene(name, model, standardize=True))
    ls = sc.landscape_spec
    d = datasets.load(name, standardize=True, seed=3)
    params = {"data": ls.data}
    rng = np.random.default_rng(0)
    for w, b in rng.uniform(-2, 2, (5, 2)):
        loss, grad = jax.value_and_grad(lambda p: ls.fn(p, params))(np.asarray([w, b], np.float32))
        want_loss, want_grad = numpy_loss_and_grad(model, d.x, d.y, np.float32(w), np.float32(b))
        np.testing.assert_allclose(float(loss), want_loss, rtol=2e-5)
        np.testing.assert_allclose(np.asarray(grad), want_grad, rtol=2e-4, atol=1e-4 * np.abs(want_grad).max())


def test_cross_entropy_is_stable_for_large_logits():
    import jax

    ls = descent.Scenario.from_json(scene("breast_cancer", "logistic_regression")).landscape_spec
    loss, grad = jax.value_and_grad(lambda p: ls.fn(p, {"data": ls.data}))(np.asarray([200.0, -100.0], np.float32))
    assert np.isfinite(float(loss)) and np.all(np.isfinite(np.asarray(grad)))
    d = datasets.load("breast_cancer")
    z = 200.0 * d.x.astype(np.float64) - 100.0
    want = np.mean(np.logaddexp(0, z) - d.y * z)  # an independent stable form
    np.testing.assert_allclose(float(loss), want, rtol=1e-5)


def test_least_squares_minimum_is_polyfits():
    for name in ("noisy_line", "diabetes"):
        d = datasets.load(name, seed=3)
        ls = descent.Scenario.from_json(scene(name, seed=3)).landscape_spec
        (m,) = ls.minima
        w, b = np.polyfit(d.x.astype(np.float64), d.y.astype(np.float64), 1)
        np.testing.assert_allclose(m.point, (w, b), rtol=1e-6)
        assert m.value == pytest.approx(np.mean((w * d.x.astype(np.float64) + b - d.y) ** 2), rel=1e-9)


@pytest.mark.parametrize("name, standardize", [("two_blobs", False), ("breast_cancer", False), ("breast_cancer", True)])
def test_logistic_minimum_is_unpenalized_maximum_likelihood(name, standardize):
    from sklearn.linear_model import LogisticRegression

    d = datasets.load(name, seed=3, standardize=standardize)
    ls = descent.Scenario.from_json(scene(name, "logistic_regression", standardize=standardize)).landscape_spec
    (m,) = ls.minima
    fit = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(d.x.astype(np.float64)[:, None], d.y)
    np.testing.assert_allclose(m.point, (fit.coef_[0, 0], fit.intercept_[0]), rtol=1e-3)
    _, grad = numpy_loss_and_grad("logistic_regression", d.x, d.y, *m.point)
    assert np.abs(grad).max() < 1e-8  # Newton to convergence


def test_surface_is_the_full_data_loss():
    sc = scene("breast_cancer", "logistic_regression", standardize=True)
    ws, bs, z = descent.surface(sc, resolution=9)
    d = datasets.load("breast_cancer", standardize=True)
    (w0, _), (_, b1) = descent.Scenario.from_json(sc).landscape_spec.domain
    assert ws[0] == pytest.approx(w0) and bs[-1] == pytest.approx(b1)
    for i in (0, 4, 8):
        for j in (0, 3, 8):
            want, _ = numpy_loss_and_grad("logistic_regression", d.x, d.y, float(ws[j]), float(bs[i]))
            assert z[i, j] == pytest.approx(want, rel=1e-4)


def test_the_minimum_is_marked_and_reached():
    result = descent.run(scene(steps=2000))
    run = result.runs[0]
    (m,) = result.scenario.landscape_spec.minima
    assert run.converged_at is not None
    assert np.linalg.norm(run.path[run.converged_at] - np.asarray(m.point)) <= descent.DEFAULT_TOLERANCE


def test_domain_holds_the_minimum_and_the_start():
    for args in (("diabetes", "linear_regression"), ("breast_cancer", "logistic_regression"), ("two_blobs", "logistic_regression")):
        ls = descent.Scenario.from_json(scene(*args)).landscape_spec
        (x0, x1), (y0, y1) = ls.domain
        (mx, my), (sx, sy) = ls.minima[0].point, ls.start
        assert x0 < mx < x1 and y0 < my < y1 and x0 <= sx <= x1 and y0 <= sy <= y1


# -- compilations ---------------------------------------------------------------------------


def test_new_data_compiles_nothing():
    descent.run(scene(size=200, seed=3, minibatch={"batch_size": 32}))
    descent.surface(scene(size=200, seed=3), resolution=20)
    before = descent.trace_count()
    for sc in (scene(size=200, seed=4), scene(size=150, seed=9, standardize=True),
               scene(size=130, seed=3, minibatch={"batch_size": 5, "shuffle": False, "seed": 2})):  # fmt: skip
        descent.run(sc)
        descent.surface(sc, resolution=20)
    assert descent.trace_count() == before


def test_structure_key_is_model_and_bucket():
    a = descent.Scenario.from_json(scene(size=200, seed=3))
    b = descent.Scenario.from_json(scene(size=129, seed=8))
    c = descent.Scenario.from_json(scene("breast_cancer", "logistic_regression"))
    assert a.landscape == b.landscape == "data:linear_regression:256"
    assert c.landscape == "data:logistic_regression:1024"


# -- scenario forms -------------------------------------------------------------------------


def test_json_and_query_round_trip():
    sc = descent.Scenario.from_json(scene("breast_cancer", "logistic_regression", size=300, seed=7, standardize=True,
                                          minibatch={"batch_size": 16, "shuffle": False, "seed": 4}))  # fmt: skip
    assert descent.Scenario.from_json(json.loads(json.dumps(sc.to_json()))) == sc
    assert descent.Scenario.from_query(sc.to_query()) == sc
    assert sc.to_query()["data.standardize"] == "true" and sc.to_query()["mb.shuffle"] == "false"


def test_noise_and_minibatch_belong_to_their_landscapes():
    with pytest.raises(descent.ScenarioError) as e:
        descent.Scenario.from_json(scene(noise={"sigma": 1.0}))
    assert e.value.field == "noise.sigma"
    with pytest.raises(descent.ScenarioError) as e:
        descent.Scenario.from_json({"landscape": "rosenbrock", "runs": [{"optimizer": "sgd"}], "minibatch": {"batch_size": 8}})
    assert e.value.field == "minibatch"
    with pytest.raises(descent.ScenarioError) as e:
        descent.Scenario.from_json(scene(minibatch={"batch_size": 0}))
    assert e.value.field == "minibatch.batch_size"
    with pytest.raises(descent.ScenarioError) as e:
        descent.Scenario.from_query({**descent.Scenario.from_json(scene()).to_query(), "mb.shuffle": "maybe"})
    assert e.value.field == "mb.shuffle"


# -- the CLI --------------------------------------------------------------------------------


def _cli(argv, stdin: str):
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
    try:
        code = cli.main(argv)
    finally:
        sys.stdin, sys.stdout, sys.stderr = old
    return code, out.getvalue(), err.getvalue()


def test_cli_prints_the_data():
    code, out, _ = _cli(["data", "-"], json.dumps(scene("two_blobs", "logistic_regression", size=20, seed=5)))
    assert code == 0
    printed = json.loads(out)
    d = datasets.load("two_blobs", 20, 5)
    assert printed["x"] == [float(v) for v in d.x] and printed["y"] == [float(v) for v in d.y]


def test_cli_data_errors_are_one_line():
    code, out, err = _cli(["data", "-"], json.dumps({"landscape": "rosenbrock", "runs": [{"optimizer": "sgd"}]}))
    assert code == 2 and out == "" and err.count("\n") == 1 and "not a data landscape" in err
    code, _, err = _cli(["data", "-"], json.dumps(scene(size=3)))
    assert code == 2 and err.startswith("error: landscape.dataset.size:")


CHILD = """
import json, sys
import descent
def status(name):
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) // 1024 for l in f if l.startswith(name))
scene = json.loads(sys.argv[1])
descent.surface(scene, resolution=12)  # JAX and the model warmed up on a small grid
before = status('VmRSS')
descent.surface(scene, resolution=300)
print(json.dumps({'before': before, 'peak': status('VmHWM')}))
"""


def test_the_map_of_a_data_landscape_is_computed_in_bounded_memory():
    """A 300 × 300 grid of a 1000-example loss: every (w, b) × example residual at once was
    300·300·1000 floats per intermediate (the app's memory peak); row by row it is a few MB."""
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(scene(size=1000))], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    memory = json.loads(out.stdout.strip().splitlines()[-1])
    assert memory["peak"] - memory["before"] < 120, memory
