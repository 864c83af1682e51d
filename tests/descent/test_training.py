"""descent.train: against an independent reference loop, shared start, no recompiles, divergence,
validation, CLI."""

import contextlib
import io
import json

import jax
import numpy as np
import optax
import pytest

import descent
import network
import optimizers
from descent import cli, training
from descent.network_scenario import MAX_EXAMPLE_EPOCHS, MAX_UPDATES

SMALL = {
    "dataset": {"name": "moons", "size": 60, "noise": 0.2, "seed": 3, "validation": 0.2},
    "model": {"hidden": [4, 3], "activation": "tanh", "seed": 5},
    "epochs": 3,
    "minibatch": {"batch_size": 10, "shuffle": True, "seed": 11},
}


def _numpy_grad(params, x, y):
    """Mean BCE and its gradient for a tanh MLP, forward and backward written out in NumPy."""
    hs, h = [x], x
    for w, b in params[:-1]:
        h = np.tanh(h @ w + b)
        hs.append(h)
    z = (h @ params[-1][0] + params[-1][1])[:, 0]
    p = 1.0 / (1.0 + np.exp(-z))
    loss = np.mean(np.logaddexp(0.0, z) - y * z)
    delta = ((p - y) / len(y))[:, None]  # dL/dz
    grads = []
    for i in range(len(params) - 1, -1, -1):
        w, _ = params[i]
        grads.append((hs[i].T @ delta, delta.sum(0)))
        if i:
            delta = (delta @ w.T) * (1.0 - hs[i] ** 2)
    return loss, grads[::-1]


def _reference(scenario, tx):
    """Train with a plain Python loop over epochs and batches; weights and train loss per epoch."""
    data = network.make_dataset(**{k: scenario["dataset"][k] for k in ("size", "noise", "seed", "validation")},
                                name=scenario["dataset"]["name"])
    mlp = network.MLP(tuple(scenario["model"]["hidden"]), "tanh")
    params = [(np.asarray(w, np.float64), np.asarray(b, np.float64)) for w, b in mlp.init(scenario["model"]["seed"])]
    x, y = data.x_train.astype(np.float64), data.y_train.astype(np.float64)
    n, bs = len(y), scenario["minibatch"]["batch_size"]
    state = tx.init(params)
    weights, losses = [mlp.flatten(params)], [_numpy_grad(params, x, y)[0]]
    base = jax.random.PRNGKey(scenario["minibatch"]["seed"])
    for epoch in range(1, scenario["epochs"] + 1):
        order = np.asarray(jax.random.permutation(jax.random.fold_in(base, epoch), n))
        for start in range(0, n, bs):  # the last, partial batch included
            idx = order[start : start + bs]
            _, grads = _numpy_grad(params, x[idx], y[idx])
            grads = [(np.float32(gw), np.float32(gb)) for gw, gb in grads]
            updates, state = tx.update(grads, state, params)
            params = [(np.float64(w + uw), np.float64(b + ub)) for (w, b), (uw, ub) in zip(params, updates)]
        weights.append(mlp.flatten(params))
        losses.append(_numpy_grad(params, x, y)[0])
    return np.stack(weights), np.asarray(losses)


