"""The map: the landscape seen from above, every run's trajectory on it, all runs animated
together with Play/Pause, speed buttons and a step slider.

Layout of the figure (trace order):

    colour bar          one invisible point that carries the landscape's colour bar
    path of each run    the whole trajectory, thin; its legend entry stands for the run
    start               the start point(s)
    global / local minimum
    diverged            a cross at each diverged run's last finite point (and a layout annotation,
                        "diverged at step k", pointing at it)
    trail, head of each run   the traces the frames move
    step counter        "step k" in the map's top-left corner, which the frames update too

The landscape itself is a layout image (viz.raster explains why), so frames can never remove it.

Payload: frames hold only the animated traces: each run's current point and a short trail at
full resolution behind it. There are at most `frames` frames and a trail covers about two frame
strides, so all frames together hold about two copies of each path: linear in the path length
(trails are capped for very long runs), and the surface is never repeated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from viz._types import Minimum, Surface, as_surface, global_minimum_value, plain_minima
from viz.colour import ColourScale, colourscale, format_value, landscape_scale
from viz.overlays import Overlays
from viz.raster import landscape_image
from viz.style import (Style, base_layout, coloured_label, columns, escape, name_axes_in_hover, run_colours, scatter,
                        status_text, style_for, visible_runs)

if TYPE_CHECKING:
    from viz._types import MinimumLike, ResultLike, RunLike

# Animation frames at most: playback needs no more, and the payload grows with it.
DEFAULT_FRAMES = 100
# The static path of a run is thinned beyond this many points (100,000-step runs). Up to it, the
# page builds the animation's frames from the paths themselves (a frame recipe); beyond it the
# frames travel whole (several times the bytes), so it sits above the lengths runs usually have.
MAX_PATH_POINTS = 10_000
# The trail behind the current point: about two frame strides, at least this many points ...
MIN_TRAIL_POINTS = 8
# ... and at most this many (thinned beyond), so long runs do not bloat every frame.
MAX_TRAIL_POINTS = 120
# Play buttons: (label, ms per frame). Every speed plays every frame, faster: plotly.js resumes
# ("fromcurrent") only from a frame in the button's own list, so a list that skipped frames
# restarted from step 0 after Pause or the slider left it on a skipped one.
SPEEDS: tuple[tuple[str, int], ...] = (("▶ 1×", 80), ("▶ 2×", 40), ("▶ 4×", 20))
# Positions of the step slider at most: plotly.js builds each position's label and tick on every
# draw of the figure, and with a hundred positions that was a fifth of an edit's redraw in
# Streamlit's page. Play still shows every frame; the slider's thumb follows in jumps.
SLIDER_POSITIONS = 25
# The map keeps x and y at the same scale unless the domain is more elongated than this.
MAX_EQUAL_ASPECT = 2.5


def trajectory_map(result: ResultLike, surface: Sequence[np.ndarray], **options) -> go.Figure:
    """The map as a validated `go.Figure`; the options are `trajectory_map_spec`'s."""
    return go.Figure(trajectory_map_spec(result, surface, **options))


