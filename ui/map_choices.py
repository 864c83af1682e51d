"""The Maps view's choices, and their place in the URL (`map.*` keys beside the scene's).

Which map (hyperparameter map, basins, tuning), its axes and ranges, its size and colouring.
The run it maps is the URL's `selected` run. Reading is lenient like the rest of a link: a bad
value is reported in one sentence and its default used; writing leaves defaults out.
Whether a named hyperparameter belongs to the run is checked when the map is computed (the
run may change after the link is read), with a message naming the field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from descent.maps import (
    DEFAULT_TUNING_RATES,
    MAX_BASIN_SIDE,
    MAX_MAP_SIDE,
    MAX_TUNING_RATES,
    MIN_TUNING_RATES,
)

KINDS = {"hyper": "Hyperparameter map", "basin": "Basins of attraction", "tune": "Tune learning rates"}
COLOURS = ("loss", "steps")
DEFAULT_SIDE = 64
DEFAULT_RESOLUTION = 128
DEFAULT_RATES = (1e-4, 1.0)
# The URL keys, all of them the app's own (ui.links.OPTION_KEYS takes them in).
KEYS = ("map.kind", "map.x", "map.y", "map.xr", "map.yr", "map.n", "map.res", "map.colour", "map.lr", "map.rates")

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class MapChoices:
    kind: str = "hyper"
    x: str = "learning_rate"
    y: str = ""  # "" = the run's natural second axis (momentum, β₁, ρ, …)
    x_range: tuple[float, float] | None = None  # None = the hyperparameter's slider range
    y_range: tuple[float, float] | None = None
    side: int = DEFAULT_SIDE  # cells per axis of a hyperparameter map
    colour: str = "loss"
    resolution: int = DEFAULT_RESOLUTION  # starts per side of a basin map
    rates: tuple[float, float] = DEFAULT_RATES  # the tuning's learning-rate range
    n_rates: int = DEFAULT_TUNING_RATES

    def to_query(self) -> dict[str, str]:
        q: dict[str, str] = {}
        default = MapChoices()
        if self.kind != default.kind:
            q["map.kind"] = self.kind
        if self.x != default.x:
            q["map.x"] = self.x
        if self.y:
            q["map.y"] = self.y
        if self.x_range is not None:
            q["map.xr"] = _pair_text(self.x_range)
        if self.y_range is not None:
            q["map.yr"] = _pair_text(self.y_range)
        if self.side != default.side:
            q["map.n"] = str(self.side)
        if self.colour != default.colour:
            q["map.colour"] = self.colour
        if self.resolution != default.resolution:
            q["map.res"] = str(self.resolution)
        if self.rates != default.rates:
            q["map.lr"] = _pair_text(self.rates)
        if self.n_rates != default.n_rates:
            q["map.rates"] = str(self.n_rates)
        return q


def _pair_text(pair) -> str:
    return f"{pair[0]:g},{pair[1]:g}"


def _pair(text: str) -> tuple[float, float] | None:
    try:
        low, high = (float(part) for part in str(text).split(","))
    except ValueError:
        return None
    return (low, high) if math.isfinite(low) and math.isfinite(high) and low < high else None


def _whole(text: str, low: int, high: int) -> int | None:
    try:
        value = int(str(text))
    except ValueError:
        return None
    return value if low <= value <= high else None


def parse(query: Mapping[str, str], warnings: list[str]) -> MapChoices:
    """The choices a link holds; each bad value is reported in `warnings` and left at its default."""
    values: dict = {}

    def take(key: str, field: str, convert, allowed: str) -> None:
        if key not in query:
            return
        value = convert(str(query[key]))
        if value is None:
            text = repr(str(query[key]))
            warnings.append(f"Ignored {key}={text if len(text) <= 40 else text[:37] + '...'} from the link: {allowed}.")
        else:
            values[field] = value

    take("map.kind", "kind", lambda t: t if t in KINDS else None, f"one of {', '.join(KINDS)}")
    take("map.x", "x", lambda t: t if _NAME.match(t) else None, "a hyperparameter's name")
    take("map.y", "y", lambda t: t if _NAME.match(t) else None, "a hyperparameter's name")
    take("map.xr", "x_range", _pair, "two numbers low,high with low < high")
    take("map.yr", "y_range", _pair, "two numbers low,high with low < high")
    take("map.n", "side", lambda t: _whole(t, 2, MAX_MAP_SIDE), f"a whole number in [2, {MAX_MAP_SIDE}]")
    take("map.colour", "colour", lambda t: t if t in COLOURS else None, f"one of {', '.join(COLOURS)}")
    take("map.res", "resolution", lambda t: _whole(t, 2, MAX_BASIN_SIDE), f"a whole number in [2, {MAX_BASIN_SIDE}]")
    take("map.lr", "rates", lambda t: (p if (p := _pair(t)) and p[0] > 0 else None), "two numbers low,high with 0 < low < high")
    take("map.rates", "n_rates", lambda t: _whole(t, MIN_TUNING_RATES, MAX_TUNING_RATES),
         f"a whole number in [{MIN_TUNING_RATES}, {MAX_TUNING_RATES}]")  # fmt: skip
    return MapChoices(**values)
