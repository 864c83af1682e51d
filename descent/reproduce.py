"""Reproduce a run: a complete script for Keras 3, PyTorch or optax.

`script(scenario, run_index, framework)` writes a standalone Python file that defines the
landscape (descent.landscape_code: a catalogue function's source with the scene's parameters,
a typed formula's code generated from its parsed program, a data set with its loss and
minibatch rule), the start, the noise sequence, the
optimizer and its schedule (optimizers.code's "copy as code", under the framework's own names),
runs the steps the way the engine does, and prints as its last line

    {"final_point": [x, y], "final_loss": L}

(with "diverged_at": k when the run diverged) — the Table's values, for a run whose flavour is
the script's framework. The other frameworks' scripts run the same settings in that framework,
which can differ where the frameworks do (e.g. where Adam adds epsilon).

How each piece matches the engine (descent.engine):
- point k's loss and gradient are f and ∇f at p_k in float32; the optimizer sees
  ∇f(p_k) + (σ/√B)·ξ_k and the next point is p_k + update;
- ξ_k = normal(fold_in(PRNGKey(seed), k), (2,)): regenerated with JAX in the optax and Keras
  (JAX backend) scripts, embedded as float32 numbers in the PyTorch script;
- on a data landscape, point k's loss is the whole data's and the optimizer sees the gradient
  of step k's minibatch (descent.minibatch's rule, rebuilt with NumPy in every script);
- a point with a coordinate beyond 1e6 or a non-finite loss ends the run ("diverged at step
  k"), and the last finite point is reported.
"""

from __future__ import annotations

import base64

import numpy as np

import optimizers
from descent import landscape_code
from descent.engine import DIVERGENCE_LIMIT, noise_sequence
from descent.errors import ScenarioError
from descent.scenario import Scenario
from optimizers import code

FRAMEWORKS = code.FRAMEWORKS
# Versions the scripts were checked with (the parity data's frameworks, README "Parity").
TESTED_WITH = {"keras": "keras==3.15.1 (KERAS_BACKEND=jax), jax", "pytorch": "torch==2.13.0", "optax": "optax==0.2.8, jax"}


def script(scenario: Scenario, run_index: int = 0, framework: str = "optax", *, table: tuple | None = None) -> str:
    """The standalone script for run `run_index` of `scenario` in `framework`.

    `table` = (final point, final loss) from the engine is quoted in the header when given.
    Raises ScenarioError for an unknown framework, a run index out of range, or an optimizer
    the framework does not have (Lion in PyTorch).
    """
    if framework not in FRAMEWORKS:
        raise ScenarioError("framework", f"must be one of {', '.join(FRAMEWORKS)}, got {framework!r}")
    if not isinstance(run_index, int) or not 0 <= run_index < len(scenario.runs):
        raise ScenarioError("run", f"must be a run index in [0, {len(scenario.runs) - 1}], got {run_index}")
    run = scenario.runs[run_index]
    spec = optimizers.get(run.optimizer)
    if framework not in spec.flavours:
        raise ScenarioError("framework", f"{spec.title} has no {framework} implementation")
    hparams = run.resolved_hparams()
    optimizer_code = code.snippet(run.optimizer, hparams, (run.schedule.name, run.schedule.params), framework)
    start = scenario.start_of(run)
    noise = scenario.noise
    parts = {
        "header": _header(scenario, run, run_index, framework, table),
        "landscape": landscape_code.source(scenario, framework),
        "data": scenario.dataset is not None,
        "start": f"START = [{_f32(start[0])}, {_f32(start[1])}]\nSTEPS = {scenario.steps}",
        "noise": "# The gradients' noise is the minibatches' (batch_weights above)." if scenario.dataset is not None
        else _noise(noise, scenario.steps, framework),
        "optimizer": _without_imports(optimizer_code),
        "scheduled": run.schedule.name != "constant",
    }
    return {"optax": _optax, "keras": _keras, "pytorch": _pytorch}[framework](parts)


_f32 = landscape_code.f32


