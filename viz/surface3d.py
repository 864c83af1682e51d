"""The landscape as a 3D surface with the trajectories lying on it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from viz._types import Minimum, Surface, as_surface, global_minimum_value, plain_minima
from viz.colour import ColourScale, banded_colourscale, format_value, landscape_scale
from viz.raster import BANDS
from viz.style import (Style, base_layout, coloured_label, escape, name_axes_in_hover, run_colours, status_text, style_for,
                        visible_runs)
from viz.trajectory_map import thinned_indices

if TYPE_CHECKING:
    from viz._types import MinimumLike, ResultLike, RunLike

# Lines are lifted this fraction of the height above the surface, or the surface hides them.
LIFT = 0.015
# Vertical extent of the box relative to its longer horizontal side.
Z_ASPECT = 0.6


def surface_3d(result: ResultLike, surface: Sequence[np.ndarray], **options) -> go.Figure:
    """The 3D view as a validated `go.Figure`; the options are `surface_3d_spec`'s."""
    return go.Figure(surface_3d_spec(result, surface, **options))


# A run's path in 3D is thinned beyond this many points: every 3D update draws them all again.
MAX_PATH_POINTS_3D = 4000


def surface_3d_spec(
    result: ResultLike,
    surface: Sequence[np.ndarray],
    *,
    minima: Sequence[MinimumLike | Mapping[str, Any]] | None = (),
    log_scale: bool = False,
    colours: Sequence[str] | None = None,
    visible: Sequence[bool] | None = None,
    lecture: bool = False,
    title: str | None = None,
    height: int | None = None,
    axes: Sequence[str] = ("x", "y"),
) -> dict:
    """The landscape in 3D (height and colour = the map's colour quantity: f, or
    log10(f − f_min + ε) when `log_scale`), each visible run drawn on it at the height of its
    loss, lifted slightly; minima and starts marked. Options as for `trajectory_map` (`axes`: the
    two coordinates' names). A plain figure dict, as the map's: go.Figure validated the 120×120
    surface on every edit (~45 ms)."""
    style = style_for(lecture)
    grid = as_surface(surface)
    known = plain_minima(minima)
    scale = landscape_scale(grid.z, log_scale=log_scale, minimum_value=global_minimum_value(known))
    runs = visible_runs(result, visible)
    colour_of = run_colours(result, colours)
    lift = LIFT * (scale.high - scale.low)

    traces: list[dict] = [_surface_trace(grid, scale, style)]
    for index, run in runs:
        traces.append(_path_trace(index, run, colour_of[index], grid, scale, lift, style))
    starts = [(run.path[0], run.loss[0]) for _, run in runs if len(run.path)]
    if starts:
        traces.append(_marker_trace(
            [p for p, _ in starts], [v for _, v in starts], grid, scale, lift, name="start",
            marker={"symbol": "circle", "size": style.marker_size * 0.6, "color": "#ffffff", "line": {"color": "#000000", "width": 4}},
        ))
    for is_global, name, marker in (
        (True, "global minimum", {"symbol": "diamond", "size": style.marker_size * 0.7, "color": "#ffffff", "line": {"color": "#000000", "width": 4}}),
        (False, "local minimum", {"symbol": "diamond-open", "size": style.marker_size * 0.6, "color": "#000000"}),
    ):
        chosen = [m for m in known if m.is_global == is_global]
        if chosen:
            traces.append(_minima_trace(chosen, grid, scale, lift, name, marker))
    for index, run in runs:
        if run.status == "diverged" and len(run.path):
            traces.append(_marker_trace(
                [run.path[-1]], [run.loss[-1]], grid, scale, lift, name=status_text(run),
                marker={"symbol": "x", "size": style.marker_size * 0.7, "color": colour_of[index]},
                text=[f"{run.label}: {status_text(run)}"], legendgroup=f"run{index}",
            ))

    layout = base_layout(style, title)
    (x0, x1), (y0, y1) = (float(grid.xs[0]), float(grid.xs[-1])), (float(grid.ys[0]), float(grid.ys[-1]))
    longer = max(x1 - x0, y1 - y0) or 1.0
    zaxis: dict = {"title": {"text": "f (log scale)" if scale.log else "f"}, "range": [scale.low, scale.high + 2 * lift]}
    ticks = scale.ticks()
    if ticks is not None:
        zaxis["tickvals"], zaxis["ticktext"] = ticks
    layout.update(
        scene={
            "xaxis": {"title": {"text": axes[0]}, "range": [x0, x1]},
            "yaxis": {"title": {"text": axes[1]}, "range": [y0, y1]},
            "zaxis": zaxis,
            "aspectmode": "manual",
            "aspectratio": {"x": (x1 - x0) / longer, "y": (y1 - y0) / longer, "z": Z_ASPECT},
            "camera": {"eye": {"x": 0.9, "y": -1.35, "z": 1.6}},  # high enough to look into valleys
        },
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "font": {"size": style.font_size}},
    )
    if height:
        layout["height"] = height
    name_axes_in_hover(traces, axes)
    return {"data": traces, "layout": layout}


