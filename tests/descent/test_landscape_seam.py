"""The landscape seam: a scenario resolves its landscape once, and the engine compiles the
resolved structural Landscape itself (RunKey.landscape), never looking one up by id."""

from __future__ import annotations

import numpy as np
import pytest

import descent
import landscapes
import optimizers
from descent import engine, runner
from landscapes import Landscape, Minimum, Param
from optimizers import schedules


def _bowl(xy, params):
    return params["a"] * (xy[0] - 1.0) ** 2 + (xy[1] + 2.0) ** 2


# Defined here, in no catalogue and never registered: only the engine's seam can reach it.
BOWL = Landscape(
    id="test-only-bowl",
    title="A bowl of the test",
    formula=r"a (x - 1)^2 + (y + 2)^2",
    fn=_bowl,
    domain=((-3.0, 3.0), (-4.0, 2.0)),
    start=(0.0, 0.0),
    teaches="nothing",
    minima=(Minimum((1.0, -2.0), 0.0),),
    params=(Param("a", "curvature along x", 3.0, 0.1, 10.0),),
)


def _sgd_key(landscape: Landscape) -> tuple[engine.RunKey, dict]:
    hp = optimizers.get("sgd").resolve("keras", {"learning_rate": 0.1})
    flags = tuple((name, bool(hp[name])) for name in optimizers.get("sgd").flags("keras"))
    return engine.RunKey(landscape=landscape, optimizer="sgd", flavour="keras", flags=flags, schedule="constant"), hp


def _values(key, hp, a: float) -> np.ndarray:
    return engine.pack(key, hp, schedules.get("constant").resolve({}), {"a": a}, 0.0)


def test_a_landscape_outside_the_catalogue_runs_through_the_engine():
    with pytest.raises(KeyError):
        landscapes.get(BOWL.id)
    key, hp = _sgd_key(BOWL)
    steps, k = 60, np.arange(61)
    table, bad, near = engine.trajectory(key, _values(key, hp, 3.0), (0.0, 0.0), 0, steps, 1e-3)
    # Gradient descent with lr 0.1 on a(x − 1)² + (y + 2)²: x − 1 shrinks by 1 − 0.2a, y + 2 by 0.8.
    np.testing.assert_allclose(table[:, engine.X], 1 - 0.4**k, atol=2e-6)
    np.testing.assert_allclose(table[:, engine.Y], -2 + 2 * 0.8**k, atol=2e-6)
    assert bad is None and near == 35  # 2·0.8^34 ≈ 1.004e-3 > tol ≥ 2·0.8^35 ≈ 8.0e-4
    # Another value of its parameter is a value: nothing compiles.
    before = descent.trace_count()
    table, _, _ = engine.trajectory(key, _values(key, hp, 2.0), (0.0, 0.0), 0, steps, 1e-3)
    assert descent.trace_count() == before
    np.testing.assert_allclose(table[:, engine.X], 1 - 0.6**k, atol=2e-6)


def test_a_sweep_of_a_landscape_outside_the_catalogue():
    key, hp = _sgd_key(BOWL)
    starts = np.asarray([[0.0, 0.0], [2.0, -3.0], [-100.0, 0.0]], np.float32)
    p, loss, hit, diverged = engine.sweep(key, _values(key, hp, 3.0), (), np.zeros((3, 0), np.float32), starts, 0, 60, 1e-3)
    assert not diverged.any()
    np.testing.assert_allclose(p, [[1.0, -2.0]] * 3, atol=1e-4)
    assert hit[0] == 35  # as the single run from (0, 0) above


def _refuse_lookups(monkeypatch):
    def lookup(landscape_id):
        raise AssertionError(f"looked up landscape {landscape_id!r} by id after the scenario was resolved")

    monkeypatch.setattr(landscapes, "get", lookup)
    monkeypatch.setattr(landscapes.typed, "structural", lookup)
    monkeypatch.setattr(landscapes.data, "structural", lookup)