@pytest.mark.parametrize(
    "run, tx",
    [
        ({"optimizer": "adam", "flavour": "optax", "hparams": {"learning_rate": 0.05}}, optax.adam(0.05)),
        ({"optimizer": "sgd", "flavour": "optax", "hparams": {"learning_rate": 0.3, "momentum": 0.9}},
         optax.sgd(0.3, momentum=0.9)),
        ({"optimizer": "rmsprop", "flavour": "optax", "hparams": {"learning_rate": 0.01}}, optax.rmsprop(0.01)),
        # The Keras and PyTorch flavours, built by the zoo and stepped here on the reference's own
        # pytree (a list of (W, b)), not the engine's dict: the same code whatever the structure.
        ({"optimizer": "adam", "flavour": "keras", "hparams": {"learning_rate": 0.05, "weight_decay": 0.01}},
         optimizers.build("adam", "keras", optimizers.get("adam").resolve("keras", {"learning_rate": 0.05, "weight_decay": 0.01}))),
        ({"optimizer": "sgd", "flavour": "pytorch", "hparams": {"learning_rate": 0.3, "momentum": 0.9, "nesterov": True}},
         optimizers.build("sgd", "pytorch", optimizers.get("sgd").resolve("pytorch", {"learning_rate": 0.3, "momentum": 0.9,
                                                                                      "nesterov": True}))),
    ],
)
def test_training_equals_a_reference_loop_epoch_by_epoch(run, tx):
    scenario = {**SMALL, "runs": [run]}
    result = descent.train(scenario)
    weights, losses = _reference(scenario, tx)
    assert result.scenario.steps_per_epoch == 5  # 48 examples: four batches of 10 and one of 8
    np.testing.assert_allclose(result.runs[0].snapshots, weights, rtol=2e-4, atol=2e-5)
    np.testing.assert_allclose(result.runs[0].train_loss, losses, rtol=1e-4)


def test_a_run_trains_the_same_alone_and_vmapped_among_others():
    runs = [
        {"optimizer": "adam", "hparams": {"learning_rate": 0.01}},
        {"optimizer": "adam", "hparams": {"learning_rate": 0.03, "beta1": 0.8}},
        {"optimizer": "sgd", "flavour": "pytorch", "hparams": {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}},
    ]
    together = descent.train({**SMALL, "runs": runs})
    for i, run in enumerate(runs):
        alone = descent.train({**SMALL, "runs": [run]})
        np.testing.assert_allclose(together.runs[i].final_weights, alone.runs[0].final_weights, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(together.runs[i].val_loss, alone.runs[0].val_loss, rtol=1e-5)


def test_every_run_starts_from_the_same_weights_and_epoch_zero_is_before_training():
    result = descent.train({**SMALL, "runs": [{"optimizer": "adam"}, {"optimizer": "sgd"}, {"optimizer": "lion"}]})
    mlp = network.MLP((4, 3), "tanh")
    initial = mlp.flatten(mlp.init(5))
    np.testing.assert_array_equal(result.initial_weights, initial)
    data = network.make_dataset("moons", 60, 0.2, 3, 0.2)
    loss0 = float(mlp.loss(initial, data.x_train, data.y_train))
    for run in result.runs:
        np.testing.assert_array_equal(run.snapshots[0], initial)
        assert run.train_loss[0] == pytest.approx(loss0, rel=1e-6)
        assert not np.array_equal(run.final_weights, initial)
    assert result.runs[0].train_loss[-1] < loss0


def test_shuffle_off_takes_the_data_in_order_and_shuffle_seed_matters():
    run = [{"optimizer": "sgd", "hparams": {"learning_rate": 0.5}}]
    ordered = descent.train({**SMALL, "minibatch": {"batch_size": 10, "shuffle": False}, "runs": run})
    a = descent.train({**SMALL, "runs": run})
    b = descent.train({**SMALL, "minibatch": {"batch_size": 10, "seed": 12}, "runs": run})
    assert not np.allclose(a.runs[0].final_weights, b.runs[0].final_weights)
    assert not np.allclose(a.runs[0].final_weights, ordered.runs[0].final_weights)
    full = descent.train({**SMALL, "minibatch": {"batch_size": 5000}, "runs": run})
    assert full.scenario.steps_per_epoch == 1  # a batch larger than the data is full-batch descent


def test_changing_learning_rates_and_betas_compiles_nothing():
    scenario = {**SMALL, "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.01}},
                                  {"optimizer": "sgd", "hparams": {"learning_rate": 0.1, "momentum": 0.5}}]}
    first = descent.train(scenario)
    before = descent.trace_count()
    scenario["runs"] = [{"optimizer": "adam", "hparams": {"learning_rate": 0.2, "beta1": 0.5}},
                        {"optimizer": "sgd", "hparams": {"learning_rate": 0.01, "momentum": 0.9}}]
    second = descent.train(scenario)
    assert descent.trace_count() == before
    assert not np.allclose(first.runs[0].train_loss[1:], second.runs[0].train_loss[1:])


