"""The equivalent constructor call in Keras, PyTorch and optax ("copy as code").

`snippet(optimizer, hparams, schedule, framework)` writes the code a user would type in that
framework to get the same optimizer: the given hyperparameters under the framework's own names,
leaving out those equal to the framework's default, and the schedule the way each framework
spells it (a Keras LearningRateSchedule, a PyTorch LambdaLR stepped once per update, an optax
schedule function).
"""

from __future__ import annotations

from collections.abc import Mapping

from optimizers import schedules
from optimizers.catalogue import OPTIMIZERS
from optimizers.spec import REQUIRED

FRAMEWORKS = ("keras", "pytorch", "optax")

_KERAS_CLASS = {"sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW",
                "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "Nadam", "lion": "Lion"}  # fmt: skip
_TORCH_CLASS = {"sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW",
                "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "NAdam"}  # fmt: skip

_KERAS_NAME = {"beta1": "beta_1", "beta2": "beta_2"}
_TORCH_NAME = {"learning_rate": "lr", "epsilon": "eps"}
_OPTAX_NAME = {"beta1": "b1", "beta2": "b2", "epsilon": "eps"}


def _spec(optimizer_id: str):
    return next(s for s in OPTIMIZERS if s.id == optimizer_id)


def _literal(value) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


def _differs(spec, name: str, value, framework: str) -> bool:
    hp = spec.hparam(name)
    if not hp.available(framework):
        return False
    default = hp.default(framework)
    return default is REQUIRED or value != default


def snippet(optimizer_id: str, hparams: Mapping, schedule: tuple[str, Mapping] | None, framework: str) -> str:
    """Code for `framework` reproducing the optimizer with these (resolved) hyperparameters.

    `hparams` should hold every hyperparameter of the run's flavour (resolved), so that a
    Keras default like epsilon=1e-7 is written out explicitly in PyTorch code.
    """
    spec = _spec(optimizer_id)
    if framework not in spec.flavours:
        return f"# {spec.title} has no {framework} implementation: {spec.flavour_notes.get(framework, '')}".rstrip(": ")
    name, params = schedule if schedule else ("constant", {})
    params = schedules.get(name).resolve(params)
    return {"keras": _keras, "pytorch": _pytorch, "optax": _optax}[framework](spec, dict(hparams), name, params)


def _unavailable_note(spec, hparams: dict, framework: str) -> list[str]:
    missing = [n for n, v in hparams.items() if not spec.hparam(n).available(framework) and v not in (0.0, False)]
    return [f"# note: {framework} has no {n} for {spec.title}; it is left out" for n in missing]


def _keras(spec, hp: dict, schedule_name: str, sp: dict) -> str:
    lr = hp["learning_rate"]
    lines = ["import keras", ""] + _unavailable_note(spec, hp, "keras")
    if schedule_name == "one_cycle":
        # Keras has no one-cycle schedule: optax's formula as a LearningRateSchedule.
        lines += [_ONE_CYCLE_KERAS.format(**{k: _literal(v) for k, v in sp.items()}), ""]
    if schedule_name != "constant":
        lines.append(f"schedule = {_keras_schedule(schedule_name, lr, sp)}")
    args = ["learning_rate=schedule" if schedule_name != "constant" else f"learning_rate={_literal(lr)}"]
    for name, value in hp.items():
        if name != "learning_rate" and _differs(spec, name, value, "keras"):
            if name == "weight_decay" and value == 0.0:
                continue
            args.append(f"{_KERAS_NAME.get(name, name)}={_literal(value)}")
    lines.append(f"optimizer = keras.optimizers.{_KERAS_CLASS[spec.id]}({', '.join(args)})")
    return "\n".join(lines)


def _keras_schedule(name: str, lr: float, p: dict) -> str:
    s = "keras.optimizers.schedules."
    if name == "exponential":
        return (f"{s}ExponentialDecay({_literal(lr)}, decay_steps={_literal(p['decay_steps'])}, "
                f"decay_rate={_literal(p['decay_rate'])}, staircase={_literal(bool(p['staircase']))})")  # fmt: skip
    if name == "step":
        return (f"{s}ExponentialDecay({_literal(lr)}, decay_steps={_literal(p['step_size'])}, "
                f"decay_rate={_literal(p['gamma'])}, staircase=True)")  # fmt: skip
    if name == "cosine":
        return f"{s}CosineDecay({_literal(lr)}, decay_steps={_literal(p['decay_steps'])}, alpha={_literal(p['alpha'])})"
    if name == "cosine_restarts":
        return (f"{s}CosineDecayRestarts({_literal(lr)}, first_decay_steps={_literal(p['first_decay_steps'])}, "
                f"t_mul={_literal(p['t_mul'])}, m_mul={_literal(p['m_mul'])}, alpha={_literal(p['alpha'])})")  # fmt: skip
    if name == "warmup_cosine":
        return (f"{s}CosineDecay(0.0, decay_steps={_literal(p['decay_steps'])}, alpha={_literal(p['alpha'])}, "
                f"warmup_target={_literal(lr)}, warmup_steps={_literal(p['warmup_steps'])})")  # fmt: skip
    if name == "polynomial":
        return (f"{s}PolynomialDecay({_literal(lr)}, decay_steps={_literal(p['decay_steps'])}, "
                f"end_learning_rate={_literal(p['end_learning_rate'])}, power={_literal(p['power'])})")  # fmt: skip
    if name == "inverse_time":
        return f"{s}InverseTimeDecay({_literal(lr)}, decay_steps={_literal(p['decay_steps'])}, decay_rate={_literal(p['decay_rate'])})"
    if name == "one_cycle":
        return f"OneCycle({_literal(lr)})"
    raise KeyError(name)


_ONE_CYCLE_KERAS = '''class OneCycle(keras.optimizers.schedules.LearningRateSchedule):
    """optax.cosine_onecycle_schedule as a Keras schedule."""

    def __init__(self, peak, total_steps={total_steps}, pct_start={pct_start}, div_factor={div_factor},
                 final_div_factor={final_div_factor}):
        self.peak, self.total, self.pct = peak, total_steps, pct_start
        self.div, self.final_div = div_factor, final_div_factor

    def __call__(self, step):
        ops = keras.ops
        t = ops.cast(step, "float32")
        top = float(int(self.pct * self.total))
        start = self.peak / self.div
        end = start / self.final_div
        ramp = lambda a, b, f: b + (a - b) / 2 * (ops.cos(3.141592653589793 * f) + 1)
        up = ramp(start, self.peak, t / max(top, 1.0))
        down = ramp(self.peak, end, (t - top) / max(self.total - top, 1.0))
        return ops.where(t < top, up, ops.where(t < self.total, down, end))'''


def _lambda_formula(name: str, p: dict) -> str:
    """η(t)/η0 as a Python expression in t, for PyTorch's LambdaLR."""
    lit = {k: _literal(v) for k, v in p.items()}
    if name == "exponential":
        exponent = f"(t // {lit['decay_steps']})" if p["staircase"] else f"(t / {lit['decay_steps']})"
        return f"{lit['decay_rate']} ** {exponent}"
    if name == "cosine":
        return f"(1 - {lit['alpha']}) * 0.5 * (1 + math.cos(math.pi * min(t, {lit['decay_steps']}) / {lit['decay_steps']})) + {lit['alpha']}"
    if name == "warmup_cosine":
        w, d, a = lit["warmup_steps"], lit["decay_steps"], lit["alpha"]
        return (f"t / {w} if t < {w} else (1 - {a}) * 0.5 * (1 + math.cos(math.pi * min(t - {w}, {d}) / {d})) + {a}")
    if name == "polynomial":
        return (f"((1 - end / lr0) * (1 - min(t, {lit['decay_steps']}) / {lit['decay_steps']}) ** {lit['power']} + end / lr0)")
    if name == "inverse_time":
        return f"1 / (1 + {lit['decay_rate']} * t / {lit['decay_steps']})"
    raise KeyError(name)


_SGDR_FUNCTION = '''def sgdr(t, first={first_decay_steps}, t_mul={t_mul}, m_mul={m_mul}, alpha={alpha}):
    """Keras's CosineDecayRestarts as a multiplier of the initial rate."""
    start, length, i = 0.0, float(first), 0
    while t >= start + length:
        start, length, i = start + length, length * t_mul, i + 1
    cosine = m_mul ** i * 0.5 * (1 + math.cos(math.pi * (t - start) / length))
    return (1 - alpha) * cosine + alpha'''

_ONE_CYCLE_FUNCTION = '''def one_cycle(t, total={total_steps}, pct={pct_start}, div={div_factor}, final_div={final_div_factor}):
    """optax.cosine_onecycle_schedule as a multiplier of the peak rate."""
    top = int(pct * total)
    ramp = lambda a, b, f: b + (a - b) / 2 * (math.cos(math.pi * f) + 1)
    if t < top:
        return ramp(1 / div, 1.0, t / max(top, 1))
    if t < total:
        return ramp(1.0, 1 / (div * final_div), (t - top) / max(total - top, 1))
    return 1 / (div * final_div)'''


def _pytorch(spec, hp: dict, schedule_name: str, sp: dict) -> str:
    lines = ["import torch", ""] + _unavailable_note(spec, hp, "pytorch")
    args = ["params", f"lr={_literal(hp['learning_rate'])}"]
    if "beta1" in hp and (_differs(spec, "beta1", hp["beta1"], "pytorch") or _differs(spec, "beta2", hp["beta2"], "pytorch")):
        args.append(f"betas=({_literal(hp['beta1'])}, {_literal(hp['beta2'])})")
    for name, value in hp.items():
        if name in ("learning_rate", "beta1", "beta2") or not _differs(spec, name, value, "pytorch"):
            continue
        torch_name = "alpha" if (name == "rho" and spec.id == "rmsprop") else _TORCH_NAME.get(name, name)
        args.append(f"{torch_name}={_literal(value)}")
    lines.append(f"optimizer = torch.optim.{_TORCH_CLASS[spec.id]}({', '.join(args)})")
    if schedule_name == "constant":
        return "\n".join(lines)
    if schedule_name == "step":
        lines.append(f"scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size={_literal(sp['step_size'])}, gamma={_literal(sp['gamma'])})")
    else:
        lines.insert(0, "import math")
        if schedule_name == "cosine_restarts":
            lines += ["", _SGDR_FUNCTION.format(**{k: _literal(v) for k, v in sp.items()}), ""]
            factor = "sgdr"
        elif schedule_name == "one_cycle":
            lines += ["", _ONE_CYCLE_FUNCTION.format(**{k: _literal(v) for k, v in sp.items()}), ""]
            factor = "one_cycle"
        else:
            if schedule_name == "polynomial":
                lines.append(f"lr0, end = {_literal(hp['learning_rate'])}, {_literal(sp['end_learning_rate'])}")
            factor = f"lambda t: {_lambda_formula(schedule_name, sp)}"
        lines.append(f"scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, {factor})")
    lines.append("# call scheduler.step() once after every optimizer.step()")
    return "\n".join(lines)


def _optax_schedule(name: str, lr: float, p: dict) -> str:
    lit = {k: _literal(v) for k, v in p.items()}
    lr_ = _literal(lr)
    if name == "exponential":
        return f"optax.exponential_decay({lr_}, transition_steps={lit['decay_steps']}, decay_rate={lit['decay_rate']}, staircase={_literal(bool(p['staircase']))})"
    if name == "step":
        return f"optax.exponential_decay({lr_}, transition_steps={lit['step_size']}, decay_rate={lit['gamma']}, staircase=True)"
    if name == "cosine":
        return f"optax.cosine_decay_schedule({lr_}, decay_steps={lit['decay_steps']}, alpha={lit['alpha']})"
    if name == "warmup_cosine":
        total = _literal(p["warmup_steps"] + p["decay_steps"])
        return (f"optax.warmup_cosine_decay_schedule(0.0, peak_value={lr_}, warmup_steps={lit['warmup_steps']}, "
                f"decay_steps={total}, end_value={_literal(p['alpha'] * lr)})")  # fmt: skip
    if name == "one_cycle":
        return (f"optax.cosine_onecycle_schedule({lit['total_steps']}, {lr_}, pct_start={lit['pct_start']}, "
                f"div_factor={lit['div_factor']}, final_div_factor={lit['final_div_factor']})")  # fmt: skip
    if name == "polynomial":
        return f"optax.polynomial_schedule({lr_}, end_value={lit['end_learning_rate']}, power={lit['power']}, transition_steps={lit['decay_steps']})"
    if name == "inverse_time":
        return f"lambda count: {lr_} / (1 + {lit['decay_rate']} * count / {lit['decay_steps']})"
    if name == "cosine_restarts":
        return f"lambda count: {lr_} * sgdr(count)  # sgdr: see above"
    raise KeyError(name)


def _optax(spec, hp: dict, schedule_name: str, sp: dict) -> str:
    lines = ["import optax", ""] + _unavailable_note(spec, hp, "optax")
    if schedule_name == "cosine_restarts":
        lines = ["import jax.numpy as jnp", "import optax", ""] + _unavailable_note(spec, hp, "optax")
        lines += [_SGDR_JAX.format(**{k: _literal(v) for k, v in sp.items()}), ""]
    function = "amsgrad" if spec.id == "adam" and hp.get("amsgrad") else spec.id
    if schedule_name != "constant":
        lines.append(f"schedule = {_optax_schedule(schedule_name, hp['learning_rate'], sp)}")
    args = ["schedule" if schedule_name != "constant" else _literal(hp["learning_rate"])]
    for name, value in hp.items():
        if name in ("learning_rate", "amsgrad") or not _differs(spec, name, value, "optax"):
            continue
        optax_name = "decay" if (name == "rho" and spec.id == "rmsprop") else _OPTAX_NAME.get(name, name)
        args.append(f"{optax_name}={_literal(value)}")
    lines.append(f"optimizer = optax.{function}({', '.join(args)})")
    return "\n".join(lines)


_SGDR_JAX = '''def sgdr(count, first={first_decay_steps}, t_mul={t_mul}, m_mul={m_mul}, alpha={alpha}):
    """Keras's CosineDecayRestarts as a multiplier of the initial rate."""
    fraction = count / first
    if t_mul == 1.0:
        i = jnp.floor(fraction)
        within = fraction - i
    else:
        i = jnp.floor(jnp.log(1 - fraction * (1 - t_mul)) / jnp.log(t_mul))
        within = (fraction - (1 - t_mul ** i) / (1 - t_mul)) / t_mul ** i
    cosine = m_mul ** i * 0.5 * (1 + jnp.cos(jnp.pi * within))
    return (1 - alpha) * cosine + alpha'''
