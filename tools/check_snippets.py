"""Run the generated Keras and PyTorch "copy as code" snippets in the real frameworks.

Needs keras (JAX backend) and torch, which the project does not depend on:
    KERAS_BACKEND=jax python tools/check_snippets.py
Prints, per case, the largest deviation between the framework's path and Descent's.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

import descent  # noqa: E402
import landscapes  # noqa: E402
from optimizers import code  # noqa: E402

STEPS = 60
F = landscapes.get("rosenbrock")
GRAD = jax.jit(jax.grad(lambda p: F.fn(p, {})))

CASES = [
    ("adam", "keras", {"learning_rate": 0.05}, None),
    ("adam", "pytorch", {"learning_rate": 0.05, "amsgrad": True}, None),
    ("rmsprop", "keras", {"learning_rate": 0.01, "momentum": 0.5}, ("cosine", {"decay_steps": 30})),
    ("sgd", "keras", {"learning_rate": 1e-3, "momentum": 0.9}, ("step", {"step_size": 20, "gamma": 0.5})),
    ("sgd", "pytorch", {"learning_rate": 1e-3, "momentum": 0.9, "nesterov": True}, ("warmup_cosine", {"warmup_steps": 10, "decay_steps": 40})),
    ("adam", "keras", {"learning_rate": 0.05}, ("cosine_restarts", {"first_decay_steps": 10, "t_mul": 2.0, "m_mul": 0.5})),
    ("adam", "keras", {"learning_rate": 0.05}, ("one_cycle", {"total_steps": 50})),
    ("adam", "pytorch", {"learning_rate": 0.05}, ("polynomial", {"decay_steps": 40, "power": 2.0, "end_learning_rate": 0.01})),
    ("adam", "keras", {"learning_rate": 0.05}, ("inverse_time", {"decay_steps": 10})),
    ("adam", "keras", {"learning_rate": 0.05}, ("exponential", {"decay_steps": 10, "decay_rate": 0.5})),
    ("nadam", "keras", {"learning_rate": 0.05}, None),
    ("adagrad", "keras", {"learning_rate": 0.5}, None),
    ("adadelta", "pytorch", {"learning_rate": 1.0}, None),
    ("lion", "keras", {"learning_rate": 0.01}, None),
]  # fmt: skip


def keras_path(source: str) -> np.ndarray:
    ns: dict = {}
    exec(source, ns)
    opt = ns["optimizer"]
    var = keras.Variable(np.array([-1.5, 2.0], np.float32))
    out = [np.array(var.numpy())]
    for _ in range(STEPS):
        g = np.asarray(GRAD(jnp.asarray(var.numpy())))
        opt.apply_gradients([(keras.ops.convert_to_tensor(g), var)])
        out.append(np.array(var.numpy()))
    return np.array(out)


def torch_path(source: str) -> np.ndarray:
    p = torch.tensor([-1.5, 2.0], dtype=torch.float32, requires_grad=True)
    ns: dict = {"params": [p]}
    exec(source, ns)
    opt, sched = ns["optimizer"], ns.get("scheduler")
    out = [p.detach().numpy().copy()]
    for _ in range(STEPS):
        p.grad = torch.from_numpy(np.asarray(GRAD(jnp.asarray(p.detach().numpy()))).copy())
        opt.step()
        if sched is not None:
            sched.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


def main() -> int:
    worst = 0.0
    for optimizer, flavour, hparams, schedule in CASES:
        run = {"optimizer": optimizer, "flavour": flavour, "hparams": hparams}
        if schedule:
            run["schedule"] = {"name": schedule[0], **schedule[1]}
        scenario = descent.Scenario.from_json({"landscape": "rosenbrock", "start": [-1.5, 2.0], "steps": STEPS, "runs": [run]})
        r = scenario.runs[0]
        expected = descent.run(scenario).runs[0].path
        source = code.snippet(optimizer, r.resolved_hparams(), (r.schedule.name, r.schedule.params), flavour)
        got = keras_path(source) if flavour == "keras" else torch_path(source)
        deviation = float(np.abs(got - expected).max())
        worst = max(worst, deviation)
        print(f"{flavour:8s} {optimizer:9s} {r.schedule.name:16s} max deviation {deviation:.2e}")
    print(f"worst {worst:.2e}")
    return 0 if worst < 1e-3 else 1


if __name__ == "__main__":
    sys.exit(main())