def trajectory_map_spec(
    result: ResultLike,
    surface: Sequence[np.ndarray],
    *,
    minima: Sequence[MinimumLike | Mapping[str, Any]] | None = (),
    log_scale: bool = False,
    colours: Sequence[str] | None = None,
    visible: Sequence[bool] | None = None,
    frames: int = DEFAULT_FRAMES,
    lecture: bool = False,
    title: str | None = None,
    height: int | None = None,
    legend: bool = True,
    colour_bar: bool = True,
    overlays: Mapping[str, Any] | None = None,
    frame_recipe: bool = False,
    axes: Sequence[str] = ("x", "y"),
) -> dict:
    """The landscape from above with every visible run's trajectory, animated, as a plain
    figure dict (what plotly.js receives; `trajectory_map` wraps it in a go.Figure).

    The dict form exists for speed: go.Figure validates and deep-copies every frame, which
    took ~0.3 s of a 0.4 s app rerun; the dict is built in a few milliseconds and is valid by
    construction (tests build the go.Figure from it, which validates it).

    result      a `descent.Result` (duck-typed: `.runs` of RunResult-likes)
    surface     `descent.surface(...)`'s (xs, ys, z)
    minima      known minima (`landscapes.Minimum`s or catalogue dicts); global ones are stars,
                local ones open diamonds
    log_scale   colour log10(f − f_min + ε) instead of f (the landscape's `log_scale`)
    colours     one colour per run (default `palette(len(result.runs))`)
    visible     one bool per run; hidden runs are left out (None: all)
    frames      maximum number of animation frames (steps are subsampled); 0: no animation
    lecture     large fonts, thick lines, big markers
    title       figure title; height in px (default: plotly's / Streamlit's)
    legend, colour_bar   plotly's own legend and colour bar (a page may show `viz.map_key_html`
                instead, which costs the browser far less on every redraw)
    overlays    {"run": index, "steps": descent.explain_steps(scenario, run=index), "kinds": [...]}:
                arrows for −gradient, momentum and the step taken, and the η_eff box of adaptive
                methods, at the run's animated point, one scale per kind (viz.overlays)
    frame_recipe  instead of "frames", a "frame_recipe" from which the page builds the very same
                frames out of the path traces (see `frame_recipe`), where every path is whole
    axes        the two coordinates' names, the axis titles (a data landscape's: w, b)
    """
    style = style_for(lecture)
    grid = as_surface(surface)
    known = plain_minima(minima)
    scale = landscape_scale(grid.z, log_scale=log_scale, minimum_value=global_minimum_value(known))
    runs = visible_runs(result, visible)
    colour_of = run_colours(result, colours)

    # Traces, layout and frames are plain dicts: plotly's objects validate (and copy) on every
    # construction, which cost more than everything else in an app rerun.
    traces: list = []
    bar = _colour_bar_trace(grid, scale, style)
    bar["marker"]["showscale"] = colour_bar
    traces.append(bar)
    for index, run in runs:
        traces.append(_path_trace(index, run, colour_of[index], style))
    starts = [run.path[0] for _, run in runs if len(run.path)]
    if starts:
        traces.append(_start_trace(np.asarray(starts), style))
    traces += _minima_traces(known, style)
    diverged = [(i, run) for i, run in runs if run.status == "diverged" and len(run.path)]
    notes: list[dict] = []
    if diverged:
        cross, notes = _diverged_marks(diverged, colour_of, grid, style)
        traces.append(cross)

    steps = frame_steps(runs, frames)
    trail = _trail_length(steps)
    first_animated = len(traces)
    last_step = int(steps[-1]) if len(steps) else None
    for index, run in runs:
        traces += _animated_traces(index, run, colour_of[index], style, last_step, trail)
    if len(steps) > 1:
        traces.append(_step_counter(grid, last_step, style))
    state = _overlays(overlays, result, runs, grid)
    if state is not None:
        shown = min(last_step if last_step is not None else 0, len(state.path) - 1)
        traces += state.traces(shown)
    animated = list(range(first_animated, len(traces)))

    layout = _map_layout(grid, scale, style, title, height, legend_above=legend and not lecture, axes=axes)
    layout["showlegend"] = legend
    layout["annotations"] = notes
    frame_list: list[dict] = []
    recipe = None
    if len(steps) > 1:
        extra = None if state is None else state.at_steps(np.minimum(steps, len(state.path) - 1))
        if frame_recipe and all(len(run.path) <= MAX_PATH_POINTS for _, run in runs):
            recipe = _recipe(steps, trail, animated, path_traces=list(range(1, 1 + len(runs))), extra=extra)
        else:
            frame_list = [_frame(runs, int(s), trail, animated, counter=True, name=f) for f, s in enumerate(steps)]
            for frame, more in zip(frame_list, extra or ()):
                frame["data"] += more
        # Frames are named by their place, not their step: another number of steps then leaves the
        # layout (buttons, slider) as it was, and the page moves the runs without redrawing it.
        names = [str(f) for f in range(len(steps))]
        layout["updatemenus"] = [_play_buttons(names, style)]
        layout["sliders"] = [_step_slider(slider_steps(np.arange(len(steps))), style)]
        layout["margin"]["b"] = 130
    if lecture:
        _beside_the_map(layout, bar)
    name_axes_in_hover(traces, axes)
    if recipe is not None:
        return {"data": traces, "layout": layout, "frame_recipe": recipe}
    return {"data": traces, "layout": layout, "frames": frame_list}


