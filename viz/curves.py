"""Per-step curves: loss, gradient norm and learning rate against the step, one line per run
in its run colour, with a shared legend (clicking a run hides it in every panel)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz._types import global_minimum_value, plain_minima
from viz.colour import format_value
from viz.style import Style, base_layout, coloured_label, escape, run_colours, schedule_name, status_text, style_for, visible_runs
from viz.trajectory_map import thinned_indices

if TYPE_CHECKING:
    from viz._types import MinimumLike, ResultLike, RunLike

# Curves longer than this are thinned (odd stride, see `thinned_indices`).
MAX_CURVE_POINTS = 10_000
NO_SCHEDULE_NOTE = "No run has a learning-rate schedule: every learning rate is constant."


@dataclass
class Panel:
    """One plot's worth: its traces, its y axis, and a note shown when it has nothing to plot."""

    traces: list[go.Scatter] = field(default_factory=list)
    yaxis: dict = field(default_factory=dict)
    note: str | None = None


def loss_figure(result: ResultLike, *, minima: Sequence[MinimumLike | Mapping[str, Any]] | None = (),
                colours: Sequence[str] | None = None, visible: Sequence[bool] | None = None,
                lecture: bool = False, title: str | None = None, height: int | None = None) -> go.Figure:
    """Loss against step. Log y axis; when the global minimum f* is known and not 0, the gap
    loss − f* is plotted instead (losses can be ≤ 0, e.g. Styblinski–Tang's f* = −78.33) and
    the axis title says so. Linear y when no minimum is known."""
    return _single(_loss_panel(result, minima, colours, visible, style_for(lecture)), style_for(lecture), title, height,
                   _step_range(result, visible))


def grad_norm_figure(result: ResultLike, *, colours: Sequence[str] | None = None, visible: Sequence[bool] | None = None,
                     lecture: bool = False, title: str | None = None, height: int | None = None) -> go.Figure:
    """‖∇f‖ against step, log y axis."""
    return _single(_grad_norm_panel(result, colours, visible, style_for(lecture)), style_for(lecture), title, height,
                   _step_range(result, visible))


def learning_rate_figure(result: ResultLike, *, colours: Sequence[str] | None = None, visible: Sequence[bool] | None = None,
                         lecture: bool = False, title: str | None = None, height: int | None = None) -> go.Figure:
    """The learning rate used at each step, for the runs that have a schedule only; without any,
    an empty figure that says so."""
    return _single(_learning_rate_panel(result, colours, visible, style_for(lecture)), style_for(lecture), title, height,
                   _step_range(result, visible))


def curves_figure(result: ResultLike, *, minima: Sequence[MinimumLike | Mapping[str, Any]] | None = (),
                  colours: Sequence[str] | None = None, visible: Sequence[bool] | None = None,
                  lecture: bool = False, title: str | None = None, height: int | None = None) -> go.Figure:
    """The panels stacked on one step axis with one legend: loss, gradient norm and, when a run
    has a schedule, learning rate (each as its single figure). Without any schedule the
    learning-rate panel gives way to a note under the plot: plotly.js draws an empty subplot
    without axes and stretches the shared step axis for it."""
    style = style_for(lecture)
    rate = _learning_rate_panel(result, colours, visible, style)
    panels = [_loss_panel(result, minima, colours, visible, style), _grad_norm_panel(result, colours, visible, style)]
    if rate.traces:
        panels.append(rate)
    fig = make_subplots(rows=len(panels), cols=1, shared_xaxes=True, vertical_spacing=0.06)
    for row, panel in enumerate(panels, start=1):
        for trace in panel.traces:
            if row > 1:
                trace.showlegend = False  # one legend entry per run, from the loss panel
            fig.add_trace(trace, row=row, col=1)
        fig.update_yaxes(panel.yaxis, row=row, col=1)
    fig.update_xaxes(title_text="step", row=len(panels), col=1)
    fig.update_xaxes(range=_step_range(result, visible))
    layout = base_layout(style, title)
    layout["legend"] = _legend(style)
    layout["height"] = height or len(panels) * (340 if lecture else 230) + 70
    if rate.note:
        layout["margin"]["b"] += round(2 * style.font_size)
        fig.add_annotation(text=rate.note, showarrow=False, xref="paper", yref="paper", x=0, xanchor="left",
                           y=0, yanchor="top", yshift=-round(3.2 * style.font_size),
                           font={"size": style.font_size, "color": "#666666"})
    fig.update_layout(layout)
    return fig


