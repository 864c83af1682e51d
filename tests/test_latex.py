"""Every formula shown in the app uses only LaTeX macros KaTeX knows (a glued `\\quadu` is
rendered as a red error), with balanced braces."""

from __future__ import annotations

import re

import pytest

import landscapes
import optimizers
from optimizers import schedules

KNOWN = {
    "Delta", "alpha", "beta", "cdot", "gamma", "hat", "cos", "epsilon", "eta", "frac", "kappa", "lambda", "le", "left", "leftarrow",
    "lfloor", "mathrm", "max", "min", "mu", "pi", "prod", "quad", "rfloor", "rho", "right", "sin", "sqrt",
    "tfrac", "text", "theta", "sign",
}  # fmt: skip

FORMULAS = (
    [(f"landscape {ls.id}", ls.formula) for ls in landscapes.LANDSCAPES]
    + [(f"{spec.id} {flavour}", eq) for spec in optimizers.OPTIMIZERS for flavour, eq in spec.equations.items()]
    + [(f"schedule {s.name}", s.formula) for s in schedules.SCHEDULES]
    + [(f"{ls.id} {p.name}", p.symbol) for ls in landscapes.LANDSCAPES for p in ls.params]
    + [(f"{spec.id} {hp.name}", hp.symbol) for spec in optimizers.OPTIMIZERS for hp in spec.hparams if hp.symbol]
)


@pytest.mark.parametrize("where,formula", FORMULAS, ids=[w for w, _ in FORMULAS])
def test_formula_is_well_formed(where, formula):
    macros = set(re.findall(r"\\([A-Za-z]+)", formula))
    assert macros <= KNOWN, f"{where}: unknown macros {sorted(macros - KNOWN)}"
    depth = 0
    for ch in formula.replace(r"\{", "").replace(r"\}", ""):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0, where
    assert depth == 0, where
    assert len(re.findall(r"\\left(?!arrow)", formula)) == len(re.findall(r"\\right(?!arrow)", formula)), where