def _recipe(steps: np.ndarray, trail: int, animated: list[int], path_traces: list[int], extra: list | None) -> dict:
    """What the page needs to build the animation's frames itself (ui.live_chart's
    `expandFrames`), by the rule of `_frame`: for each step, each run's trail (the path's points
    `thinned_indices(max(0, k − trail + 1), k, MAX_TRAIL_POINTS)` with k = min(step, last
    index)) and its current point, then the step counter, then `extra` (the overlays at that
    step). Frames were two thirds of the map's bytes, and each of them repeats points the path
    traces already carry."""
    recipe = {"steps": [int(s) for s in steps], "trail": int(trail), "max_points": MAX_TRAIL_POINTS,
              "paths": path_traces, "traces": animated, "counter": True}  # fmt: skip
    if extra is not None:
        recipe["extra"] = extra
    return recipe


def expand_frame_recipe(spec: dict) -> dict:
    """The spec with its "frame_recipe" turned into "frames", as the page does (for tools and
    tests that read a figure the app sent)."""
    recipe = spec.get("frame_recipe")
    if recipe is None:
        return spec
    paths = [np.column_stack([np.asarray(spec["data"][i]["x"], np.float32), np.asarray(spec["data"][i]["y"], np.float32)])
             for i in recipe["paths"]]  # fmt: skip
    runs = [(i, _Path(path)) for i, path in enumerate(paths)]
    frames = [_frame(runs, step, recipe["trail"], recipe["traces"], counter=recipe["counter"], name=f)
              for f, step in enumerate(recipe["steps"])]  # fmt: skip
    for frame, more in zip(frames, recipe.get("extra") or ()):
        frame["data"] += more
    out = {key: value for key, value in spec.items() if key != "frame_recipe"}
    out["frames"] = frames
    return out


class _Path:
    """A run as `_frame` reads it: its path."""

    def __init__(self, path: np.ndarray):
        self.path = path


def _overlays(overlays, result, runs, grid) -> Overlays | None:
    """The selected run's state overlays (`overlays`: {"run": index, "steps": its
    descent.explain_steps, "kinds": some of viz.overlays.KINDS}), None when off or hidden."""
    if not overlays or not overlays.get("kinds"):
        return None
    index = int(overlays["run"])
    if index not in {i for i, _ in runs}:
        return None
    run = result.runs[index]
    span = min(float(grid.xs[-1] - grid.xs[0]), float(grid.ys[-1] - grid.ys[0]))
    state = Overlays(overlays["steps"], run.path, overlays["kinds"], span, run.label)
    return state if state.kinds else None


def frame_steps(runs: Sequence[tuple[int, RunLike]], frames: int) -> np.ndarray:
    """The steps the animation shows: at most `frames`, evenly spread from 0 to the last step of
    the longest visible run (a diverged run stays at its last point after it ends)."""
    lengths = [len(run.path) for _, run in runs]
    if not lengths or max(lengths) == 0 or frames <= 0:
        return np.zeros(0, dtype=int)
    count = min(int(frames), max(lengths))
    return np.unique(np.rint(np.linspace(0, max(lengths) - 1, count)).astype(int))


def thinned_indices(start: int, stop: int, max_points: int) -> np.ndarray:
    """Indices start..stop (inclusive) with at most about `max_points`, always keeping `stop`.

    The stride is odd: an optimizer that zig-zags across a valley alternates sides every step,
    and an even stride would keep only one side of the zig-zag.
    """
    count = stop - start + 1
    if count <= max_points:
        return np.arange(start, stop + 1)
    stride = math.ceil(count / max_points)
    stride += stride % 2 == 0
    kept = np.arange(stop, start - 1, -stride)[::-1]  # counted back from stop, so stop is kept
    return kept


def _trail_length(steps: np.ndarray) -> int:
    """Points in the trail: about two frame strides, between MIN and MAX_TRAIL_POINTS."""
    if len(steps) < 2:
        return MIN_TRAIL_POINTS
    stride = (steps[-1] - steps[0]) / (len(steps) - 1)
    return max(MIN_TRAIL_POINTS, math.ceil(2 * stride) + 1)


