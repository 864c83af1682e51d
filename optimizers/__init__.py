"""The optimizer zoo on optax, in three flavours that reproduce Keras, PyTorch and optax exactly.

    >>> import optimizers
    >>> spec = optimizers.get("adam")
    >>> spec.hparam("epsilon").default("keras")
    1e-07

`build` returns an `optax.GradientTransformation` for one (optimizer, flavour); numeric
hyperparameters may be traced arrays, so one compiled function serves every value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import optax

from optimizers import code, explain, keras, optax_flavour, pytorch, schedules
from optimizers.catalogue import OPTIMIZERS
from optimizers.decay import Decay
from optimizers.spec import FLAVOUR_TITLES, FLAVOURS, REQUIRED, HyperParam, OptimizerSpec
from optimizers.states import moments

BY_ID: dict[str, OptimizerSpec] = {spec.id: spec for spec in OPTIMIZERS}
_IMPLEMENTATIONS = {"keras": keras, "pytorch": pytorch, "optax": optax_flavour}
# Decay rates whose complement 1 − β the frameworks compute in double precision.
DECAY_RATES = frozenset({"beta1", "beta2", "rho"})


def get(optimizer_id: str) -> OptimizerSpec:
    try:
        return BY_ID[optimizer_id]
    except KeyError:
        raise KeyError(f"unknown optimizer {optimizer_id!r}; known: {', '.join(BY_ID)}") from None


def ids() -> list[str]:
    return list(BY_ID)


def build(
    optimizer_id: str,
    flavour: str,
    hparams: Mapping[str, object],
    learning_rate: Callable | None = None,
) -> optax.GradientTransformation:
    """The transformation for `optimizer_id` in `flavour`.

    `hparams` holds every hyperparameter of that flavour (see `OptimizerSpec.resolve`);
    decay rates may be given as `Decay`s (the engine does, from values packed on the host),
    Python floats become exact `Decay`s. `learning_rate` is a schedule (a callable of the
    update count) and defaults to the constant `hparams["learning_rate"]`.
    """
    spec = get(optimizer_id)
    if flavour not in spec.flavours:
        raise ValueError(f"{spec.title} has no {flavour} flavour")
    kwargs = {hp.name: hparams[hp.name] for hp in spec.hparams_for(flavour)}
    for name in DECAY_RATES & kwargs.keys():
        if not isinstance(kwargs[name], Decay):
            v = kwargs[name]
            kwargs[name] = Decay.of(v) if isinstance(v, (int, float)) else Decay(v)
    lr0 = kwargs.pop("learning_rate")
    if learning_rate is None:
        learning_rate = lambda count: lr0  # noqa: E731
    factory = getattr(_IMPLEMENTATIONS[flavour], optimizer_id)
    return factory(learning_rate=learning_rate, **kwargs)


def catalogue() -> list[dict]:
    """Every optimizer's metadata as plain JSON-able data (for the CLI and the UI)."""
    out = []
    for spec in OPTIMIZERS:
        out.append(
            {
                "id": spec.id,
                "title": spec.title,
                "summary": spec.summary,
                "flavours": list(spec.flavours),
                "reference": spec.reference,
                "equations": dict(spec.equations),
                "notes": dict(spec.flavour_notes),
                # The constructor call in each framework, with that framework's defaults.
                "code": {
                    f: code.snippet(spec.id, spec.resolve(f, _example_lr(spec, f)), None, f) for f in FLAVOURS
                },
                "hparams": [
                    {
                        "name": hp.name,
                        "meaning": hp.meaning,
                        "kind": hp.kind,
                        "defaults": {
                            f: (None if v is REQUIRED else v) for f, v in hp.defaults.items()
                        },
                        "required": [f for f, v in hp.defaults.items() if v is REQUIRED],
                        "allowed": hp.allowed(),
                        "range": [hp.ui_low, hp.ui_high],
                        "scale": hp.scale,
                    }
                    for hp in spec.hparams
                ],
            }
        )
    return out


def _example_lr(spec: OptimizerSpec, flavour: str) -> dict:
    """optax has no default learning rate: show Keras's in its example call."""
    hp = spec.hparam("learning_rate")
    return {"learning_rate": hp.default("keras")} if hp.available(flavour) and hp.default(flavour) is REQUIRED else {}


def schedule_catalogue() -> list[dict]:
    return [
        {
            "name": s.name,
            "title": s.title,
            "formula": s.formula,
            "params": [
                {"name": p.name, "meaning": p.meaning, "default": p.default, "allowed": p.allowed()}
                for p in s.params
            ],
        }
        for s in schedules.SCHEDULES
    ]


__all__ = [
    "FLAVOURS",
    "FLAVOUR_TITLES",
    "OPTIMIZERS",
    "REQUIRED",
    "Decay",
    "HyperParam",
    "OptimizerSpec",
    "build",
    "catalogue",
    "code",
    "explain",
    "get",
    "ids",
    "moments",
    "schedule_catalogue",
    "schedules",
]
