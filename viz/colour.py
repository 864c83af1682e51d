"""The landscape's colour scale: linear, or logarithmic for values that span decades.

Plotly has no logarithmic colour scale for contours or surfaces, so a log map colours
t = log10(f − f_floor + ε) and labels the colour bar with values of f. The map, the colour bar
and the 3D surface all go through one `ColourScale`, so a colour means the same f everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from viz.style import Style

# Light (low f) to dark (high f), low in saturation: the runs' Okabe–Ito colours stand out on it,
# valleys read as light and ridges as dark, and it stays ordered when printed in grey.
LANDSCAPE_COLOURSCALE: tuple[tuple[float, str], ...] = (
    (0.0, "#fdfdf8"),
    (0.3, "#e5eae3"),
    (0.6, "#c3cccc"),
    (1.0, "#7c8b9d"),
)

# ε as a fraction of the range of f: small enough to resolve the valley floor, large enough that
# the last few float32 ulps above the minimum do not take up half of the colour scale.
LOG_OFFSET_FRACTION = 1e-4
# Colour bar ticks closer than this fraction of the scale would overlap.
MIN_TICK_SPACING = 0.09


@dataclass(frozen=True)
class ColourScale:
    """Maps f to the coloured quantity t: t = f (linear) or t = log10(max(f − floor, 0) + offset)."""

    log: bool
    floor: float  # the lowest f coloured: min(grid minimum, known f*)
    offset: float  # ε of the log transform (0 when linear)
    low: float  # t at the floor
    high: float  # t at the highest finite f of the grid

    def transform(self, values) -> np.ndarray:
        values = np.asarray(values, dtype=np.float64)
        if not self.log:
            return values
        return np.log10(np.maximum(values - self.floor, 0.0) + self.offset)

    def untransform(self, t) -> np.ndarray:
        t = np.asarray(t, dtype=np.float64)
        return t if not self.log else self.floor + 10.0**t - self.offset

    def fraction(self, values) -> np.ndarray:
        """Where f falls on the colour scale, 0..1 (clipped)."""
        span = self.high - self.low or 1.0
        return np.clip((self.transform(values) - self.low) / span, 0.0, 1.0)

    def ticks(self) -> tuple[list[float], list[str]] | None:
        """Colour bar ticks (positions in t, labels in f) for a log scale; None lets plotly
        choose for a linear one."""
        if not self.log:
            return None
        spacing = MIN_TICK_SPACING * (self.high - self.low)
        chosen: list[tuple[float, float]] = [(self.low, self.floor)]
        for value in _round_values(self.floor, float(self.untransform(self.high))):
            t = float(self.transform(value))
            if self.low <= t <= self.high and all(abs(t - c) >= spacing for c, _ in chosen):
                chosen.append((t, value))
        chosen.sort()
        return [t for t, _ in chosen], [format_value(v) for _, v in chosen]

    def colorbar(self, style: Style, title: str = "f") -> dict:
        """A plotly colorbar dict: log scale ticks labelled in units of f."""
        bar: dict = {
            "title": {"text": f"{title} (log scale)" if self.log else title, "side": "right"},
            "thickness": 14 if style.font_size < 18 else 22,
            "tickfont": {"size": style.font_size},
        }
        ticks = self.ticks()
        if ticks is not None:
            bar["tickvals"], bar["ticktext"] = ticks
        return bar


def landscape_scale(z: np.ndarray, *, log_scale: bool, minimum_value: float | None = None) -> ColourScale:
    """The colour scale for a landscape sampled as `z`; `minimum_value` (f*, when known) keeps
    the true minimum, which the grid may miss, at the bottom of the scale."""
    finite = np.asarray(z, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return ColourScale(False, 0.0, 0.0, 0.0, 1.0)
    floor = float(finite.min())
    if minimum_value is not None and math.isfinite(minimum_value):
        floor = min(floor, float(minimum_value))
    top = float(finite.max())
    if not log_scale:
        return ColourScale(False, floor, 0.0, floor, top if top > floor else floor + 1.0)
    offset = (top - floor) * LOG_OFFSET_FRACTION or 1.0
    low = math.log10(offset)
    high = math.log10(top - floor + offset)
    return ColourScale(True, floor, offset, low, high)


def colourscale() -> list[list]:
    """The landscape colour scale in plotly's [[position, colour], ...] form."""
    return [[position, colour] for position, colour in LANDSCAPE_COLOURSCALE]


def banded_colourscale(bands: int) -> list[list]:
    """The landscape colour scale in `bands` flat bands of equal width, each the colour at its
    middle (the map's image draws the same bands): the surface shows its levels as the map
    does, without contour lines to draw."""
    colours = rgb((np.arange(bands) + 0.5) / bands)
    scale = []
    for i, (r, g, b) in enumerate(colours.tolist()):
        colour = f"#{r:02x}{g:02x}{b:02x}"
        scale += [[i / bands, colour], [(i + 1) / bands, colour]]
    return scale


def rgb(fractions: np.ndarray) -> np.ndarray:
    """Colours of the landscape scale at `fractions` (0..1), as uint8 RGB (shape + (3,))."""
    positions = np.array([p for p, _ in LANDSCAPE_COLOURSCALE])
    stops = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for _, c in LANDSCAPE_COLOURSCALE], dtype=np.float64)
    channels = [np.interp(fractions, positions, stops[:, k]) for k in range(3)]
    return np.rint(np.stack(channels, axis=-1)).astype(np.uint8)


def format_value(value: float) -> str:
    """A short label for f: 4 significant digits, exponents as 1e5 rather than 1e+05."""
    if value == 0:
        return "0"
    text = f"{value:.4g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def _round_values(floor: float, top: float) -> list[float]:
    """Round values of f (1, 2 and 5 times a power of ten, either sign) above the floor,
    powers of ten first so they win when ticks compete for space."""
    if top <= floor:
        return []
    biggest = max(abs(floor), abs(top), 1e-300)
    smallest = max((top - floor) * LOG_OFFSET_FRACTION, 1e-300)
    decades = range(math.floor(math.log10(smallest)), math.ceil(math.log10(biggest)) + 1)
    values = []
    for mantissa in (1, 5, 2):
        for k in decades:
            for sign in (1, -1):
                v = sign * mantissa * 10.0**k
                if floor < v <= top:
                    values.append(v)
    return values