def _trail_and_head(run: RunLike, step: int, trail: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The trail (points up to `step`) and the current point; a run that ended earlier (it
    diverged) stays at its last point. Returns (trail, head, step shown)."""
    n = len(run.path)
    if n == 0:
        empty = np.zeros((0, 2), dtype=np.float32)
        return empty, empty, 0
    shown = min(step, n - 1)
    kept = thinned_indices(max(0, shown - trail + 1), shown, MAX_TRAIL_POINTS)
    path = np.asarray(run.path, dtype=np.float32)
    return path[kept], path[shown : shown + 1], shown


def _frame(runs: Sequence[tuple[int, RunLike]], step: int, trail: int, animated: list[int], counter: bool, name: int) -> dict:
    """The `name`-th frame of the animation: the runs at `step`."""
    data = []
    for _, run in runs:
        points, head, shown = _trail_and_head(run, step, trail)
        (x, y), (hx, hy) = columns(points), columns(head)
        data.append({"x": x, "y": y})
        data.append({"x": hx, "y": hy, "text": [f"step {shown}"] if len(head) else []})
    if counter:
        data.append({"text": [f"step {step}"]})
    # Items name no trace type: plotly.js merges each into the trace it animates (a scatter).
    # `traces` names the animated traces: without it a frame's data would overwrite traces
    # 0, 1, ... (the colour bar, the paths), and the frame keeps every other trace as it is.
    return {"name": str(name), "data": data, "traces": animated}


def _step_counter(grid: Surface, step: int, style: Style) -> dict:
    """The step the map shows, in its top-left corner; the frames update it as the runs move."""
    inset_x, inset_y = 0.015 * (grid.xs[-1] - grid.xs[0]), 0.01 * (grid.ys[-1] - grid.ys[0])  # clear of the axes' labels
    return scatter(
        x=np.array([grid.xs[0] + inset_x], dtype=np.float32), y=np.array([grid.ys[-1] - inset_y], dtype=np.float32), mode="text",
        text=[f"step {step}"], textposition="bottom right", hoverinfo="skip", showlegend=False, name="step counter",
        textfont={"size": style.font_size + 2, "color": "#111111", "shadow": "1px 1px 2px #ffffff"},
    )


def _animated_traces(index: int, run: RunLike, colour: str, style: Style, step: int | None, trail: int) -> list[dict]:
    """The trail and the current point, showing `step` (the last frame) before any playback, so
    the still figure (and its PNG) shows where every run ended."""
    points, head, shown = _trail_and_head(run, len(run.path) if step is None else step, trail)
    (x, y), (hx, hy) = columns(points), columns(head)
    group = f"run{index}"
    trail_trace = scatter(
        x=x, y=y, mode="lines", line={"color": colour, "width": style.trail_width},
        legendgroup=group, showlegend=False, hoverinfo="skip", name=f"{run.label} (trail)",
    )
    head_trace = scatter(
        x=hx, y=hy, mode="markers", text=[f"step {shown}"] if len(head) else [],
        marker={"color": colour, "size": style.head_size, "line": {"color": "#ffffff", "width": 1.5}},
        selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}},
        legendgroup=group, showlegend=False, name=run.label,
        hovertemplate=f"<b>{escape(run.label)}</b><br>%{{text}}<br>x = %{{x:.4g}}, y = %{{y:.4g}}<extra></extra>",
    )
    return [trail_trace, head_trace]


def _path_trace(index: int, run: RunLike, colour: str, style: Style) -> dict:
    """The whole trajectory, thin and slightly faded so the moving trail stands out."""
    path = np.asarray(run.path, dtype=np.float32)
    kept = thinned_indices(0, len(path) - 1, MAX_PATH_POINTS) if len(path) else np.zeros(0, int)
    label = escape(run.label)
    # pointNumber is the step only while no point was thinned out.
    where = "step %{pointNumber}<br>" if len(kept) == len(path) else ""
    return scatter(
        x=path[kept, 0], y=path[kept, 1], mode="lines", legendgroup=f"run{index}",
        name=coloured_label(run.label, colour), meta=run.label,
        line={"color": colour, "width": style.path_width}, opacity=0.75,
        hovertemplate=f"<b>{label}</b><br>{where}x = %{{x:.4g}}, y = %{{y:.4g}}<extra></extra>",
    )


def _start_trace(starts: np.ndarray, style: Style) -> dict:
    x, y = columns(np.unique(starts.astype(np.float32), axis=0))
    return scatter(
        x=x, y=y, mode="markers", name="start",
        marker={"symbol": "circle", "size": style.marker_size, "color": "#ffffff", "line": {"color": "#000000", "width": 2.5}},
        selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}},
        hovertemplate="start<br>x = %{x:.4g}, y = %{y:.4g}<extra></extra>",
    )


def _minima_traces(minima: Sequence[Minimum], style: Style) -> list[dict]:
    """Global minima as white stars, local ones as open diamonds: told apart by shape, not colour."""
    traces = []
    for is_global, name, marker in (
        (True, "global minimum", {"symbol": "star", "size": style.marker_size + 6, "color": "#ffffff", "line": {"color": "#000000", "width": 1.5}}),
        (False, "local minimum", {"symbol": "diamond-open", "size": style.marker_size, "color": "#000000", "line": {"width": 2}}),
    ):
        chosen = [m for m in minima if m.is_global == is_global]
        if not chosen:
            continue
        if all(m.found for m in chosen):
            name += " (found numerically)"
        traces.append(scatter(
            x=np.array([m.x for m in chosen], dtype=np.float32), y=np.array([m.y for m in chosen], dtype=np.float32),
            mode="markers", name=name, marker=marker, text=[format_value(m.value) for m in chosen],
            selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}},
            hovertemplate=f"{name}<br>x = %{{x:.4g}}, y = %{{y:.4g}}<br>f = %{{text}}<extra></extra>",
        ))
    return traces


def _diverged_marks(diverged: Sequence[tuple[int, RunLike]], colour_of: Sequence[str], grid: Surface,
                    style: Style) -> tuple[dict, list[dict]]:
    """A cross at each diverged run's last finite point, and a label "diverged at step k"
    pointing at it (an annotation: boxed, so it reads on any part of the landscape).

    A run that diverged usually left the map first; its cross is then pinned to the map's edge
    (the hover gives the true point) so the message stays on screen.
    """
    (x0, x1), (y0, y1) = (grid.xs[0], grid.xs[-1]), (grid.ys[0], grid.ys[-1])
    xs, ys, hovers, colours, notes = [], [], [], [], []
    for index, run in diverged:
        x, y = (float(v) for v in run.path[-1])
        px, py = float(np.clip(x, x0, x1)), float(np.clip(y, y0, y1))
        xs.append(px)
        ys.append(py)
        hovers.append(f"<b>{escape(run.label)}</b><br>{status_text(run)}<br>last finite point: x = {x:.4g}, y = {y:.4g}")
        colours.append(colour_of[index])
        # The label sits on the side of the cross that faces the middle of the map.
        towards_x = -1 if px > (x0 + x1) / 2 else 1
        towards_y = -1 if py > (y0 + y1) / 2 else 1
        notes.append({
            "x": px, "y": py, "xref": "x", "yref": "y", "text": status_text(run),
            "showarrow": True, "arrowhead": 0, "arrowwidth": 1.5, "arrowcolor": colour_of[index],
            "ax": 30 * towards_x, "ay": -30 * towards_y,  # ay is in screen px, down is positive
            "xanchor": "left" if towards_x > 0 else "right",
            "font": {"size": style.font_size, "color": "#222222"},
            "bgcolor": "rgba(255, 255, 255, 0.85)", "bordercolor": colour_of[index], "borderwidth": 2, "borderpad": 3,
            "name": f"diverged:{run.label}",
        })
    cross = scatter(
        x=np.array(xs, dtype=np.float32), y=np.array(ys, dtype=np.float32), mode="markers", name="diverged",
        hovertext=hovers, hoverinfo="text",
        marker={"symbol": "x", "size": style.marker_size + 2, "color": colours, "line": {"color": "#000000", "width": 1}},
        selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}},
        cliponaxis=False,  # a cross pinned to the edge is drawn whole
    )
    return cross, notes


def _colour_bar_trace(grid: Surface, scale: ColourScale, style: Style) -> dict:
    """One transparent point whose only job is the landscape's colour bar (an image has none)."""
    return scatter(
        x=np.array([grid.xs[0]], dtype=np.float32), y=np.array([grid.ys[0]], dtype=np.float32), mode="markers",
        marker={"color": [scale.low], "cmin": scale.low, "cmax": scale.high, "colorscale": colourscale(),
                "showscale": True, "colorbar": scale.colorbar(style), "opacity": 0, "size": 1},
        hoverinfo="skip", showlegend=False, name="colour scale",
    )


def _map_layout(grid: Surface, scale: ColourScale, style: Style, title: str | None, height: int | None,
                legend_above: bool, axes: Sequence[str] = ("x", "y")) -> dict:
    (x0, x1), (y0, y1) = (float(grid.xs[0]), float(grid.xs[-1])), (float(grid.ys[0]), float(grid.ys[-1]))
    layout = base_layout(style, title, legend_above=legend_above)
    # Fixed ranges: a diverging run would otherwise zoom the map out to 1e6, and an autoranging
    # axis jumps during playback.
    # Fonts spelled out: Streamlit's theme would otherwise shrink the tick labels in lecture mode.
    fonts = {"tickfont": {"size": style.font_size}}
    xaxis = {"title": {"text": axes[0], "font": {"size": style.font_size}}, "range": [x0, x1], "showgrid": False,
             "zeroline": False, "constrain": "domain", **fonts}
    yaxis = {"title": {"text": axes[1], "font": {"size": style.font_size}}, "range": [y0, y1], "showgrid": False,
             "zeroline": False, "constrain": "domain", **fonts}
    aspect = (x1 - x0) / (y1 - y0) if y1 > y0 else 1.0
    if 1 / MAX_EQUAL_ASPECT <= aspect <= MAX_EQUAL_ASPECT:
        yaxis["scaleanchor"] = "x"  # same scale on both axes: circles look like circles
        yaxis["scaleratio"] = 1
    layout.update(
        xaxis=xaxis,
        yaxis=yaxis,
        images=[landscape_image(grid, scale, line_width=style.contour_line_width)],
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0, "xanchor": "left",
                "font": {"size": style.font_size}, "itemwidth": 40},
        plot_bgcolor="#ffffff",
    )
    if height:
        layout["height"] = height
    return layout