def _surface_trace(grid: Surface, scale: ColourScale, style: Style) -> dict:
    t = scale.transform(grid.z).astype(np.float32)
    surface = dict(
        type="surface", x=grid.xs.astype(np.float32), y=grid.ys.astype(np.float32), z=t,
        # The map's colour bands rather than contour lines: a GPU-less browser draws the lines on
        # the CPU, a tenth of every 3D edit.
        colorscale=banded_colourscale(BANDS), cmin=scale.low, cmax=scale.high, colorbar=scale.colorbar(style),
        name="landscape", showlegend=False, opacity=0.95,
        lighting={"ambient": 0.75, "diffuse": 0.5, "specular": 0.05},
    )
    if scale.log:
        # Height is log10(f − f_min + ε); the hover gives f itself, from customdata. plotly.js
        # indexes a surface's customdata as [x index][y index], the transpose of z (plotly.js
        # issue 5003; checked in Chromium with plotly 7.1, and by tests/viz/test_browser.py).
        surface["hovertemplate"] = "x = %{x:.3g}, y = %{y:.3g}<br>f = %{customdata:.4g}<extra></extra>"
        surface["customdata"] = np.ascontiguousarray(grid.z.T, dtype=np.float32)
    else:
        surface["hovertemplate"] = "x = %{x:.3g}, y = %{y:.3g}<br>f = %{z:.4g}<extra></extra>"
    return surface


def _heights(points: np.ndarray, values: np.ndarray, grid: Surface, scale: ColourScale, lift: float) -> np.ndarray:
    """z of points lying on the surface: the transformed value, lifted; NaN off the domain (a
    line leaving the box would be drawn through the walls), clipped to the top of the box.

    Where the grid is coarser than the landscape (Rosenbrock's valley is narrower than a grid
    cell, and deep on a log scale) the drawn mesh passes above the true values, and a run
    along the valley floor would vanish under it; such points are raised onto the mesh.
    """
    x, y = points[:, 0], points[:, 1]
    inside = (x >= grid.xs[0]) & (x <= grid.xs[-1]) & (y >= grid.ys[0]) & (y <= grid.ys[-1])
    on_mesh = _mesh_height(grid, scale.transform(grid.z), x, y)
    z = np.minimum(np.fmax(scale.transform(values), on_mesh), scale.high) + lift
    return np.where(inside, z, np.nan).astype(np.float32)


def _mesh_height(grid: Surface, t: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The drawn surface's height at scattered points: bilinear between the grid nodes."""
    fi = np.interp(y, grid.ys, np.arange(len(grid.ys)))
    fj = np.interp(x, grid.xs, np.arange(len(grid.xs)))
    i0 = np.clip(np.floor(fi).astype(int), 0, len(grid.ys) - 2)
    j0 = np.clip(np.floor(fj).astype(int), 0, len(grid.xs) - 2)
    wi, wj = fi - i0, fj - j0
    return ((t[i0, j0] * (1 - wj) + t[i0, j0 + 1] * wj) * (1 - wi)
            + (t[i0 + 1, j0] * (1 - wj) + t[i0 + 1, j0 + 1] * wj) * wi)


def _path_trace(index: int, run: RunLike, colour: str, grid: Surface, scale: ColourScale, lift: float, style: Style) -> dict:
    path = np.asarray(run.path, dtype=np.float64).reshape(-1, 2)
    kept = thinned_indices(0, len(path) - 1, MAX_PATH_POINTS_3D) if len(path) else np.zeros(0, int)
    loss = np.asarray(run.loss, dtype=np.float64)[kept]
    return dict(
        type="scatter3d", x=path[kept, 0].astype(np.float32), y=path[kept, 1].astype(np.float32),
        z=_heights(path[kept], loss, grid, scale, lift), mode="lines",
        line={"color": colour, "width": style.curve_width * 2.5},
        name=coloured_label(run.label, colour), meta=run.label, legendgroup=f"run{index}",
        customdata=loss.astype(np.float32),
        hovertemplate=f"<b>{escape(run.label)}</b><br>x = %{{x:.4g}}, y = %{{y:.4g}}<br>loss = %{{customdata:.4g}}<extra></extra>",
    )


def _marker_trace(points, values, grid: Surface, scale: ColourScale, lift: float, *, name: str, marker: dict,
                  text: list[str] | None = None, legendgroup: str | None = None) -> dict:
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    values = np.asarray(values, dtype=np.float64)
    trace = dict(
        type="scatter3d", x=points[:, 0].astype(np.float32), y=points[:, 1].astype(np.float32),
        z=_heights(points, values, grid, scale, 2 * lift), mode="markers", name=name, marker=marker,
        hovertemplate=("%{text}" if text else name) + "<br>x = %{x:.4g}, y = %{y:.4g}<extra></extra>",
        showlegend=legendgroup is None,
    )
    if text:
        trace["text"] = text
    if legendgroup is not None:
        trace["legendgroup"] = legendgroup
    return trace


def _minima_trace(minima: Sequence[Minimum], grid: Surface, scale: ColourScale, lift: float, name: str, marker: dict) -> dict:
    trace = _marker_trace([(m.x, m.y) for m in minima], [m.value for m in minima], grid, scale, lift,
                          name=name, marker=marker, text=[f"{name}, f = {format_value(m.value)}" for m in minima])
    return trace
