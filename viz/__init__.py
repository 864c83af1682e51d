"""Descent's figures: pure functions from results to plotly figures (or plain data).

viz needs numpy and plotly only (kaleido for PNG). It never imports streamlit, jax or the engine
packages (descent, landscapes, optimizers import jax): results, runs and minima are taken
duck-typed, so `import viz` stays light and works in a notebook without the engine.

    import descent, viz

    result = descent.run(scenario)
    grid = descent.surface(scenario, resolution=120)          # (xs, ys, z)
    land = result.scenario.landscape_spec                     # the landscape, resolved once
    fig = viz.trajectory_map(result, grid, minima=land.minima, log_scale=land.log_scale)

Inputs, shared by the figure functions (all options keyword-only):

    result      a `descent.Result`: `.runs[i]` with label, optimizer, flavour, status,
                diverged_at, converged_at, path (n, 2), loss (n,), grad_norm (n,),
                learning_rate (n - 1,); `.scenario.runs[i].schedule.name` for schedules
    surface     (xs, ys, z) as returned by `descent.surface`, z[i, j] = f(xs[j], ys[i])
    minima      known minima: `landscapes.Minimum`s (point, value, glob) or the catalogue's
                dicts ({"point", "value", "global"}); () or None when none is known
    log_scale   colour (and, in 3D, height) by log10(f − f_min + ε); colour bar labelled in f
    colours     one colour per run, indexed like `result.runs` (default: `palette(n)`)
    visible     one bool per run, False leaves the run out (default: all shown)
    lecture     large fonts, thick lines, big markers
    title       figure title (default none); height: figure height in px

Public API:

    palette(n) -> list[str]
        n colour-blind-safe run colours: Okabe–Ito without its yellow, cycling.

    trajectory_map(result, surface, *, minima=(), log_scale=False, colours=None, visible=None,
                   frames=100, lecture=False, title=None, height=None, legend=True, colour_bar=True) -> go.Figure
        The landscape from above (filled contour bands with iso-lines, drawn as an image),
        minima (global: star, local: open diamond), every visible run's path, its start and its
        current point, animated together: Play at 1×/2×/4× and Pause buttons and a step slider
        (at most 25 positions) and a "step k" counter on the map, all in the browser. At most `frames`
        frames (0: no animation). A diverged run is marked "diverged at step k" at its last
        finite point. `legend`, `colour_bar`: plotly's own (a page may show map_key_html instead).

    trajectory_map_spec(result, surface, **same options) -> dict
        The same figure as a plain dict, built without plotly's validating objects (fast; for
        the app, which reruns on every change).
    map_key_html(result, surface, *, minima=(), log_scale=False, colours=None, visible=None) -> str
        The map's legend and colour scale as HTML, for a page to show next to a map drawn with
        legend=False, colour_bar=False (plotly.js measures every text of its own on each draw).
    compact(spec) -> dict
        A figure dict with its numpy arrays as plotly.js typed arrays (base64): what the app
        sends (a third of the bytes of decimal lists).

    click_point(click) -> tuple[float, float] | None
        The start a click on the map picks, from {x, y, dx, dy} (data coordinates of the click
        and the size of a pixel in them): rounded to a round spacing of about two pixels.

    surface_3d(result, surface, *, minima=(), log_scale=False, colours=None, visible=None,
               lecture=False, title=None, height=None) -> go.Figure
        The landscape as a 3D surface with the trajectories lying on it (`surface_3d_spec`: the
        same as a plain figure dict, built in a millisecond or two).

    loss_figure(result, *, minima=(), colours=None, visible=None, lecture=False, title=None,
                height=None) -> go.Figure
        Loss against step, log y; the gap loss − f* when the global minimum f* is known and not 0;
        linear when no minimum is known. Diverged runs end with a cross.
    grad_norm_figure(result, *, colours=None, visible=None, lecture=False, ...) -> go.Figure
        ‖∇f‖ against step, log y.
    learning_rate_figure(result, *, colours=None, visible=None, lecture=False, ...) -> go.Figure
        The learning rate of the runs that have a schedule (a note when none has one).
    curves_figure(result, *, minima=(), colours=None, visible=None, lecture=False, ...) -> go.Figure
        The three above stacked on one step axis, one legend.

    results_table(result, minima=()) -> list[dict]
        One row per run for st.dataframe: run, optimizer, flavour, status ("ok" or
        "diverged at step k"), final x, final y, final loss, distance to nearest minimum
        (None: no minimum known), steps to converge (None: never).

    standalone_html(fig, *, title="Descent") -> str
        A full HTML page with plotly.js inlined: plays offline.
    figure_png(fig, *, width=1000, height=800, scale=1.0) -> bytes | None
        PNG through kaleido; None when the machine has no Chrome/Chromium.
    step_sizes_spec(runs_steps, *, labels, colours, visible=None, current_step=None) -> dict
        Each coordinate's effective learning rate over the steps per run (from
        `descent.explain_steps`), and the Adam family's 1 − β^t over the first steps.
    trajectories_csv(result) -> str
        One row per (run, step): run, step, x, y, loss, grad_norm, learning_rate.

    viz.video (imported on its own: it loads Pillow, and imageio for an MP4):
    video_bytes(result, surface, *, format="gif"|"mp4", fps=None, duration=10, width=1280,
                height=720, progress=None, minima=(), log_scale=False, ...) -> bytes
        The animated map as a GIF or an MP4, drawn without a browser; progress(done, total).
"""

from viz.click import click_point
from viz.key import map_key_html
from viz.curves import curves_figure, grad_norm_figure, learning_rate_figure, loss_figure
from viz.export import figure_png, standalone_html, trajectories_csv
from viz.maps import basin_map_spec, hyperparameter_map_spec, tuning_curves_spec
from viz.palette import palette
from viz.step_sizes import step_sizes_spec
from viz.surface3d import surface_3d, surface_3d_spec
from viz.table import COLUMNS as TABLE_COLUMNS
from viz.table import results_table
from viz.trajectory_map import trajectory_map, trajectory_map_spec
from viz.wire import compact, expand

__all__ = [
    "TABLE_COLUMNS",
    "basin_map_spec",
    "hyperparameter_map_spec",
    "tuning_curves_spec",
    "click_point",
    "compact",
    "expand",
    "curves_figure",
    "figure_png",
    "grad_norm_figure",
    "map_key_html",
    "learning_rate_figure",
    "loss_figure",
    "palette",
    "results_table",
    "standalone_html",
    "step_sizes_spec",
    "surface_3d",
    "surface_3d_spec",
    "trajectories_csv",
    "trajectory_map",
    "trajectory_map_spec",
]
