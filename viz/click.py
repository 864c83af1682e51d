"""A click on the map, as a start point a person would type.

The page reports where on the plot area a click landed, in data coordinates, with the size of
one screen pixel in them (ui.live_chart). The start is that point rounded to a round spacing
(1, 2, 2.5 or 5 times a power of ten) of about two pixels: as precise as the hand that
clicked, and it reads -1.5, not -1.4987013.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

# Round spacings, per decade.
NICE_STEPS = (1.0, 2.0, 2.5, 5.0)
# The spacing is at least this many pixels.
PIXELS = 2.0


def nice_step(size: float) -> float:
    """The smallest round spacing (1, 2, 2.5 or 5 times a power of ten) of at least `size`."""
    if not size > 0 or not math.isfinite(size):
        return 1.0
    exponent = math.floor(math.log10(size))
    for factor in (*NICE_STEPS, 10.0):
        step = factor * 10.0**exponent
        if step >= size * (1 - 1e-9):
            return step
    return 10.0 ** (exponent + 1)


def snap(value: float, step: float) -> float:
    """`value` rounded to a multiple of `step`, written with the step's decimals."""
    decimals = max(0, -math.floor(math.log10(step)) + 1)
    return float(f"{round(value / step) * step:.{decimals}f}") + 0.0  # + 0.0: no -0.0


def click_point(click: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """The start a click picks: {x, y, dx, dy} (data coordinates and the size of a pixel in
    them) rounded to a round spacing of about two pixels; None for anything else."""
    if not isinstance(click, Mapping):
        return None
    try:
        x, y = float(click["x"]), float(click["y"])
        dx, dy = abs(float(click.get("dx", 0.0))), abs(float(click.get("dy", 0.0)))
    except (KeyError, TypeError, ValueError):
        return None
    if not all(math.isfinite(v) for v in (x, y, dx, dy)):
        return None
    return snap(x, nice_step(PIXELS * dx)), snap(y, nice_step(PIXELS * dy))