def _header(scenario: Scenario, run, index: int, framework: str, table) -> str:
    ls = scenario.landscape_spec
    title = {"keras": "Keras 3", "pytorch": "PyTorch", "optax": "optax"}[framework]
    lines = [
        f"Descent, reproduced in {title}: run {index} \"{run.display_label}\" ({run.optimizer}, {run.flavour} flavour)",
        f"on {ls.title}, {scenario.steps} steps from {list(scenario.start_of(run))}.",
        "",
        f"Needs {TESTED_WITH[framework]}. Prints {{\"final_point\": [x, y], \"final_loss\": L}} as its last line.",
    ]
    if table is not None:
        point, loss = table
        lines.append(f"Descent's Table: final point [{_f32(point[0])}, {_f32(point[1])}], final loss {_f32(loss)}.")
    if run.flavour != framework:
        lines.append(f"The run uses the {run.flavour} flavour; this {title} code runs the same settings in {title}, whose")
        lines.append("update can differ slightly from that flavour's (e.g. where epsilon is added).")
    return '"""' + "\n".join(lines) + '\n"""'


def _noise(noise, steps: int, framework: str) -> str:
    scale = _f32(noise.scale)
    if noise.sigma == 0:
        return "NOISE_SCALE = 0.0  # no noise: σ = 0\nNOISE = None"
    head = f"# Stochastic gradients: ∇f + (σ/√B)·ξ_k, σ = {noise.sigma:g}, B = {noise.batch_size}, seed {noise.seed}.\nNOISE_SCALE = {scale}"
    if framework == "pytorch":
        xi = np.asarray(noise_sequence(noise.seed, steps + 1), np.float32)
        packed = base64.b64encode(xi.tobytes()).decode("ascii")
        wrapped = "\n".join(f'    "{packed[i:i + 96]}"' for i in range(0, len(packed), 96))
        return (f"{head}\n# ξ_k, drawn by Descent with JAX (normal(fold_in(PRNGKey({noise.seed}), k))): float32, little-endian.\n"
                f"NOISE = np.frombuffer(base64.b64decode(\n{wrapped}\n), dtype=\"<f4\").reshape(-1, 2)")  # fmt: skip
    return (f"{head}\n# ξ_k = normal(fold_in(PRNGKey(seed), k)): the sequence every run of the scene shares.\n"
            f"_base = jax.random.PRNGKey({noise.seed})\n"
            f"NOISE = np.asarray(jax.vmap(lambda k: jax.random.normal(jax.random.fold_in(_base, k), (2,)))(jnp.arange(STEPS + 1, dtype=jnp.int32)))")  # fmt: skip


def _without_imports(snippet: str) -> str:
    lines = [line for line in snippet.splitlines() if not line.startswith("import ") and "scheduler.step()" not in line]
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


_LIMIT = f"{DIVERGENCE_LIMIT:g}".replace("e+0", "e")
_REPORT = f'''

def diverged(point, loss):
    """Descent's rule: a coordinate beyond {_LIMIT}, or a loss that is not finite."""
    return not (abs(point[0]) <= {_LIMIT} and abs(point[1]) <= {_LIMIT} and math.isfinite(loss))


def report(point, loss, diverged_at):
    out = {{"final_point": [float(str(np.float32(point[0]))), float(str(np.float32(point[1])))],
           "final_loss": float(str(np.float32(loss)))}}
    if diverged_at is not None:
        out["diverged_at"] = diverged_at
    print(json.dumps(out))'''


_OPTAX_STEP = """@jax.jit
def step(point, state, xi):
    loss, grad = jax.value_and_grad(f)(point)
    updates, state = optimizer.update(grad + NOISE_SCALE * xi, state, point)
    return loss, optax.apply_updates(point, updates), state


point = jnp.asarray(START, jnp.float32)
state = optimizer.init(point)
last, diverged_at = None, None
for k in range(STEPS + 1):
    xi = jnp.zeros(2, jnp.float32) if NOISE is None else jnp.asarray(NOISE[k])
    loss, next_point, next_state = step(point, state, xi)"""
# A data landscape: the loss at the point is the whole data's, the gradient is step k's batch's.
_OPTAX_DATA_STEP = """@jax.jit
def step(point, state, weights):
    loss = f(point)
    grad = jax.grad(batch_loss)(point, weights)
    updates, state = optimizer.update(grad, state, point)
    return loss, optax.apply_updates(point, updates), state


point = jnp.asarray(START, jnp.float32)
state = optimizer.init(point)
last, diverged_at = None, None
for k in range(STEPS + 1):
    loss, next_point, next_state = step(point, state, jnp.asarray(batch_weights(k)))"""