def _beside_the_map(layout: dict, colour_bar: dict) -> None:
    """Lecture mode: a projector or a slide is short and wide, and the map is as large as the
    height allows; so the colour bar, the legend and the Play buttons share the room right of
    the map, one above the other, and only the step slider stays under it."""
    colour_bar["marker"]["colorbar"].update(len=0.45, lenmode="fraction", y=1, yanchor="top")
    layout["legend"].update(orientation="v", x=1.02, xanchor="left", y=0.52, yanchor="top", tracegroupgap=0)
    if "updatemenus" in layout:
        layout["updatemenus"][0].update(x=1.02, xanchor="left", y=0, yanchor="top", pad={"t": 40, "r": 0})
        layout["sliders"][0].update(x=0, len=1, pad={"t": 70, "b": 0})
        layout["margin"]["b"] = 150


def _play_buttons(names: Sequence[str], style: Style) -> dict:
    """Play at 1×, 2× or 4×, and Pause; all of it runs in the browser (no Streamlit rerun)."""
    buttons = [
        {"label": label, "method": "animate",
         "args": [list(names), {"frame": {"duration": duration, "redraw": False}, "transition": {"duration": 0},
                                "mode": "immediate", "fromcurrent": True}]}
        for label, duration in SPEEDS
    ]  # fmt: skip
    buttons.append({
        "label": "❚❚ Pause",
        "method": "animate",
        "args": [[None], {"frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}, "mode": "immediate"}],
    })
    return {
        "type": "buttons", "direction": "left", "showactive": False, "buttons": buttons,
        "x": 0, "xanchor": "left", "y": 0, "yanchor": "top", "pad": {"t": 75, "r": 10},
        "font": {"size": style.font_size},
    }


def slider_steps(steps: np.ndarray, positions: int = SLIDER_POSITIONS) -> np.ndarray:
    """At most `positions` of the frames' steps, evenly spread, the first and the last included."""
    if len(steps) <= positions:
        return steps
    return steps[np.unique(np.rint(np.linspace(0, len(steps) - 1, positions)).astype(int))]


def _step_slider(steps: np.ndarray, style: Style) -> dict:
    """A slider over (some of) the frames, without labels: the step counter on the map tells
    the step. plotly.js builds and measures a text label for each of the slider's positions, and
    again for its "current value", on every draw of the figure: with a hundred labelled
    positions that was over 100 ms of each redraw in Streamlit's page."""
    return {
        "active": len(steps) - 1,
        "steps": [
            {"label": "", "method": "animate",
             "args": [[str(int(s))], {"frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}, "mode": "immediate"}]}
            for s in steps
        ],
        "currentvalue": {"visible": False},
        "font": {"size": 8},
        "x": 0.42, "len": 0.58, "pad": {"t": 50, "b": 0},  # beside the buttons
        "y": 0, "yanchor": "top",
        "transition": {"duration": 0},
    }
