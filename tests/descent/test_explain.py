"""descent.explain: every optimizer × flavour, its next point against the run's path, and its
update recomputed here in float32 from the numbers it shows, by the published equations.

The equations below are written from the frameworks' documentation and source (Keras 3,
torch.optim, optax), not by calling the code under test.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import descent
import optimizers
from descent import cli
from descent.explain import to_json

f32 = np.float32
STEPS = 60
PROBES = (0, 1, 7, 59)

CASES = [(o, fl, {}) for o in optimizers.ids() for fl in optimizers.get(o).flavours]
CASES += [
    ("sgd", fl, {"momentum": 0.9, "nesterov": nesterov}) for fl in ("keras", "pytorch", "optax") for nesterov in (False, True)
]
CASES += [("rmsprop", fl, {"momentum": 0.5, "centered": True}) for fl in ("keras", "pytorch", "optax")]
CASES += [("adam", fl, {"amsgrad": True}) for fl in ("keras", "pytorch", "optax")]
CASES += [("adam", fl, {"weight_decay": 0.1}) for fl in ("keras", "pytorch")]


def scenario(optimizer, flavour, hparams, schedule, sigma):
    lr = 1e-4 if optimizer == "sgd" else 1e-2
    run = {"optimizer": optimizer, "flavour": flavour, "hparams": {"learning_rate": lr, **hparams}}
    if schedule:
        run["schedule"] = {"name": "cosine", "decay_steps": 40, "alpha": 0.1}
    # Himmelblau, not Rosenbrock: tests/descent/test_engine.py counts the compilation of a
    # structure on Rosenbrock that these cases would otherwise have compiled already.
    return {
        "landscape": "himmelblau",
        "start": [-0.3, -0.9],
        "steps": STEPS,
        "noise": {"sigma": sigma, "batch_size": 1, "seed": 7},
        "runs": [run],
    }


def c(beta) -> np.float32:
    """1 − β as the frameworks compute it: on the Python float, then cast."""
    return f32(1.0 - float(beta))


def bc(beta, t) -> np.float32:
    """The bias correction 1 − β^t (in double, then float32)."""
    return f32(1.0 - float(beta) ** t)


def published(optimizer: str, flavour: str, hp: dict, e: dict):
    """(state after, update) from the shown numbers by the published equations, in float32."""
    g, p, lr, t = e["gradient"], e["point"], f32(e["learning_rate"]), int(e["t"])
    sb = e["state_before"]
    sqrt = np.sqrt
    eps = f32(hp.get("epsilon", 0.0))
    wd = f32(hp.get("weight_decay", 0.0))
    keras_decay = -lr * wd * p if flavour == "keras" else f32(0.0)
    if flavour == "pytorch" and optimizer != "adamw":
        g = g + wd * p  # L2: g ← g + λp
    if optimizer == "sgd":
        mu, v = f32(hp["momentum"]), sb["velocity"]
        if flavour == "keras":  # v ← μv − ηg; p ← p + v (Nesterov: p ← p + μv − ηg)
            v = mu * v - lr * g
            update = (mu * v - lr * g if hp["nesterov"] else v) + keras_decay
        else:  # b ← μb + g; d = b (Nesterov: g + μb); p ← p − ηd
            v = mu * v + g
            update = -lr * (g + mu * v if hp["nesterov"] else v)
        return {"velocity": v}, update
    if optimizer == "adagrad":  # a ← a + g²
        a = sb["accumulator"] + g * g
        if flavour == "pytorch":
            return {"accumulator": a}, -lr * g / (sqrt(a) + eps)
        return {"accumulator": a}, -lr * g / sqrt(a + eps) + keras_decay
    if optimizer == "rmsprop":
        rho, mom = f32(hp["rho"]), f32(hp["momentum"])
        v = rho * sb["v"] + c(rho) * g * g
        after = {"v": v}
        var = v
        if hp["centered"]:
            gbar = rho * sb["mean_gradient"] + c(rho) * g
            after["mean_gradient"] = gbar
            var = v - gbar * gbar
        if flavour == "pytorch":  # b ← μb + g/(√v + ε); p ← p − ηb
            b = mom * sb["momentum"] + g / (sqrt(var) + eps)
            return after | {"momentum": b}, -lr * b
        if flavour == "keras":  # m ← μm + ηg/√(v + ε); p ← p − m
            m = mom * sb["momentum"] + lr * g / sqrt(var + eps)
            return after | {"momentum": m}, -m + keras_decay
        m = mom * sb["momentum"] - lr * g / sqrt(var + eps)  # optax's trace holds −η·g/√(v+ε)
        return after | {"momentum": m}, m
    if optimizer in ("adam", "adamw"):
        b1, b2 = hp["beta1"], hp["beta2"]
        m = f32(b1) * sb["m"] + c(b1) * g
        v = f32(b2) * sb["v"] + c(b2) * g * g
        after = {"m": m, "v": v}
        vv = v
        if hp.get("amsgrad"):
            if flavour == "optax":  # optax.amsgrad: the max of the bias-corrected v̂
                after["v_max"] = np.maximum(sb["v_max"], v / bc(b2, t))
                return after, -lr * (m / bc(b1, t)) / (sqrt(after["v_max"]) + eps)
            vv = after["v_max"] = np.maximum(sb["v_max"], v)
        if flavour == "keras":  # α_t = η√(1−β2^t)/(1−β1^t); p ← p − α_t m/(√v + ε)
            return after, -(lr * sqrt(bc(b2, t)) / bc(b1, t)) * m / (sqrt(vv) + eps) + keras_decay
        if flavour == "pytorch":
            update = -(lr / bc(b1, t)) * m / (sqrt(vv) / sqrt(bc(b2, t)) + eps)
            return after, update - (lr * wd * p if optimizer == "adamw" else 0.0)
        update = -lr * (m / bc(b1, t)) / (sqrt(v / bc(b2, t)) + eps)
        return after, update - (lr * wd * p if optimizer == "adamw" else 0.0)
    if optimizer == "adadelta":
        rho = f32(hp["rho"])
        if flavour == "optax":
            g = g + wd * p  # optax.adadelta adds λp to the gradient first
        e_g = rho * sb["E_g"] + c(rho) * g * g
        delta = sqrt(sb["E_delta"] + eps) / sqrt(e_g + eps) * g
        e_x = rho * sb["E_delta"] + c(rho) * delta * delta
        return {"E_g": e_g, "E_delta": e_x}, -lr * delta + keras_decay
    if optimizer == "adamax":
        b1, b2 = hp["beta1"], hp["beta2"]
        m = f32(b1) * sb["m"] + c(b1) * g
        if flavour == "keras":  # u ← max(β2u, |g|); p ← p − ηm/((1−β1^t)(u + ε))
            u = np.maximum(f32(b2) * sb["u"], np.abs(g))
            return {"m": m, "u": u}, -lr * m / (bc(b1, t) * (u + eps)) + keras_decay
        u = np.maximum(f32(b2) * sb["u"], np.abs(g) + eps)
        return {"m": m, "u": u}, -lr * m / (bc(b1, t) * u)
    if optimizer == "nadam":
        b1, b2 = hp["beta1"], hp["beta2"]
        m = f32(b1) * sb["m"] + c(b1) * g
        v = f32(b2) * sb["v"] + c(b2) * g * g
        if flavour == "optax":  # m̂ = β1m/(1−β1^{t+1}) + (1−β1)g/(1−β1^t)
            m_hat = f32(b1) * m / bc(b1, t + 1) + c(b1) * g / bc(b1, t)
            return {"m": m, "v": v}, -lr * m_hat / (sqrt(v / bc(b2, t)) + eps)
        psi = 1.0 if flavour == "keras" else 0.004  # μ_t = β1(1 − ½·0.96^{ψt})
        mu_t = f32(b1) * f32(1 - 0.5 * 0.96 ** (psi * t))
        mu_next = f32(b1) * f32(1 - 0.5 * 0.96 ** (psi * (t + 1)))
        product = sb["mu_product"] * mu_t
        m_hat = mu_next * m / (1 - product * mu_next) + (1 - mu_t) * g / (1 - product)
        update = -lr * m_hat / (sqrt(v / bc(b2, t)) + eps) + keras_decay
        return {"m": m, "v": v, "mu_product": product}, update
    if optimizer == "lion":  # p ← p − η sign(β1m + (1−β1)g) − ηλp; m ← β2m + (1−β2)g
        b1, b2 = hp["beta1"], hp["beta2"]
        direction = np.sign(f32(b1) * sb["m"] + c(b1) * g)
        m = f32(b2) * sb["m"] + c(b2) * g
        return {"m": m}, -lr * direction - lr * wd * p
    raise AssertionError(optimizer)


@pytest.mark.parametrize("schedule", [False, True], ids=["constant", "cosine"])
@pytest.mark.parametrize(("optimizer", "flavour", "hparams"), CASES, ids=[f"{o}-{fl}-{'-'.join(f'{k}={v}' for k, v in h.items())}" for o, fl, h in CASES])
def test_explain_matches_the_path_and_the_published_equations(optimizer, flavour, hparams, schedule):
    for sigma in (0.0, 2.0):
        data = scenario(optimizer, flavour, hparams, schedule, sigma)
        r = descent.run(data).runs[0]
        assert r.status == "ok", (r.status, r.diverged_at)
        hp = optimizers.get(optimizer).resolve(flavour, data["runs"][0]["hparams"])
        for k in PROBES:
            e = descent.explain(data, run=0, step=k)
            assert e["step"] == k and e["t"] == k + 1
            assert np.array_equal(e["point"], r.path[k])
            assert np.array_equal(e["next_point"], r.path[k + 1]), "next_point must be the run's path[k+1] exactly"
            assert e["next_point"].dtype == np.float32
            assert e["learning_rate"] == r.learning_rate[k]
            # The noise shown is the noise added (zero without noise, otherwise not).
            assert np.allclose(e["gradient"], e["true_gradient"] + e["noise"], rtol=0, atol=0)
            assert (np.abs(e["noise"]).max() > 0) == (sigma > 0)
            after, update = published(optimizer, flavour, hp, e)
            scale = np.abs(update).max()
            np.testing.assert_allclose(e["update"], update, rtol=2e-4, atol=1e-6 * scale, err_msg=f"update at step {k}")
            assert set(after) == set(e["state_after"]), (sorted(after), sorted(e["state_after"]))
            for name, value in after.items():
                np.testing.assert_allclose(e["state_after"][name], value, rtol=2e-4, atol=1e-30, err_msg=name)
            if optimizer in optimizers.explain.ADAPTIVE:
                assert e["effective_lr"].shape == (2,) and np.all(e["effective_lr"] > 0)


@pytest.mark.parametrize("flavour", ["keras", "pytorch", "optax"])
def test_the_effective_lr_and_bias_corrections_explain_adams_step(flavour):
    data = scenario("adam", flavour, {}, False, 0.0)
    for k in (0, 5):
        e = descent.explain(data, step=k)
        t = k + 1
        assert e["bias_correction1"] == pytest.approx(1 - 0.9**t, rel=1e-5)
        assert e["bias_correction2"] == pytest.approx(1 - 0.999**t, rel=1e-4)
        # update = −η_eff ⊙ m̂, m̂ = m/(1 − β1^t)
        m_hat = e["state_after"]["m"] / e["bias_correction1"]
        np.testing.assert_allclose(e["update"], -e["effective_lr"] * m_hat, rtol=1e-5)


def test_explaining_again_with_other_numbers_compiles_nothing():
    data = scenario("adam", "pytorch", {}, True, 1.0)
    descent.explain(data, step=3)
    before = descent.trace_count()
    data["runs"][0]["hparams"]["learning_rate"] = 0.02
    data["noise"]["sigma"] = 0.5
    data["steps"] = 2000  # a second chunk of the same compiled scan
    e = descent.explain(data, step=1500)
    assert descent.trace_count() == before
    assert np.array_equal(e["next_point"], descent.run(data).runs[0].path[1501])


def test_a_step_beyond_the_run_or_after_divergence_is_refused_with_the_range():
    data = scenario("sgd", "keras", {}, False, 0.0)
    with pytest.raises(descent.ScenarioError, match=r"step: must be a whole number in \[0, 59\]"):
        descent.explain(data, step=60)
    with pytest.raises(descent.ScenarioError, match=r"run: must be a whole number in \[0, 0\]"):
        descent.explain(data, run=1, step=0)
    data["runs"][0]["hparams"]["learning_rate"] = 0.1  # diverges within a few steps
    r = descent.run(data).runs[0]
    assert r.status == "diverged"
    with pytest.raises(descent.ScenarioError, match="step"):
        descent.explain(data, step=len(r.path) - 1)


def test_explain_steps_holds_every_step_of_the_run():
    data = scenario("adagrad", "pytorch", {}, False, 0.0)
    steps = descent.explain_steps(data)
    r = descent.run(data).runs[0]
    assert steps["next_point"].shape == (STEPS, 2)
    assert np.array_equal(steps["next_point"], r.path[1:])
    assert np.array_equal(steps["point"], r.path[:-1])
    one = descent.explain(data, step=17)
    assert np.array_equal(steps["effective_lr"][17], one["effective_lr"])
    # Adagrad's accumulator only grows, so each coordinate's effective rate only shrinks.
    assert np.all(np.diff(steps["effective_lr"], axis=0) <= 0)


def test_cli_explain_prints_the_dict_as_json(tmp_path, capsys):
    data = scenario("rmsprop", "optax", {"momentum": 0.5}, False, 0.0)
    path = tmp_path / "scene.json"
    path.write_text(json.dumps(data))
    assert cli.main(["explain", str(path), "--run", "0", "--step", "4"]) == 0
    out = json.loads(capsys.readouterr().out)
    e = descent.explain(data, step=4)
    assert out["next_point"] == e["next_point"].tolist()
    assert out["state_before"]["momentum"] == e["state_before"]["momentum"].tolist()
    assert out == to_json(e)
    assert cli.main(["explain", str(path), "--step", "999"]) == 2
    assert "step: must be a whole number in [0, 59]" in capsys.readouterr().err
