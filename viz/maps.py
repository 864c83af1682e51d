"""Figures of maps from many runs (descent.maps): a hyperparameter map, a basin map, tuning curves.

Pure functions from a map record (duck-typed: the attributes of descent.maps' HyperparameterMap,
BasinMap and Tuning) to a plotly figure dict. A map is tens of thousands of cells, so its
payload is a compact heatmap (typed arrays: 4 bytes per value, 1 per category) or an image
(a PNG with one pixel per start), never a marker per cell.

Outcomes that have no value to colour are categories with their own colours and legend
entries: "diverged" (dark) and "not converged" (grey; in the loss colouring a grey veil over
the cell, whose loss still shows through).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from viz.colour import landscape_scale
from viz.palette import palette
from viz.raster import png_bytes
from viz.style import base_layout, escape, scatter, style_for

DIVERGED_COLOUR = "#3b3b3b"
NOT_CONVERGED_COLOUR = "#b8b8b8"
# The loss colouring veils never-converged cells with this (their loss stays readable).
NOT_CONVERGED_VEIL = "rgba(150,150,150,0.55)"
# log10 of gaps below this are drawn as this (a loss gap of exactly 0 has no logarithm).
GAP_FLOOR = 1e-12
# A basin's colour fades toward white with the steps it took, at most by this much.
MAX_FADE = 0.6
CONTOUR_LEVELS = 14
# Viridis (plotly's stops): the image's colours and its colour bar's scale.
VALUE_STOPS = ("#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725")
# NOT_CONVERGED_VEIL as the image blends it over a cell's colour.
VEIL_RGB, VEIL_ALPHA = np.array([150.0, 150.0, 150.0]), 0.55
# The hover layer's cells per side at most (every k-th cell of a bigger map).
HOVER_CELLS = 64

CONVERGED, NOT_CONVERGED, DIVERGED = 0, 1, 2
# The tuning curves' rows of diverged crosses, one per run, each this factor below the one above.
DIVERGED_ROW_STEP = 10**0.4
# A vertical legend outside the plot area on the right: plotly widens the right margin to hold it.
BASIN_LEGEND = {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1.0, "yanchor": "top"}


def typed(array: np.ndarray, dtype: str) -> dict:
    """An n-d array as plotly.js's typed array {dtype, bdata, shape} (little-endian)."""
    array = np.ascontiguousarray(array, np.dtype(dtype).newbyteorder("<"))
    kinds = {"float32": "f4", "uint8": "u1", "int32": "i4", "float64": "f8"}
    out = {"dtype": kinds[np.dtype(dtype).name], "bdata": base64.b64encode(array.tobytes()).decode("ascii")}
    if array.ndim > 1:
        out["shape"] = ",".join(str(s) for s in array.shape)
    return out


def _status(diverged: np.ndarray, converged: np.ndarray) -> np.ndarray:
    return np.where(diverged, DIVERGED, np.where(converged, CONVERGED, NOT_CONVERGED))


def _legend_square(name: str, colour: str, group: str) -> dict:
    """A legend entry with no point on the plot (heatmaps have no legend entries of their own)."""
    return scatter(x=[None], y=[None], mode="markers", name=name, legendgroup=group, showlegend=True,
                   marker={"symbol": "square", "size": 12, "color": colour, "line": {"color": "#666666", "width": 1}},
                   hoverinfo="skip")  # fmt: skip


def _axis_title(name: str) -> str:
    return name.replace("_", " ")


def hyperparameter_values(hmap: Any, colour: str = "loss") -> tuple[np.ndarray, np.ndarray]:
    """(values, status) per cell: the colour's value (log10 of the final loss's gap to the lowest
    known minimum, or the steps to converge; NaN where there is none: diverged, and in the steps
    colouring never converged) and CONVERGED / NOT_CONVERGED / DIVERGED."""
    if colour not in ("loss", "steps"):
        raise ValueError(f"colour must be 'loss' or 'steps', got {colour!r}")
    status = _status(np.asarray(hmap.diverged), np.asarray(hmap.steps_to_converge) >= 0)
    if colour == "loss":
        gap = np.asarray(hmap.final_loss, np.float64) - float(hmap.floor)
        values = np.log10(np.maximum(gap, GAP_FLOOR))
        values[status == DIVERGED] = np.nan
    else:
        values = np.asarray(hmap.steps_to_converge, np.float64).copy()
        values[status != CONVERGED] = np.nan
    return values, status