def test_a_new_epoch_count_compiles_nothing_and_a_longer_training_extends_the_shorter():
    # 30 epochs fit one chunk, 130 take three: the chunked loop must hand the carry on exactly
    run = [{"optimizer": "adam", "hparams": {"learning_rate": 0.05}}]
    short = descent.train({**SMALL, "epochs": 30, "runs": run})
    before = descent.trace_count()
    reports = []
    long = descent.train({**SMALL, "epochs": 130, "runs": run}, progress=lambda done, total: reports.append((done, total)))
    assert descent.trace_count() == before
    assert reports == [(50, 130), (100, 130), (130, 130)]  # the epochs trained after each chunk
    assert training.EPOCH_CHUNK < 130
    np.testing.assert_array_equal(long.runs[0].train_loss[:31], short.runs[0].train_loss)
    np.testing.assert_array_equal(long.runs[0].val_accuracy[:31], short.runs[0].val_accuracy)
    np.testing.assert_array_equal(long.weights_at(0, 30), short.runs[0].final_weights)
    assert len(long.runs[0].train_loss) == 131 and np.isfinite(long.runs[0].train_loss).all()
    assert list(long.snapshot_epochs) == list(range(131)) and long.runs[0].snapshots.shape[0] == 131


def test_another_epoch_count_reuses_the_whole_chunks_of_the_last_training_and_gives_the_same_numbers(monkeypatch):
    runs = [{"optimizer": "adam", "hparams": {"learning_rate": 0.03}}, {"optimizer": "sgd", "hparams": {"momentum": 0.9}}]
    scene = {**SMALL, "epochs": 130, "runs": runs}
    training.CHUNKS.clear()
    fresh = descent.train(scene)
    training.CHUNKS.clear()
    calls = []
    real = training._epochs
    monkeypatch.setattr(training, "_epochs", lambda plan, values, params, states, first, *rest:
                        calls.append(int(first)) or real(plan, values, params, states, first, *rest))
    descent.train({**scene, "epochs": 100})  # chunks 0 and 50 are whole; 100 holds epoch 100 alone
    assert calls == [0, 50, 100]
    calls.clear()
    reused = descent.train(scene)
    assert calls == [100]  # epochs 101-130 trained from the kept carry after epoch 100
    for a, b in zip(reused.runs, fresh.runs):
        for field in ("train_loss", "val_loss", "train_accuracy", "val_accuracy", "final_weights", "snapshots"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not reused.runs[0].final_weights.flags.writeable  # a view of a kept chunk
    # another scene (a rate) shares nothing
    calls.clear()
    descent.train({**scene, "runs": [runs[0], {"optimizer": "sgd", "hparams": {"momentum": 0.8}}]})
    assert calls == [0, 50, 100]


def test_a_training_where_every_run_diverges_early_is_nan_after_its_epoch():
    reports = []
    result = descent.train({**SMALL, "model": {"hidden": [16], "activation": "relu"}, "epochs": 500,
                            "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 100.0, "momentum": 0.9}}]},
                           progress=lambda done, total: reports.append((done, total)))
    assert reports == [(500, 500)]  # diverged within the first chunk: the rest is not trained, and it is done
    run = result.runs[0]
    assert run.status == "diverged" and run.diverged_at < training.EPOCH_CHUNK
    assert len(run.train_loss) == 501 and np.isnan(run.train_loss[run.diverged_at:]).all()
    assert result.runs[0].snapshots.shape[0] == len(result.snapshot_epochs)


def test_divergence_is_reported_with_its_epoch():
    result = descent.train({**SMALL, "model": {"hidden": [16], "activation": "relu"}, "epochs": 20,
                            "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 100.0, "momentum": 0.9}},
                                     {"optimizer": "adam", "hparams": {"learning_rate": 0.01}}]})
    bad, good = result.runs
    assert bad.status == "diverged" and bad.diverged_at is not None and 1 <= bad.diverged_at <= 20
    assert np.isfinite(bad.train_loss[: bad.diverged_at]).all()
    assert np.isnan(bad.train_loss[bad.diverged_at :]).all()
    assert good.status == "ok" and good.diverged_at is None and np.isfinite(good.train_loss).all()
    out = result.to_json()["runs"][0]
    assert out["train_loss"][bad.diverged_at] is None and out["diverged_at"] == bad.diverged_at


@pytest.mark.parametrize(
    "change, message",
    [
        ({"dataset": {"name": "blobs"}}, "dataset.name: unknown data set 'blobs'; one of moons, circles, xor, spiral"),
        ({"dataset": {"size": 10}}, "dataset.size: must be a whole number in [20, 5000], got 10"),
        ({"dataset": {"validation": 0.9}}, "dataset.validation: must be a number in [0, 0.5], got 0.9"),
        ({"model": {"hidden": [16, 64]}}, "model.hidden[1]: must be a whole number in [2, 32], got 64"),
        ({"model": {"hidden": [4, 4, 4, 4]}}, "model.hidden: must be a list of 1 to 3 layer widths"),
        ({"model": {"activation": "gelu"}}, "model.activation: unknown activation 'gelu'; one of tanh, relu"),
        ({"epochs": 0}, "epochs: must be a whole number in [1, 2000], got 0"),
        ({"minibatch": {"batch_size": 0}}, "minibatch.batch_size: must be a whole number in [1, 5000], got 0"),
        ({"runs": [{"optimizer": "sgd", "hparams": {"beta1": 0.9}}]}, "runs[0].hparams.beta1: SGD has no hyperparameter 'beta1'"),
        ({"runs": [{"optimizer": "adam", "start": [0, 0]}]}, "runs[0].start: a network run starts from the model's initial weights"),
        ({"landscape": "rosenbrock"}, "landscape: unknown field"),
    ],
)
def test_invalid_scenarios_get_one_line_errors_naming_the_field(change, message):
    scenario = {**SMALL, "runs": [{"optimizer": "adam"}], **change}
    with pytest.raises(descent.ScenarioError) as e:
        descent.NetworkScenario.from_json(scenario)
    assert str(e.value).startswith(message) and "\n" not in str(e.value)


def test_json_and_query_forms_round_trip():
    scenario = descent.NetworkScenario.from_json({
        **SMALL, "runs": [{"optimizer": "adam", "label": "A", "hparams": {"learning_rate": 0.02}},
                          {"optimizer": "sgd", "flavour": "pytorch", "hparams": {"momentum": 0.9},
                           "schedule": {"name": "cosine", "decay_steps": 100}}]})
    assert descent.NetworkScenario.from_json(scenario.to_json()) == scenario
    query = scenario.to_query()
    assert query["hidden"] == "4,3" and query["batch"] == "10"
    assert descent.NetworkScenario.from_query(query) == scenario
    with pytest.raises(descent.ScenarioError, match=r"^hidden: must be a whole number in \[2, 32\], got .1."):
        descent.NetworkScenario.from_query({**query, "hidden": "1,4"})
    with pytest.raises(descent.ScenarioError, match=r"^size: must be a whole number"):
        descent.NetworkScenario.from_query({**query, "size": "many"})
    # the runs' keys and errors are the 2D links' own
    assert query["r1.flavour"] == "pytorch" and query["r1.schedule.decay_steps"] == "100" and query["r0.label"] == "A"
    with pytest.raises(descent.ScenarioError, match=r"^r1\.beta1: SGD has no hyperparameter 'beta1'"):
        descent.NetworkScenario.from_query({**query, "r1.beta1": "0.9"})
    with pytest.raises(descent.ScenarioError, match=r"^r0\.start: a network run starts from the model's initial weights"):
        descent.NetworkScenario.from_query({**query, "r0.start": "0,0"})
    with pytest.raises(descent.ScenarioError, match=r"^runs: must hold 1 to 8 runs, got 0"):
        descent.NetworkScenario.from_query({"dataset": "moons"})


def test_a_training_too_long_for_a_server_is_refused_with_what_to_change():
    base = {**SMALL, "dataset": {**SMALL["dataset"], "size": 500}, "runs": [{"optimizer": "sgd"}]}
    n_train = descent.NetworkScenario.from_json(base).n_train
    assert n_train == 400
    # batches of 1: an update per training example, so the updates' bound comes first
    most = MAX_UPDATES // n_train
    fine = descent.NetworkScenario.from_json({**base, "epochs": most, "minibatch": {"batch_size": 1}})
    assert fine.epochs * fine.steps_per_epoch == MAX_UPDATES == 100_000
    with pytest.raises(descent.ScenarioError) as e:
        descent.NetworkScenario.from_json({**base, "epochs": most + 1, "minibatch": {"batch_size": 1}})
    assert str(e.value) == ("epochs: 251 epochs of 400 updates (⌈400 training examples / batch size 1⌉) "
                            "make 100,400 updates per run; at most 100,000: fewer epochs or a larger batch")
    # full batches: one update per epoch, but every example passes through the model each epoch
    big = {**base, "dataset": {**SMALL["dataset"], "size": 5000}, "minibatch": {"batch_size": 5000}}
    assert descent.NetworkScenario.from_json({**big, "epochs": 200}).epochs * 5000 == MAX_EXAMPLE_EPOCHS
    with pytest.raises(descent.ScenarioError, match=r"^epochs: 201 epochs over 5000 examples make 1,005,000 example passes; "
                                                    r"at most 1,000,000: fewer epochs or fewer examples$"):
        descent.NetworkScenario.from_json({**big, "epochs": 201})
    # the same bounds hold for the page's links
    query = descent.NetworkScenario.from_json(base).to_query()
    with pytest.raises(descent.ScenarioError, match=r"^epochs: 300 epochs of 400 updates"):
        descent.NetworkScenario.from_query({**query, "epochs": "300", "batch": "1"})


def _cli(argv, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        import sys
        old = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            code = cli.main(argv)
        finally:
            sys.stdin = old
    return code, out.getvalue(), err.getvalue()


def test_cli_train_prints_per_epoch_metrics_and_rejects_bad_input():
    scenario = {**SMALL, "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.05}}]}
    code, out, _ = _cli(["train", "-"], json.dumps(scenario))
    assert code == 0
    data = json.loads(out)
    run = data["runs"][0]
    assert len(run["train_loss"]) == len(run["val_accuracy"]) == 4
    assert run["status"] == "ok" and run["train_loss"][-1] < run["train_loss"][0]
    assert data["scenario"]["model"]["hidden"] == [4, 3]
    code, out, err = _cli(["train", "-"], json.dumps({**scenario, "epochs": "many"}))
    assert code == 2 and out == "" and err.strip() == "error: epochs: must be a whole number in [1, 2000], got 'many'"
    code, _, err = _cli(["train", "-"], "{not json")
    assert code == 2 and err.startswith("error: malformed JSON")


def test_cli_train_counts_the_epochs_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    err = Terminal()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({**SMALL, "epochs": 60, "runs": [{"optimizer": "sgd"}]})))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["train", "-"]) == 0
    assert err.getvalue() == "\repoch 50/60\repoch 60/60\n" and json.loads(out.getvalue())["runs"][0]["status"] == "ok"
