"""Click the map to set the start point.

Streamlit reports no selection for a click on a contour or heatmap (a plotly.js limit,
Streamlit issue 8760), and the map's landscape is an image, which reports none either. So the
map carries a grid of nearly invisible scatter markers over the domain: a click on the map lands
on the nearest grid marker, and Streamlit returns that point in `event.selection.points`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


from viz.style import scatter
from viz._types import Surface

# Every grid point carries this tag as customdata[0], so `click_point` can tell a grid click from
# a click on a trajectory without knowing the trace order.
CLICK_TAG = "set-start"
# Invisible to the eye but still a marker the pointer can hit (the opacity the reference notes
# checked with Streamlit; 0 is not needed and not tested).
CLICK_OPACITY = 0.01


def click_grid_trace(surface: Surface, points_per_side: int, marker_size: int) -> dict:
    """A points_per_side × points_per_side grid over the domain; hovering one shows its x, y and f.

    customdata per point is [CLICK_TAG, f(x, y)]: the tag identifies the grid, f feeds the hover.
    """
    xs = _round_grid(surface.xs[0], surface.xs[-1], points_per_side)
    ys = _round_grid(surface.ys[0], surface.ys[-1], points_per_side)
    gx, gy = np.meshgrid(xs, ys)
    f = _nearest_values(surface, gx.ravel(), gy.ravel())
    customdata = [[CLICK_TAG, float(f"{v:.4g}") if math.isfinite(v) else None] for v in f]
    selected = {"marker": {"opacity": CLICK_OPACITY}}
    return scatter(
        x=gx.ravel().astype(np.float32),
        y=gy.ravel().astype(np.float32),
        mode="markers",
        marker={"size": marker_size, "opacity": CLICK_OPACITY, "color": "#808080"},
        # A click selects a point; keep every grid point equally invisible afterwards.
        selected=selected,
        unselected=selected,
        customdata=customdata,
        hovertemplate="x = %{x:.3g}, y = %{y:.3g}<br>f = %{customdata[1]:.4g}<br>click: start here<extra></extra>",
        name="click to set the start",
        meta=CLICK_TAG,
        showlegend=False,
    )


def click_point(points: Sequence[Mapping[str, Any]] | None) -> tuple[float, float] | None:
    """The grid point a click selected, from Streamlit's `event.selection.points`, else None.

    Points from other traces (a trajectory, a minimum) are ignored; a grid point is recognised by
    its customdata, which Streamlit returns as the tag list ([CLICK_TAG, f]) or, for some
    versions, just the first element.
    """
    for point in points or ():
        if not isinstance(point, Mapping) or not _is_grid_point(point.get("customdata")):
            continue
        try:
            x, y = float(point["x"]), float(point["y"])
        except (KeyError, TypeError, ValueError):
            continue
        if math.isfinite(x) and math.isfinite(y):
            # float32 on the wire: round back to the grid's decimal coordinates.
            return float(f"{x:.6g}"), float(f"{y:.6g}")
    return None


def _is_grid_point(customdata: Any) -> bool:
    if isinstance(customdata, str):
        return customdata == CLICK_TAG
    if isinstance(customdata, Sequence) and len(customdata) > 0:
        return customdata[0] == CLICK_TAG
    return False


def _round_grid(low: float, high: float, n: int) -> np.ndarray:
    """n evenly spaced values from low to high, rounded so a start reads -1.5, not -1.4999999."""
    values = np.linspace(low, high, n)
    step = (high - low) / max(n - 1, 1)
    decimals = max(0, 2 - math.floor(math.log10(step))) if step > 0 else 6
    return np.round(values, decimals)


def _nearest_values(surface: Surface, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """f at the surface grid node nearest to each (x, y) (for the hover only)."""
    j = np.abs(surface.xs[None, :] - x[:, None]).argmin(axis=1)
    i = np.abs(surface.ys[None, :] - y[:, None]).argmin(axis=1)
    return surface.z[i, j]
