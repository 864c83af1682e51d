"""Sizes for screen and lecture mode, and the helpers every figure shares (which runs to draw,
in which colour)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from viz._types import ResultLike, RunLike
from viz.palette import palette


@dataclass(frozen=True)
class Style:
    """Font sizes in pt, line widths and marker sizes in px."""

    font_size: int
    title_size: int
    path_width: float  # the whole trajectory, drawn thin
    trail_width: float  # the animated segment behind the current point
    curve_width: float  # loss / gradient / learning-rate curves
    head_size: int  # the current point
    marker_size: int  # start, minima, divergence markers
    contour_line_width: int  # px of the darker iso-lines in the landscape image


SCREEN = Style(font_size=13, title_size=16, path_width=1.5, trail_width=3.5, curve_width=1.8,
               head_size=11, marker_size=12, contour_line_width=1)
# Lecture mode: readable from the back of a room and on a projector that washes out thin lines.
LECTURE = Style(font_size=22, title_size=28, path_width=3.0, trail_width=6.5, curve_width=3.5,
                head_size=18, marker_size=20, contour_line_width=2)


def style_for(lecture: bool) -> Style:
    return LECTURE if lecture else SCREEN


def visible_runs(result: ResultLike, visible: Sequence[bool] | None) -> list[tuple[int, RunLike]]:
    """(index, run) for each run to draw; `visible[i]` False hides run i, None shows all.
    The index is kept so a run keeps its colour when others are hidden."""
    runs = list(result.runs)
    if visible is None:
        return list(enumerate(runs))
    if len(visible) != len(runs):
        raise ValueError(f"visible has {len(visible)} entries for {len(runs)} runs")
    return [(i, run) for i, run in enumerate(runs) if visible[i]]


def run_colours(result: ResultLike, colours: Sequence[str] | None) -> list[str]:
    """One colour per run: `colours` as given (cycled when short) or the default palette."""
    n = len(result.runs)
    if not colours:
        return palette(n)
    return [colours[i % len(colours)] for i in range(n)]


def status_text(run: RunLike) -> str:
    """"ok", or "diverged at step k" with k the first bad point's index."""
    if run.status == "diverged":
        return f"diverged at step {run.diverged_at}"
    return run.status


def schedule_name(result: ResultLike, index: int) -> str:
    """The schedule of run `index` ("constant" when the result carries no scenario)."""
    scenario = getattr(result, "scenario", None)
    try:
        return str(scenario.runs[index].schedule.name)  # type: ignore[union-attr]
    except (AttributeError, IndexError, TypeError):
        return "constant"


def base_layout(style: Style, title: str | None, *, legend_above: bool = True) -> dict:
    """Layout keys shared by every figure: fonts, white background, the title; the top margin
    holds the title and, unless `legend_above` is False, the legend under it."""
    top = (2.2 * style.title_size if title else 0) + (3.5 * style.font_size if legend_above else 0)
    layout: dict = {
        "font": {"size": style.font_size},
        "template": "plotly_white",
        "margin": {"l": 60, "r": 20, "t": round(top) + 20, "b": 50},
        "hovermode": "closest",
    }
    if title:
        layout["title"] = {"text": title, "font": {"size": style.title_size}, "x": 0.01, "xanchor": "left",
                           "y": 0.995, "yanchor": "top", "yref": "container"}
    return layout


def coloured_label(label: str, colour: str) -> str:
    """A run's legend entry: its label written in its colour (plotly reads this span)."""
    return f'<span style="color:{colour}">{escape(label)}</span>'


def escape(text: str) -> str:
    """Run labels go into hover templates: keep plotly from reading their braces or HTML."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("%{", "%&#123;")


def columns(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of (n, 2) points as two contiguous float32 arrays. A column view of an (n, 2)
    array is strided, and orjson (which writes the app's figures) takes only contiguous arrays:
    given one strided array, plotly falls back to walking the whole figure in Python."""
    points = np.asarray(points, dtype=np.float32).reshape(-1, 2)
    return np.ascontiguousarray(points[:, 0]), np.ascontiguousarray(points[:, 1])


def scatter(**props) -> dict:
    """A scatter trace as a plain dict (nested properties as dicts, no magic underscores).

    Figures are assembled from plain dicts because go.Scatter validates on every construction;
    the public builders still return validated go.Figures, and the tests build those.
    """
    return {"type": "scatter", **props}


def name_axes_in_hover(traces: list[dict], axes: Sequence[str]) -> None:
    """Hover texts say "x = …, y = …"; on a landscape whose coordinates have other names (a data
    landscape's w and b) they say those, as the axes' titles do."""
    if tuple(axes) == ("x", "y"):
        return
    for trace in traces:
        text = trace.get("hovertemplate")
        if isinstance(text, str):
            trace["hovertemplate"] = text.replace("x = %{x", f"{escape(axes[0])} = %{{x").replace(
                "y = %{y", f"{escape(axes[1])} = %{{y")

