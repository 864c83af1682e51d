"""Descent's figures: pure functions from results to plotly figures (or plain data).

viz needs numpy and plotly only (kaleido for PNG). It never imports streamlit, jax or the engine
packages (descent, landscapes, optimizers import jax): results, runs and minima are taken
duck-typed, so `import viz` stays light and works in a notebook without the engine.

    import descent, landscapes, viz

    result = descent.run(scenario)
    grid = descent.surface(scenario, resolution=120)          # (xs, ys, z)
    land = landscapes.get(result.scenario.landscape)
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
                   frames=100, lecture=False, click_grid=41, title=None, height=None) -> go.Figure
        The landscape from above (filled contour bands with iso-lines, drawn as an image),
        minima (global: star, local: open diamond), every visible run's path, its start and its
        current point, animated together: Play at 1×/2×/4× and Pause buttons and a step slider
        (labels are step numbers) that run in the browser, no Streamlit rerun. At most `frames`
        frames (0: no animation). A diverged run is marked "diverged at step k" at its last
        finite point. `click_grid` points per side of an invisible grid for click-to-set-start
        (0: none); use with `st.plotly_chart(fig, on_select="rerun", selection_mode="points")`.

    trajectory_map_spec(result, surface, **same options) -> dict
        The same figure as a plain dict, built without plotly's validating objects (fast; for
        the app, which reruns on every change).

    click_point(points) -> tuple[float, float] | None
        The start point a click picked, from Streamlit's `event.selection.points`; None when the
        click was not on the map's click grid.

    surface_3d(result, surface, *, minima=(), log_scale=False, colours=None, visible=None,
               lecture=False, title=None, height=None) -> go.Figure
        The landscape as a 3D surface with the trajectories lying on it.

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
    trajectories_csv(result) -> str
        One row per (run, step): run, step, x, y, loss, grad_norm, learning_rate.
"""

from viz.click import CLICK_TAG, click_point
from viz.curves import curves_figure, grad_norm_figure, learning_rate_figure, loss_figure
from viz.export import figure_png, standalone_html, trajectories_csv
from viz.palette import palette
from viz.surface3d import surface_3d
from viz.table import COLUMNS as TABLE_COLUMNS
from viz.table import results_table
from viz.trajectory_map import trajectory_map, trajectory_map_spec

__all__ = [
    "CLICK_TAG",
    "TABLE_COLUMNS",
    "click_point",
    "curves_figure",
    "figure_png",
    "grad_norm_figure",
    "learning_rate_figure",
    "loss_figure",
    "palette",
    "results_table",
    "standalone_html",
    "surface_3d",
    "trajectories_csv",
    "trajectory_map",
    "trajectory_map_spec",
]
