"""2D loss landscapes: pure JAX functions of a 2-vector, with metadata.

    >>> import landscapes
    >>> f = landscapes.get("rosenbrock")
    >>> float(f([1.0, 1.0]))
    0.0
"""

import datasets
from landscapes.catalogue import LANDSCAPES
from landscapes import data, formula, typed
from landscapes.spec import Landscape, Minimum, Param

BY_ID: dict[str, Landscape] = {ls.id: ls for ls in LANDSCAPES}


def get(landscape_id: str) -> Landscape:
    """The landscape with this id; KeyError naming the known ids otherwise.

    A typed formula's id (`formula:<structure>`) gives its structural landscape: the function
    with its numbers as parameters c0, c1, ... (see landscapes.typed).
    """
    try:
        return BY_ID[landscape_id]
    except KeyError:
        if isinstance(landscape_id, str) and landscape_id.startswith(formula.PREFIX):
            try:
                return typed.structural(landscape_id)
            except formula.FormulaError:
                pass
        if isinstance(landscape_id, str) and landscape_id.startswith(data.PREFIX):
            try:
                return data.structural(landscape_id)
            except KeyError:
                pass
        raise KeyError(f"unknown landscape {landscape_id!r}; known: {', '.join(BY_ID)}") from None


def resolve(ref) -> Landscape:
    """A landscape resolved once, outside jit: an id, a typed formula given as
    {"formula": text, "domain": [[x0, x1], [y0, y1]]} (FormulaError / DomainError otherwise), or
    a data landscape given as {"dataset": {"name", "size", "seed", "standardize"}, "model": m}
    (datasets.DataError / KeyError otherwise). Its `structural` landscape is what the engine
    compiles."""
    if isinstance(ref, str):
        return get(ref)
    if "dataset" in ref:
        d = ref["dataset"]
        checked = datasets.check(d.get("name"), d.get("size"), d.get("seed", 0), d.get("standardize", False))
        return data.resolve(ref.get("model"), *checked)
    domain = ref.get("domain")
    domain = typed.check_domain(domain) if domain is not None else DEFAULT_FORMULA_DOMAIN
    return typed.resolve(ref["formula"], domain)


DEFAULT_FORMULA_DOMAIN = ((-3.0, 3.0), (-3.0, 3.0))


def ids() -> list[str]:
    return list(BY_ID)


def catalogue() -> list[dict]:
    """Every landscape's metadata as plain JSON-able data (for the CLI and the UI)."""
    return [
        {
            "id": ls.id,
            "title": ls.title,
            "formula": ls.formula,
            "domain": [list(ls.domain[0]), list(ls.domain[1])],
            "start": list(ls.start),
            "teaches": ls.teaches,
            "log_scale": ls.log_scale,
            "minima": [
                {"point": list(m.point), "value": m.value, "global": m.glob} for m in ls.minima
            ],
            "params": [
                {
                    "name": p.name,
                    "symbol": p.symbol,
                    "default": p.default,
                    "range": [p.low, p.high],
                    "scale": p.scale,
                    "meaning": p.meaning,
                }
                for p in ls.params
            ],
        }
        for ls in LANDSCAPES
    ]


__all__ = ["LANDSCAPES", "Landscape", "Minimum", "Param", "get", "ids", "catalogue", "resolve", "formula", "typed", "data"]
