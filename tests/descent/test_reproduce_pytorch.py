"""The PyTorch reproduction scripts without PyTorch: what tools/check_reproduce.py runs (its
scenes' coverage, the runs it compares with, its verdicts) and the pieces of the generated
source that the engine's numbers depend on. The scripts themselves run where torch is
installed, in the tool (README: "Reproducing a run elsewhere")."""

from __future__ import annotations

import importlib.util
import pathlib
import re
from types import SimpleNamespace

import numpy as np
import pytest

import descent
import landscapes
import optimizers
from descent import reproduce
from optimizers import schedules

_TOOL = pathlib.Path(__file__).resolve().parents[2] / "tools" / "check_reproduce.py"


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("check_reproduce", _TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_tool_covers_every_pytorch_optimizer_schedule_and_kind_of_scene(tool):
    scenes = [descent.Scenario.from_json(data) for data in tool.SCENE_DATA.values()]
    runs = [s.runs[0] for s in scenes]
    with_pytorch = {s.id for s in optimizers.OPTIMIZERS if "pytorch" in s.flavours}
    assert {r.optimizer for r in runs} == with_pytorch
    assert {r.schedule.name for r in runs} == {s.name for s in schedules.SCHEDULES}
    assert {name for name in tool.SCENE_DATA if name.startswith("landscape-")} == {f"landscape-{i}" for i in landscapes.ids()}
    assert any(s.noise.sigma > 0 and s.formula is not None for s in scenes)  # a noisy typed formula
    minibatched = {(s.model, s.minibatch.shuffle) for s in scenes if s.dataset is not None and s.minibatch is not None}
    assert minibatched == {(m, shuffle) for m in ("linear_regression", "logistic_regression") for shuffle in (True, False)}
    # PyTorch-only switches, each on in some scene.
    for switch in ("nesterov", "centered", "amsgrad"):
        assert any(r.resolved_hparams().get(switch) is True for r in runs), switch
    # Every scene but the PyTorch-only ones is checked as the run of each flavour.
    assert {name for name, flavours in tool.CHECKS.items() if flavours != ("pytorch", "keras", "optax")} == set(tool.PYTORCH_ONLY)


@pytest.mark.parametrize("name", ["sgd-nesterov-l2", "rmsprop-centered", "himmelblau-rmsprop-step", "data-logistic-shuffled"])
def test_a_flavours_script_is_compared_with_the_pytorch_flavour_given_its_settings(tool, name):
    flavours = tool.CHECKS[name]
    scenario = tool.scenario_for(tool.SCENE_DATA[name], flavours)
    for i, flavour in enumerate(flavours):
        run, reference = scenario.runs[i], scenario.runs[tool.reference_index(flavours, i)]
        assert run.flavour == flavour and reference.flavour == "pytorch"
        assert (reference.optimizer, reference.schedule) == (run.optimizer, run.schedule)
        spec = optimizers.get(run.optimizer)
        given = {k: v for k, v in run.resolved_hparams().items() if spec.hparam(k).available("pytorch")}
        defaults = {h.name: h.default("pytorch") for h in spec.hparams if h.available("pytorch")}  # what the flavour lacks
        assert reference.resolved_hparams() == defaults | given
        # ...which is what the run's PyTorch script constructs: the same constructor call.
        construct = re.compile(r"^optimizer = torch\.optim\..*$", re.MULTILINE)
        assert construct.findall(reproduce.script(scenario, i, "pytorch")) == construct.findall(
            reproduce.script(scenario, tool.reference_index(flavours, i), "pytorch"))
    if name == "himmelblau-rmsprop-step":  # Keras's RMSprop: rho 0.9 and epsilon 1e-7, not PyTorch's 0.99 and 1e-8
        keras_reference = scenario.runs[tool.reference_index(flavours, flavours.index("keras"))].resolved_hparams()
        assert (keras_reference["rho"], keras_reference["epsilon"]) == (0.9, 1e-7)


def _run(printed_point, diverged_at=None):
    return SimpleNamespace(final_point=np.asarray(printed_point, np.float64), final_loss=1.0, diverged_at=diverged_at)


@pytest.mark.parametrize(("script_point", "spread", "script_diverged", "expected"), [
    ([1.0 + 5e-6, 2.0], None, None, "match"),          # within the tests' tolerance
    ([1.01, 2.0], 0.006, None, "chaotic"),              # 0.01 <= 2 × the engine's own 1-ulp spread
    ([1.01, 2.0], 0.004, None, "MISMATCH"),             # further than a rounding difference moves it
    ([1.01, 2.0], None, None, "MISMATCH"),
    ([1.01, 2.0], 0.5, 7, "MISMATCH"),                  # a different divergence is never rounding
])  # fmt: skip
def test_the_verdict_tells_a_rounding_difference_from_a_mismatch(tool, script_point, spread, script_diverged, expected):
    printed = {"final_point": script_point, "final_loss": 1.0} | ({"diverged_at": script_diverged} if script_diverged else {})
    assert tool.verdict(printed, _run([1.0, 2.0]), spread) == expected


def _script(data: dict, schedule=None) -> str:
    run = {"optimizer": "sgd", "flavour": "pytorch", "hparams": {"learning_rate": 1e-3, "momentum": 0.9}}
    return reproduce.script(descent.Scenario.from_json(data | {"runs": [run | ({"schedule": schedule} if schedule else {})]}), 0, "pytorch")


_LANDSCAPE = {"landscape": "rosenbrock", "steps": 20}
_DATA = {"landscape": {"dataset": {"name": "noisy_line", "size": 20, "seed": 0}, "model": "linear_regression"},
         "minibatch": {"batch_size": 8, "shuffle": True, "seed": 1}, "steps": 20}  # fmt: skip


@pytest.mark.parametrize("scene", [_LANDSCAPE, _DATA], ids=["landscape", "data"])
@pytest.mark.parametrize("name", [s.name for s in schedules.SCHEDULES])
def test_pytorch_script_steps_its_scheduler_once_after_each_update(scene, name):
    # The engine's rate for the update from point k is η(k): LambdaLR/StepLR start at η(0) and
    # must advance once per optimizer.step(), after it, inside the loop (not after the loop).
    source = _script(scene, {"name": name} if name != "constant" else None)
    if name == "constant":
        assert "scheduler" not in source
        return
    assert source.count("scheduler.step()") == 1
    assert re.search(r"\n    optimizer\.step\(\)\n    scheduler\.step\(\)", source)
    assert re.search(r"^scheduler = torch\.optim\.lr_scheduler\.(StepLR|LambdaLR)\(optimizer, ", source, re.MULTILINE)


@pytest.mark.parametrize("scene", [_LANDSCAPE, _DATA], ids=["landscape", "data"])
def test_pytorch_script_reads_the_loss_without_autograd(scene):
    # float() of a tensor that requires grad warns in torch 2.13 ("Converting a tensor with
    # requires_grad=True to a scalar"): the loss is read detached, or computed under no_grad.
    source = _script(scene)
    assert "float(loss)" not in source
    assert "value = float(loss.detach())" in source or "with torch.no_grad():\n        value = float(f(point))" in source