def _optax(parts: dict) -> str:
    return f'''{parts["header"]}

import json
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax

{parts["landscape"]}


{parts["start"]}
{parts["noise"]}

{parts["optimizer"]}
{_REPORT}


{_OPTAX_DATA_STEP if parts["data"] else _OPTAX_STEP}
    if diverged(np.asarray(point), float(loss)):
        diverged_at = k
        break
    last = (np.asarray(point), float(loss))
    point, state = next_point, next_state
report(*last, diverged_at)
'''


_KERAS_LOOP = """value_and_grad = jax.jit(jax.value_and_grad(f))
point = keras.Variable(np.asarray(START, np.float32), dtype="float32", name="point")
last, diverged_at = None, None
for k in range(STEPS + 1):
    loss, grad = value_and_grad(point.value)
    if diverged(np.asarray(point.value), float(loss)):
        diverged_at = k
        break
    last = (np.asarray(point.value), float(loss))
    if k == STEPS:
        break
    if NOISE is not None:
        grad = grad + NOISE_SCALE * jnp.asarray(NOISE[k])
    optimizer.apply([grad], [point])"""
_KERAS_DATA_LOOP = """loss_at = jax.jit(f)
batch_gradient = jax.jit(jax.grad(batch_loss))  # step k's minibatch gradient
point = keras.Variable(np.asarray(START, np.float32), dtype="float32", name="point")
last, diverged_at = None, None
for k in range(STEPS + 1):
    loss = loss_at(point.value)
    if diverged(np.asarray(point.value), float(loss)):
        diverged_at = k
        break
    last = (np.asarray(point.value), float(loss))
    if k == STEPS:
        break
    optimizer.apply([batch_gradient(point.value, batch_weights(k))], [point])"""


def _keras(parts: dict) -> str:
    return f'''{parts["header"]}

import json
import math
import os

os.environ.setdefault("KERAS_BACKEND", "jax")  # the landscape's gradient is taken with JAX

import jax
import jax.numpy as jnp
import keras
import numpy as np

{parts["landscape"]}


{parts["start"]}
{parts["noise"]}

{parts["optimizer"]}
{_REPORT}


{_KERAS_DATA_LOOP if parts["data"] else _KERAS_LOOP}
report(*last, diverged_at)
'''


_TORCH_LOOP = """last, diverged_at = None, None
for k in range(STEPS + 1):
    optimizer.zero_grad()
    loss = f(point)
    loss.backward()
    value = float(loss.detach())  # detached: a float of a tensor that requires grad warns
    if diverged(point.detach().numpy(), value):
        diverged_at = k
        break
    last = (point.detach().numpy().copy(), value)
    if k == STEPS:
        break
    if NOISE is not None:
        with torch.no_grad():
            point.grad += NOISE_SCALE * torch.from_numpy(NOISE[k].copy())
    optimizer.step()"""
_TORCH_DATA_LOOP = """last, diverged_at = None, None
for k in range(STEPS + 1):
    with torch.no_grad():
        value = float(f(point))  # the whole data's loss at the point
    if diverged(point.detach().numpy(), value):
        diverged_at = k
        break
    last = (point.detach().numpy().copy(), value)
    if k == STEPS:
        break
    optimizer.zero_grad()
    batch_loss(point, batch_weights(k)).backward()  # step k's minibatch gradient
    optimizer.step()"""


def _pytorch(parts: dict) -> str:
    scheduler = "\n    scheduler.step()  # once per update, after it" if parts["scheduled"] else ""
    return f'''{parts["header"]}

import base64
import json
import math

import numpy as np
import torch

{parts["landscape"]}


{parts["start"]}
{parts["noise"]}

params = [torch.tensor(START, dtype=torch.float32, requires_grad=True)]
point = params[0]
{parts["optimizer"]}
{_REPORT}


{_TORCH_DATA_LOOP if parts["data"] else _TORCH_LOOP}{scheduler}
report(*last, diverged_at)
'''


__all__ = ["FRAMEWORKS", "script"]
