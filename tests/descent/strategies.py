"""Hypothesis strategies for valid scenarios, built from the catalogues' own ranges."""

from __future__ import annotations

import math

from hypothesis import strategies as st

import landscapes
import optimizers
from descent import Noise, Params, Run, Scenario, Schedule
from optimizers import schedules


def _float_in(low: float, high: float, low_open=False, high_open=False):
    return st.floats(
        min_value=low, max_value=high, exclude_min=low_open, exclude_max=high_open, allow_nan=False, allow_infinity=False
    )


@st.composite
def schedule_strategy(draw):
    spec = draw(st.sampled_from(schedules.SCHEDULES))
    params = {}
    for p in spec.params:
        if not draw(st.booleans()):
            continue
        if p.kind == "bool":
            params[p.name] = draw(st.booleans())
        elif p.kind == "int":
            params[p.name] = draw(st.integers(int(math.ceil(p.low)) + (1 if p.low_open else 0), int(min(p.high, 10**6))))
        else:
            params[p.name] = draw(_float_in(p.low, p.high, p.low_open))
    return Schedule(spec.name, Params(params))


@st.composite
def run_strategy(draw):
    spec = draw(st.sampled_from(optimizers.OPTIMIZERS))
    flavour = draw(st.sampled_from(spec.flavours))
    hparams = {}
    for hp in spec.hparams_for(flavour):
        required = hp.default(flavour) is optimizers.REQUIRED
        if not required and not draw(st.booleans()):
            continue
        if hp.kind == "bool":
            hparams[hp.name] = draw(st.booleans())
        else:
            hparams[hp.name] = draw(_float_in(hp.low, hp.high, hp.low_open, hp.high_open))
    if spec.id == "sgd" and flavour == "pytorch" and hparams.get("nesterov"):
        hparams["momentum"] = draw(_float_in(0.0, 1.0, low_open=True))
    label = draw(st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_categories=("Cs",)), max_size=20))
    start = draw(st.none() | st.tuples(_float_in(-1e4, 1e4), _float_in(-1e4, 1e4)))
    return Run(spec.id, flavour, Params(hparams), draw(schedule_strategy()), label, start)


@st.composite
def scenario_strategy(draw):
    ls = draw(st.sampled_from(landscapes.LANDSCAPES))
    params = {p.name: draw(_float_in(p.low, p.high)) for p in ls.params if draw(st.booleans())}
    start = (draw(_float_in(-1e4, 1e4)), draw(_float_in(-1e4, 1e4)))
    noise = Noise(
        sigma=draw(_float_in(0.0, 1000.0)),
        batch_size=draw(st.integers(1, 1_000_000)),
        seed=draw(st.integers(0, 2**31 - 1)),
    )
    runs = tuple(draw(st.lists(run_strategy(), min_size=1, max_size=4)))
    return Scenario(ls.id, runs, Params(params), start, draw(st.integers(1, 100_000)), noise)