def test_a_resolved_formula_compiles_and_runs_without_a_lookup_by_id(monkeypatch):
    # A structure no other test uses, so that the runner is traced here, under the patch.
    scene = descent.Scenario.from_json({
        "landscape": {"formula": "(x - 0.5)^2 + 2*(y + 0.25)^2 + 0.125*tanh(x*y)^2", "domain": [[-2, 2], [-2, 2]]},
        "start": [1.5, 1.0], "steps": 400, "runs": [{"optimizer": "adam", "flavour": "pytorch", "hparams": {"learning_rate": 0.05}}],
    })  # fmt: skip
    spec = scene.landscape_spec
    _refuse_lookups(monkeypatch)
    before = descent.trace_count()
    (r,) = descent.run(scene).runs
    assert descent.trace_count() > before  # traced now, with every lookup by id refused
    assert r.status == "ok" and r.converged_at is not None
    (best,) = spec.global_minima()
    assert np.linalg.norm(r.path[-1] - np.asarray(best.point)) < 1e-2
    xs, ys, z = descent.surface(scene, resolution=24)
    assert z.shape == (24, 24) and np.isfinite(z).all()


def test_a_data_landscape_runs_and_draws_without_a_lookup_by_id(monkeypatch):
    scene = descent.Scenario.from_json({
        "landscape": {"dataset": {"name": "noisy_line", "size": 40, "seed": 5}, "model": "linear_regression"},
        "steps": 50, "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.1}}],
    })  # fmt: skip
    _refuse_lookups(monkeypatch)
    (r,) = descent.run(scene).runs
    assert r.status == "ok" and r.loss[-1] < r.loss[0]
    xs, ys, z = descent.surface(scene, resolution=16)
    assert z.shape == (16, 16) and np.isfinite(z).all()


def test_the_compile_key_is_the_structure_shared_by_every_value():
    def key(landscape):
        scene = descent.Scenario.from_json({"landscape": landscape, "runs": [{"optimizer": "sgd"}]})
        return runner.run_key(scene, scene.runs[0])

    a = key({"formula": "x^2 + 3*y^2 + sin(2*x)"})
    b = key({"formula": "x^2 + 7*y^2 + sin(0.5*x)", "domain": [[-1, 1], [-2, 2]]})
    assert a == b and a.landscape is b.landscape and not a.landscape.source  # the numbers lifted out
    assert [p.name for p in a.landscape.params] == ["c0", "c1", "c2", "c3"]
    c = key({"dataset": {"name": "noisy_line", "size": 100, "seed": 1}, "model": "linear_regression"})
    d = key({"dataset": {"name": "noisy_line", "size": 120, "seed": 2}, "model": "linear_regression"})
    assert c == d and c.landscape.data is None and c.landscape.data_size == 128  # model and bucket, no data
    assert key("rosenbrock").landscape is landscapes.get("rosenbrock")


def test_resolve_gives_what_a_scenario_resolves_for_each_kind_of_reference():
    dataset = {"name": "noisy_line", "size": 50, "seed": 4}
    ls = landscapes.resolve({"dataset": dataset, "model": "linear_regression"})
    scene = descent.Scenario.from_json({"landscape": {"dataset": dataset, "model": "linear_regression"}, "runs": [{"optimizer": "sgd"}]})
    assert ls is scene.landscape_spec and ls.structural.id == scene.landscape == "data:linear_regression:64"
    assert np.array_equal(ls.data[0, :50], descent.data(scene)["x"]) and ls.structural.data is None
    formula = {"formula": "x^2 + 10*y^2 + sin(3*x)", "domain": [[-3, 3], [-3, 3]]}
    assert landscapes.resolve(formula) is descent.Scenario.from_json({"landscape": formula, "runs": [{"optimizer": "sgd"}]}).landscape_spec
    assert landscapes.resolve("booth") is landscapes.resolve("booth").structural is landscapes.get("booth")
    with pytest.raises(KeyError):
        landscapes.resolve({"dataset": dataset, "model": "no_such_model"})