def _step_range(result: ResultLike, visible: Sequence[bool] | None) -> list[float] | None:
    """[0, the last step of the longest drawn run]: autorange would pad it for the end markers."""
    lengths = [len(run.loss) for _, run in visible_runs(result, visible) if len(run.loss)]
    return [0, max(max(lengths) - 1, 1)] if lengths else None


def _single(panel: Panel, style: Style, title: str | None, height: int | None, steps: list[float] | None) -> go.Figure:
    fig = go.Figure(panel.traces)
    layout = base_layout(style, title)
    layout.update(xaxis={"title": {"text": "step"}, "range": steps}, yaxis=panel.yaxis, legend=_legend(style))
    if height:
        layout["height"] = height
    fig.update_layout(layout)
    if panel.note:
        fig.add_annotation(text=panel.note, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                           font={"size": style.font_size, "color": "#666666"})
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
    return fig


def _legend(style: Style) -> dict:
    return {"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0, "font": {"size": style.font_size}}


def _loss_panel(result: ResultLike, minima, colours, visible, style: Style) -> Panel:
    f_star = global_minimum_value(plain_minima(minima))
    if f_star is None:
        yaxis = {"title": {"text": "loss"}, "type": "linear"}
        values = lambda run: np.asarray(run.loss, dtype=np.float64)  # noqa: E731
    else:
        if f_star == 0:
            title = "loss"
        else:
            title = f"loss − f*  (f* = {format_value(f_star)}, the global minimum)"
        yaxis = {"title": {"text": title}, "type": "log", "exponentformat": "power"}
        values = lambda run: gap_to_minimum(run.loss, f_star)  # noqa: E731
    panel = Panel(yaxis=yaxis)
    what = "loss − f*" if f_star not in (None, 0) else "loss"
    drawn = [(index, run, colour, values(run)) for index, run, colour in _drawn(result, colours, visible)]
    top = _view_top(drawn, log=yaxis["type"] == "log")
    for index, run, colour, y in drawn:
        panel.traces += _run_traces(index, run, colour, y, what, style, legend=True, top=top)
    _set_top(panel, drawn, top)
    return panel


def _grad_norm_panel(result: ResultLike, colours, visible, style: Style) -> Panel:
    panel = Panel(yaxis={"title": {"text": "‖∇f‖"}, "type": "log", "exponentformat": "power"})
    drawn = []
    for index, run, colour in _drawn(result, colours, visible):
        norm = np.asarray(run.grad_norm, dtype=np.float64)
        drawn.append((index, run, colour, np.where(norm > 0, norm, np.nan)))  # a log axis has no 0
    top = _view_top(drawn, log=True)
    for index, run, colour, y in drawn:
        panel.traces += _run_traces(index, run, colour, y, "‖∇f‖", style, legend=True, top=top)
    _set_top(panel, drawn, top)
    return panel


def _learning_rate_panel(result: ResultLike, colours, visible, style: Style) -> Panel:
    panel = Panel(yaxis={"title": {"text": "learning rate"}, "type": "linear", "rangemode": "tozero"})
    for index, run, colour in _drawn(result, colours, visible):
        schedule = schedule_name(result, index)
        if schedule == "constant":
            continue
        rate = np.asarray(run.learning_rate, dtype=np.float64)
        # learning_rate[k] moved point k to k + 1: the curve has one point fewer than the path,
        # so a diverged run's curve ends one step before its divergence marker would.
        panel.traces += _run_traces(index, run, colour, rate, f"learning rate ({schedule})", style, legend=True, mark_end=False)
    if not panel.traces:
        panel.note = NO_SCHEDULE_NOTE
    return panel


def _drawn(result: ResultLike, colours, visible) -> list[tuple[int, RunLike, str]]:
    colour_of = run_colours(result, colours)
    return [(index, run, colour_of[index]) for index, run in visible_runs(result, visible)]


def _view_top(drawn: Sequence[tuple[int, RunLike, str, np.ndarray]], *, log: bool) -> float | None:
    """The top of the y view when diverged runs would squash the others, else None (autorange).

    A diverging loss reaches 1e20 and more; plotted to scale, the runs that did not diverge
    become a flat line at the bottom. The view then stops a little (two decades on a log axis,
    half the span on a linear one) above the highest value of the other runs, and the diverged
    curves leave it at the top, where their cross is pinned.
    """
    ok = [y for _, run, _, y in drawn if run.status != "diverged"]
    bad = [y for _, run, _, y in drawn if run.status == "diverged"]
    ok_values = np.concatenate([y[np.isfinite(y)] for y in ok]) if ok else np.zeros(0)
    bad_values = np.concatenate([y[np.isfinite(y)] for y in bad]) if bad else np.zeros(0)
    if ok_values.size == 0 or bad_values.size == 0:
        return None
    low, high = float(ok_values.min()), float(ok_values.max())
    if log:
        top = high * 100.0
    else:
        top = high + 0.5 * max(high - low, abs(high), 1e-12)
    return top if bad_values.max() > top else None


def _set_top(panel: Panel, drawn: Sequence[tuple[int, RunLike, str, np.ndarray]], top: float | None) -> None:
    """Fix the y range to [lowest value, top] when `_view_top` chose a top."""
    if top is None:
        return
    finite = np.concatenate([y[np.isfinite(y)] for _, _, _, y in drawn])
    low = float(finite.min())
    if panel.yaxis.get("type") == "log":
        low_log, top_log = np.log10(low) if low > 0 else np.log10(top) - 6, np.log10(top)
        pad = 0.03 * (top_log - low_log)
        panel.yaxis["range"] = [float(low_log - pad), float(top_log + pad)]
    else:
        pad = 0.03 * (top - low)
        panel.yaxis["range"] = [low - pad, top + pad]


def _run_traces(index: int, run: RunLike, colour: str, values: np.ndarray, what: str, style: Style,
                *, legend: bool, mark_end: bool = True, top: float | None = None) -> list[go.Scatter]:
    """The run's curve, and for a diverged run a cross where the curve ends (pinned to the top
    of the view when the view stops below it, see `_view_top`)."""
    kept = thinned_indices(0, len(values) - 1, MAX_CURVE_POINTS) if len(values) else np.zeros(0, int)
    label = escape(run.label)
    traces = [go.Scatter(
        x=kept.astype(np.int32), y=values[kept].astype(np.float32), mode="lines",
        name=coloured_label(run.label, colour), meta=run.label, legendgroup=f"run{index}", showlegend=legend,
        line={"color": colour, "width": style.curve_width},
        hovertemplate=f"<b>{label}</b><br>step %{{x}}<br>{what} = %{{y:.4g}}<extra></extra>",
    )]
    if mark_end and run.status == "diverged" and len(values):
        last = len(values) - 1
        shown = values[-1:] if top is None else np.minimum(values[-1:], top)
        traces.append(go.Scatter(
            x=np.array([last], dtype=np.int32), y=shown.astype(np.float32), mode="markers", cliponaxis=False,
            name=f"{run.label}: {status_text(run)}", legendgroup=f"run{index}", showlegend=False,
            marker={"symbol": "x", "size": style.marker_size, "color": colour, "line": {"color": "#000000", "width": 1}},
            hovertemplate=f"<b>{label}</b><br>{status_text(run)}<br>last finite {what}: {format_value(float(values[-1]))}"
                          f" (step {last})<extra></extra>",
        ))
    return traces


def gap_to_minimum(loss: np.ndarray, f_star: float) -> np.ndarray:
    """loss − f*, ready for a log axis.

    The loss is float32: near f* ≠ 0 it cannot resolve gaps below one float32 ulp of |f*|, and
    rounding can even make the gap slightly negative; such gaps are shown at that resolution.
    With f* = 0 the loss is its own gap, and an exact 0 is left out (NaN): a log axis has no 0.
    """
    gap = np.asarray(loss, dtype=np.float64) - f_star
    if f_star == 0:
        return np.where(gap > 0, gap, np.nan)
    resolution = float(np.spacing(np.float32(abs(f_star))))
    return np.maximum(gap, resolution)