def _value_range(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    return lo, (hi if hi > lo else lo + 1.0)


def value_rgb(fractions: np.ndarray) -> np.ndarray:
    """VALUE_STOPS at `fractions` (0..1), as float RGB (shape + (3,)): the colour bar's scale."""
    positions = np.linspace(0.0, 1.0, len(VALUE_STOPS))
    stops = np.array([_hex_rgb(c) for c in VALUE_STOPS])
    return np.stack([np.interp(fractions, positions, stops[:, k]) for k in range(3)], axis=-1)


def _pixels(values: np.ndarray, status: np.ndarray, colour: str) -> np.ndarray:
    """(h, w, 3) uint8, row 0 at the top (the highest y): each cell in the colour bar's colour of
    its value (fewer steps brighter), diverged cells dark, never-converged ones grey (in the loss
    colouring a grey veil over the loss's colour)."""
    lo, hi = _value_range(values)
    fraction = np.clip((np.nan_to_num(values, nan=lo) - lo) / (hi - lo), 0.0, 1.0)
    if colour == "steps":
        fraction = 1.0 - fraction
    pixels = value_rgb(fraction)
    not_converged = status == NOT_CONVERGED
    if colour == "loss":
        pixels[not_converged] = pixels[not_converged] * (1 - VEIL_ALPHA) + VEIL_RGB * VEIL_ALPHA
    else:
        pixels[not_converged] = _hex_rgb(NOT_CONVERGED_COLOUR)
    pixels[status == DIVERGED] = _hex_rgb(DIVERGED_COLOUR)
    return np.rint(pixels[::-1]).astype(np.uint8)


def _cell_edges(values: np.ndarray, log: bool) -> tuple[float, float]:
    """The first and last cells' outer edges in axis units (log10 on a log axis): the grid is
    evenly spaced in them, and a pixel's centre sits on its cell's value."""
    where = np.log10(values) if log else np.asarray(values, np.float64)
    half = (where[-1] - where[0]) / max(len(where) - 1, 1) / 2 if len(where) > 1 else 0.5
    return float(where[0] - half), float(where[-1] + half)


def _hover_layer(xs, ys, values, status, bar_title: str, digits: str, x_label: str, y_label: str | None) -> dict:
    """A transparent heatmap of at most HOVER_CELLS × HOVER_CELLS of the map's cells (all of a
    64 × 64 map, every 4th of a 200 × 200 one), each labelled with its own values: hovering shows a
    real cell near the pointer, and plotly.js draws 2,500 cells instead of 40,000 (the picture is
    the image under the plot)."""
    rows = np.arange(0, len(ys), max(1, -(-len(ys) // HOVER_CELLS)))
    columns = np.arange(0, len(xs), max(1, -(-len(xs) // HOVER_CELLS)))
    sub_values, sub_status = values[np.ix_(rows, columns)], status[np.ix_(rows, columns)]
    text = np.where(sub_status == DIVERGED, "diverged",
                    np.where(np.isnan(sub_values), "not converged", np.char.mod(digits, np.nan_to_num(sub_values))))
    if np.any((sub_status == NOT_CONVERGED) & ~np.isnan(sub_values)):  # the loss colouring: a value, never converged
        veiled = (sub_status == NOT_CONVERGED) & ~np.isnan(sub_values)
        text = np.where(veiled, np.char.add(text, " (not converged)"), text)
    template = f"{escape(x_label)} = %{{x:.4g}}" + ("" if y_label is None else f"<br>{escape(y_label)} = %{{y:.4g}}")
    return {
        "type": "heatmap", "name": "cells", "x": xs[columns].astype(np.float32), "y": ys[rows].astype(np.float32),
        "z": typed(np.zeros((len(rows), len(columns)), np.uint8), "uint8"), "text": text.tolist(),
        "colorscale": [[0.0, "rgba(0,0,0,0)"], [1.0, "rgba(0,0,0,0)"]], "showscale": False, "zmin": 0, "zmax": 1,
        "hovertemplate": template + f"<br>{escape(bar_title)}: %{{text}}<extra></extra>", "showlegend": False,
    }  # fmt: skip


def hyperparameter_map_spec(hmap: Any, *, colour: str = "loss", lecture: bool = False, title: str | None = None) -> dict:
    """The hyperparameter map as an image with one pixel per cell (a layout image under the plot):
    colour = log10 of the final loss's gap to the lowest known minimum (`colour="loss"`) or the
    steps to converge (`colour="steps"`), with its colour bar; diverged and never-converged cells
    as named categories; the run's current values marked with a cross; a light hover layer.

    An image, not a heatmap: plotly.js took 0.5–1.6 s to draw two 200 × 200 heatmaps (the values
    and the categories over them), the browser decodes a 200 × 200 PNG in milliseconds."""
    style = style_for(lecture)
    values, status = hyperparameter_values(hmap, colour)
    xs = np.asarray(hmap.xs, np.float64)
    one_axis = hmap.y is None
    ys = np.zeros(1) if one_axis else np.asarray(hmap.ys, np.float64)
    values, status = values.reshape(len(ys), len(xs)), status.reshape(len(ys), len(xs))
    if colour == "loss":
        bar_title = "log₁₀ loss gap" if hmap.floor != 0 else "log₁₀ final loss"
        digits = "%.2f"
    else:
        bar_title = "steps to converge"
        digits = "%.0f"
    x_label, y_label = _axis_title(hmap.x.name), ("" if one_axis else _axis_title(hmap.y.name))
    x0, x1 = _cell_edges(xs, hmap.x.log)
    y0, y1 = (-0.5, 0.5) if one_axis else _cell_edges(ys, hmap.y.log)
    pixels = _pixels(values, status, colour)
    image = {
        "source": "data:image/png;base64," + base64.b64encode(png_bytes(pixels)).decode("ascii"),
        "xref": "x", "yref": "y", "x": x0, "y": y1, "sizex": x1 - x0, "sizey": y1 - y0,
        "sizing": "stretch", "xanchor": "left", "yanchor": "top", "layer": "below", "name": "cells",
    }  # fmt: skip
    lo, hi = _value_range(values)
    scale = [[float(p), c] for p, c in zip(np.linspace(0.0, 1.0, len(VALUE_STOPS)), VALUE_STOPS)]
    # The colour bar alone: a trace with no point on the plot, whose markers' scale is the image's.
    colour_bar = scatter(x=[None], y=[None], mode="markers", name=bar_title, showlegend=False, hoverinfo="skip",
                         marker={"color": [lo, hi], "cmin": lo, "cmax": hi, "colorscale": scale, "showscale": True,
                                 "reversescale": colour == "steps",  # fewer steps: brighter
                                 "colorbar": {"title": {"text": bar_title, "side": "right"}, "thickness": 14}})  # fmt: skip
    traces = [colour_bar, _hover_layer(xs, ys, values, status, bar_title, digits, x_label, None if one_axis else y_label)]
    counts = {kind: int(np.sum(status == kind)) for kind in (DIVERGED, NOT_CONVERGED)}
    traces.append(_legend_square(f"diverged ({counts[DIVERGED]})", DIVERGED_COLOUR, "diverged"))
    traces.append(_legend_square(f"not converged ({counts[NOT_CONVERGED]})",
                                 NOT_CONVERGED_VEIL if colour == "loss" else NOT_CONVERGED_COLOUR, "not converged"))  # fmt: skip
    cx, cy = hmap.current
    traces.append(scatter(
        x=[float(cx)], y=[0.0 if one_axis else float(cy)], mode="markers", name="current values",
        marker={"symbol": "x-thin-open", "size": style.marker_size + 8, "color": "#ff2d55", "line": {"width": 3, "color": "#ff2d55"}},
        hovertemplate=f"current: {escape(x_label)} = %{{x:.4g}}" + ("" if one_axis else f", {escape(y_label)} = %{{y:.4g}}")
                      + "<extra></extra>",
    ))  # fmt: skip
    layout = base_layout(style, title)
    layout.update({
        "images": [image],
        # Powers of ten on log axes: plotly's default SI prefixes wrote a learning rate 1e-4 as "100µ".
        # Ranges in axis units (log10 on a log axis): the image's edges.
        "xaxis": {"title": {"text": x_label}, "type": "log" if hmap.x.log else "linear", "showgrid": False,
                  "exponentformat": "power", "range": [x0, x1], "zeroline": False},
        "yaxis": {"title": {"text": y_label}, "type": "log" if (not one_axis and hmap.y.log) else "linear",
                  "showgrid": False, "visible": not one_axis, "exponentformat": "power", "range": [y0, y1], "zeroline": False},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    })  # fmt: skip
    return {"data": traces, "layout": layout}


# The minima's colours: Okabe–Ito (colour-blind safe), ordered so that the first four (Himmelblau's
# and Goldstein–Price's minima) are four different hues. In the run order sky blue and blue come
# second and fourth, and a basin fades toward white with its steps: a slow blue basin looked like a
# sky-blue one. These four stay apart at every fade (CIEDE2000 ≥ 18, tests/viz/test_maps.py).
BASIN_COLOURS: tuple[str, ...] = (
    "#E69F00",  # orange
    "#0072B2",  # blue
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow: a landscape's basins are filled areas, where yellow shows (run lines it hides)
)


def basin_colours(n: int) -> list[str]:
    """A colour per minimum (BASIN_COLOURS, cycling): the basin's pixels and the minimum's star."""
    return [BASIN_COLOURS[i % len(BASIN_COLOURS)] for i in range(n)]


def _hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], np.float64)


def basin_pixels(bmap: Any) -> np.ndarray:
    """(h, w, 3) uint8, row 0 at the top (the highest y): each start in the colour of the minimum
    it reaches, faded toward white with the steps it took; neutral greys for the rest."""
    basin = np.asarray(bmap.basin)
    steps = np.asarray(bmap.steps_to_converge, np.float64)
    colours = np.array([_hex_rgb(c) for c in basin_colours(len(bmap.minima))] or [[0, 0, 0]], np.float64)
    pixels = np.empty(basin.shape + (3,))
    pixels[...] = _hex_rgb(NOT_CONVERGED_COLOUR)
    reached = basin >= 0
    slowest = max(float(np.max(steps[reached], initial=1.0)), 1.0)
    fade = MAX_FADE * np.clip(steps / slowest, 0.0, 1.0)[..., None]
    base = colours[np.clip(basin, 0, len(colours) - 1)]
    shaded = base * (1 - fade) + 255.0 * fade
    pixels[reached] = shaded[reached]
    pixels[np.asarray(bmap.diverged)] = _hex_rgb(DIVERGED_COLOUR)
    return np.rint(pixels[::-1]).astype(np.uint8)


def basin_map_spec(bmap: Any, surface: Sequence[np.ndarray] | None = None, *, log_scale: bool = False,
                   lecture: bool = False, title: str | None = None) -> dict:  # fmt: skip
    """The basin map: an image with one pixel per start (layout image, below the plot), the
    landscape's contours over it (from `surface` = (xs, ys, z), when given), each minimum as a
    star in its basin's colour, and legend entries for each basin and the neutral outcomes."""
    style = style_for(lecture)
    xs, ys = np.asarray(bmap.xs, np.float64), np.asarray(bmap.ys, np.float64)
    # Pixel centres sit on the starts: the image reaches half a cell beyond the first and last.
    hx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1) / 2
    hy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1) / 2
    x0, x1, y0, y1 = xs[0] - hx, xs[-1] + hx, ys[0] - hy, ys[-1] + hy
    image = {
        "source": "data:image/png;base64," + base64.b64encode(png_bytes(basin_pixels(bmap))).decode("ascii"),
        "xref": "x", "yref": "y", "x": float(x0), "y": float(y1), "sizex": float(x1 - x0), "sizey": float(y1 - y0),
        "sizing": "stretch", "xanchor": "left", "yanchor": "top", "layer": "below", "name": "basins",
    }  # fmt: skip
    traces: list[dict] = []
    if surface is not None:
        sx, sy, z = (np.asarray(a) for a in surface)
        scale = landscape_scale(z, log_scale=log_scale)
        t = scale.transform(z).astype(np.float32)
        finite = t[np.isfinite(t)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        traces.append({
            "type": "contour", "name": "landscape", "x": sx.astype(np.float32), "y": sy.astype(np.float32),
            "z": typed(t, "float32"), "contours": {"coloring": "none", "start": lo, "end": hi,
                                                   "size": (hi - lo) / CONTOUR_LEVELS or 1.0},
            "line": {"color": "rgba(0,0,0,0.45)", "width": 1}, "showscale": False, "hoverinfo": "skip", "showlegend": False,
        })  # fmt: skip
    colours = basin_colours(len(bmap.minima))
    basin = np.asarray(bmap.basin)
    what = "found minimum" if bmap.found else "minimum"
    for i, (point, colour) in enumerate(zip(np.asarray(bmap.minima).reshape(-1, 2), colours)):
        share = float(np.mean(basin == i))
        traces.append(scatter(
            x=[float(point[0])], y=[float(point[1])], mode="markers", name=f"{what} ({point[0]:.3g}, {point[1]:.3g}): {share:.0%}",
            marker={"symbol": "star", "size": style.marker_size + 8, "color": colour, "line": {"color": "#000000", "width": 1.5}},
            hovertemplate=f"{what} %{{x:.4g}}, %{{y:.4g}}<br>basin: {share:.1%} of the starts<extra></extra>",
        ))  # fmt: skip
    status = np.where(np.asarray(bmap.diverged), DIVERGED, np.where(basin >= 0, CONVERGED, NOT_CONVERGED))
    traces.append(_legend_square(f"diverged ({int(np.sum(status == DIVERGED))})", DIVERGED_COLOUR, "diverged"))
    traces.append(_legend_square(f"not converged ({int(np.sum(status == NOT_CONVERGED))})", NOT_CONVERGED_COLOUR, "not converged"))
    # The legend in a column right of the (square) map, where the map leaves room: above it, a
    # row of six long entries ran past the right edge ("not con…") or took a second row.
    layout = base_layout(style, title, legend_above=False)
    layout.update({
        "images": [image],
        "xaxis": {"range": [float(x0), float(x1)], "showgrid": False, "zeroline": False, "title": {"text": "x"}},
        "yaxis": {"range": [float(y0), float(y1)], "showgrid": False, "zeroline": False, "title": {"text": "y"},
                  "scaleanchor": "x", "scaleratio": 1},
        "legend": BASIN_LEGEND,
    })  # fmt: skip
    return {"data": traces, "layout": layout}


def tuning_curves_spec(tuning: Any, *, colours: Sequence[str] | None = None, lecture: bool = False,
                       title: str | None = None) -> dict:  # fmt: skip
    """Final loss (its gap to the lowest known minimum, log) against the learning rate (log),
    one line per run, the chosen rate marked with a star; diverged rates leave a gap in the
    line and a cross at the bottom."""
    style = style_for(lecture)
    rates = np.asarray(tuning.rates, np.float64)
    colours = list(colours) if colours is not None else palette(len(tuning.labels))
    gaps = np.asarray(tuning.final_loss, np.float64) - float(tuning.floor)
    finite = gaps[np.isfinite(gaps)]
    bottom = max(float(np.min(np.maximum(finite, GAP_FLOOR))) if finite.size else 1.0, GAP_FLOOR)
    traces = []
    for i, label in enumerate(tuning.labels):
        colour = colours[i % len(colours)]
        gap = np.maximum(gaps[i], GAP_FLOOR)  # NaN (diverged) stays NaN: a gap in the line
        name = escape(label)
        traces.append(scatter(x=rates.astype(np.float32), y=gap.astype(np.float32), mode="lines+markers", name=name, legendgroup=name,
                              line={"color": colour, "width": style.curve_width}, marker={"size": 4, "color": colour},
                              hovertemplate=f"{name}<br>lr = %{{x:.3g}}<br>loss gap = %{{y:.3g}}<extra></extra>"))  # fmt: skip
        diverged = np.asarray(tuning.diverged[i])
        if diverged.any():
            # Each run's crosses on a row of its own below the lowest loss: on one shared row the
            # last run's crosses hid the others' (and a star chosen at the lowest loss).
            row = bottom / DIVERGED_ROW_STEP ** (i + 1)
            traces.append(scatter(x=rates[diverged].astype(np.float32), y=np.full(int(diverged.sum()), row, np.float32),
                                  mode="markers", name=f"{name}: diverged", legendgroup=name, showlegend=False,
                                  marker={"symbol": "x", "size": 7, "color": colour},
                                  hovertemplate=f"{name}<br>lr = %{{x:.3g}}: diverged<extra></extra>"))  # fmt: skip
        best = int(tuning.best[i])
        if best >= 0:
            traces.append(scatter(x=[float(rates[best])], y=[float(gap[best])], mode="markers", legendgroup=name,
                                  name=f"{name}: best lr = {rates[best]:.3g}",
                                  marker={"symbol": "star", "size": style.marker_size + 8, "color": colour,
                                          "line": {"color": "#000000", "width": 1.5}},
                                  hovertemplate=f"{name}<br>chosen lr = %{{x:.3g}}<br>loss gap = %{{y:.3g}}<extra></extra>"))  # fmt: skip
    layout = base_layout(style, title)
    layout.update({
        "xaxis": {"type": "log", "title": {"text": "learning rate"}, "exponentformat": "power"},
        "yaxis": {"type": "log", "title": {"text": "final loss gap" if tuning.floor != 0 else "final loss"},
                  "exponentformat": "power"},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    })  # fmt: skip
    return {"data": traces, "layout": layout}


def nearest_cell(values: np.ndarray, clicked: float, log: bool) -> int:
    """The index of the cell whose value is nearest a click (in log units on a log axis, where
    plotly reports clicks as log10 of the value)."""
    values = np.asarray(values, np.float64)
    where = np.log10(values) if log else values
    if not math.isfinite(clicked):
        return -1
    return int(np.argmin(np.abs(where - clicked)))
