"""The main area: the map, the 3D surface, the curves, the table and "copy as code".

Views are a registry (`VIEWS`): a name (the switch's label and the URL's `view=`) and a
function that draws it. Only the chosen view is drawn, so a rerun costs one figure, not five.
The switch is a segmented control, not `st.tabs`: a tab panel watches every DOM change inside
it for focusable elements, and walked the map's whole SVG a few times on each redraw.

Figures are shared by every session through a bounded cache keyed by what they show.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

import optimizers
import viz
from descent import Result, Scenario, memo
from optimizers import code
from optimizers.spec import FLAVOUR_TITLES
from ui import eigen_view, inspector, live_chart, state, widgets
from ui.links import Options

# Figures as the browser receives them (JSON text), shared by every session that shows the same.
FIGURES: memo.SharedCache[str] = memo.SharedCache("figures", 48 * 2**20, memo.array_bytes)

CHART_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"], "responsive": True}
MAP_KEY = "map"
LOADING_KEY = "loading"
# The charts' height in px (in lecture mode they fill the window's height).
CHART_HEIGHT = 720

# Shown while a session's first run compiles: an empty plot with one line of text.
LOADING_SPEC = {
    "data": [],
    "layout": {
        "xaxis": {"visible": False},
        "yaxis": {"visible": False},
        "annotations": [{"text": "Computing the trajectories…", "showarrow": False, "font": {"size": 16}}],
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
    },
}


def figure_inputs(scene: Scenario, opts: Options) -> dict:
    """The keyword arguments every figure shares: minima, colours, visibility, lecture size."""
    ls = scene.landscape_spec
    palette = viz.palette(max(len(scene.runs), 1) + 16)
    return {
        "minima": ls.minima,
        "colours": [palette[opts.colour_of(i)] for i in range(len(scene.runs))],
        "visible": [i not in opts.hidden for i in range(len(scene.runs))],
        "lecture": opts.lecture,
    }


def _figure_key(kind: str, scene: Scenario, opts: Options) -> tuple:
    inputs = figure_inputs(scene, opts)
    overlays = (opts.overlays, opts.selected) if kind in ("map", "key") and opts.overlays else ()
    return (kind, scene, tuple(inputs["colours"]), tuple(inputs["visible"]), inputs["lecture"], overlays)


def map_spec(scene: Scenario, opts: Options, result: Result, grid, frame_recipe: bool = False) -> dict:
    """The map for the page: in lecture mode with plotly's own key beside it (no edits happen
    there), otherwise without, the key being HTML above the map (map_key), which the browser
    redraws for free. The same landscape keeps the user's zoom across edits (uirevision)."""
    overlays = inspector.map_overlays(scene, opts)
    spec = viz.trajectory_map_spec(result, grid, log_scale=scene.landscape_spec.log_scale, legend=opts.lecture,
                                   colour_bar=opts.lecture, overlays=overlays, frame_recipe=frame_recipe,
                                   axes=scene.landscape_spec.axes,
                                   **figure_inputs(scene, opts))  # fmt: skip
    spec["layout"]["uirevision"] = f"{scene.landscape}:{sorted(scene.landscape_params.items())}"
    spec["layout"]["dragmode"] = "pan"  # a click sets the start, a drag moves the view
    return spec


def map_json(scene: Scenario, opts: Options, result: Result, grid) -> str:
    return FIGURES.get(_figure_key("map", scene, opts),
                       lambda: live_chart.figure_json(live_chart.with_background(
                           viz.wire.compact_coordinates(map_spec(scene, opts, result, grid, frame_recipe=True)))))


def map_figure(scene: Scenario, opts: Options, result: Result, grid):
    """The validated go.Figure (for exports, where a few hundred milliseconds do not matter)."""
    return viz.trajectory_map(result, grid, log_scale=scene.landscape_spec.log_scale, axes=scene.landscape_spec.axes,
                              **figure_inputs(scene, opts))  # fmt: skip


@dataclass(frozen=True)
class Context:
    """What a view draws from."""

    scene: Scenario
    opts: Options
    result: Result
    grid: tuple  # the landscape on the map's grid
    coarse_grid: Callable[[], tuple]  # ... on the 3D view's coarser grid, computed when asked
    on_map_click: Callable[[], None] | None

    @property
    def figure_inputs(self) -> dict:
        return figure_inputs(self.scene, self.opts)

    @property
    def height(self) -> int | str:
        return live_chart.FILL if self.opts.lecture else CHART_HEIGHT


def map_key(scene: Scenario, opts: Options, result: Result, grid) -> str:
    """The map's legend and colour scale as HTML (shared by sessions, like the map)."""
    inputs = figure_inputs(scene, opts)

    def build() -> str:
        note, scales = inspector.overlay_scales(scene, opts, result, grid) or ("", [])
        return viz.map_key_html(result, grid, minima=inputs["minima"], log_scale=scene.landscape_spec.log_scale,
                                colours=inputs["colours"], visible=inputs["visible"], overlay_scales=scales,
                                overlay_note=note)  # fmt: skip

    return FIGURES.get(_figure_key("key", scene, opts), build)


def _map(ctx: Context) -> None:
    # The key is our own markup, run labels in it escaped (viz.key); the chart's component draws
    # it above the plot and replaces it only when it changed.
    key = "" if ctx.opts.lecture else map_key(ctx.scene, ctx.opts, ctx.result, ctx.grid)
    live_chart.chart(map_json(ctx.scene, ctx.opts, ctx.result, ctx.grid), key=MAP_KEY, height=ctx.height,
                     config=CHART_CONFIG, on_click=ctx.on_map_click, header=key)  # fmt: skip


def _surface(ctx: Context) -> None:
    def build() -> str:
        spec = viz.surface_3d_spec(ctx.result, ctx.coarse_grid(), log_scale=ctx.scene.landscape_spec.log_scale,
                                   axes=ctx.scene.landscape_spec.axes, **ctx.figure_inputs)  # fmt: skip
        spec["layout"]["uirevision"] = ctx.scene.landscape  # the camera stays where the user turned it
        return live_chart.figure_json(viz.compact(spec))  # typed arrays: the surface's 120×120 in binary

    # One WebGL pixel per screen pixel (plotly.js draws 3D at twice the resolution by default):
    # a quarter of the pixels to render on every update, which a GPU-less browser does on the CPU.
    live_chart.chart(FIGURES.get(_figure_key("3d", ctx.scene, ctx.opts), build), key="surface", height=ctx.height,
                     config=CHART_CONFIG | {"plotGlPixelRatio": 1})  # fmt: skip


def _curves(ctx: Context) -> None:
    def build() -> str:
        return live_chart.figure_json(viz.curves_figure(ctx.result, **ctx.figure_inputs).to_dict())

    figure = FIGURES.get(_figure_key("curves", ctx.scene, ctx.opts), build)
    height = panels_height(figure)
    live_chart.chart(figure, key="curves", height=height, config=CHART_CONFIG)


def panels_height(figure: str) -> int:
    """The curves figure's own height (it grows with its panels), read back from its JSON."""
    return int(json.loads(figure)["layout"].get("height") or CHART_HEIGHT)


def _table(ctx: Context) -> None:
    # A static table: the data grid of st.dataframe (a canvas with its own layout engine) took
    # twice as long as a whole map to redraw after each edit, for a dozen rows at most.
    rows = viz.results_table(ctx.result, ctx.scene.landscape_spec.minima)
    st.table(table_text(rows), border="horizontal")


def _code(ctx: Context) -> None:
    _code_view(ctx.scene, ctx.opts, ctx.result)


def _maps(ctx: Context) -> None:
    from ui import maps_view  # it reads this registry's figure cache

    maps_view.draw(ctx)


@dataclass(frozen=True)
class View:
    name: str  # the switch's label and the URL's value
    draw: Callable[[Context], None]


VIEWS: tuple[View, ...] = (
    View("Map", _map),
    View("3D", _surface),
    View("Curves", _curves),
    View("Table", _table),
    View("Code", _code),
    View("Maps", _maps),
    View("Inspector", inspector.draw),
    View("Quadratic", eigen_view.draw),
)
BY_NAME = {view.name: view for view in VIEWS}


def names() -> tuple[str, ...]:
    return tuple(view.name for view in VIEWS)


def _on_switch() -> None:
    state.set_options(view=st.session_state[state.VIEW])


def switch() -> str:
    """The view switch (drawn in a full run: switching views redraws the page); the chosen
    view's name."""
    if st.session_state.get(state.VIEW) not in BY_NAME:
        # A first run, or back from the other page (Streamlit dropped the widget's value): the
        # scene's view, which the link shows too.
        view = state.options().view
        st.session_state[state.VIEW] = view if view in BY_NAME else VIEWS[0].name
    chosen = st.segmented_control("View", names(), key=state.VIEW, required=True, label_visibility="collapsed",
                                  on_change=_on_switch)  # fmt: skip
    return BY_NAME.get(chosen, VIEWS[0]).name


def render(scene: Scenario, opts: Options, result: Result, grid, coarse_grid, on_map_click=None) -> None:
    """Draw the chosen view. `coarse_grid()` gives the 3D view's grid; `on_map_click` is called
    (before the next rerun) when the map is clicked."""
    view = BY_NAME.get(st.session_state.get(state.VIEW), VIEWS[0])
    view.draw(Context(scene, opts, result, grid, coarse_grid, on_map_click))


# How each column is written; None (no minimum known, never converged) is left empty. Every
# column is text, so no column mixes types (Arrow, which carries tables to the browser, rejects
# that, and Streamlit logged a traceback on every render when "—" stood among numbers).
TABLE_FORMATS = {"final x": "{:.6g}", "final y": "{:.6g}", "final loss": "{:.4g}",
                 "distance to nearest minimum": "{:.3g}", "steps to converge": "{:d}"}  # fmt: skip


def table_text(rows: list[dict]) -> dict[str, list[str]]:
    """The table's rows as columns of text, numbers formatted, missing values empty."""
    def cell(name: str, value) -> str:
        if value is None:
            return ""
        return TABLE_FORMATS.get(name, "{}").format(value)

    return {name: [cell(name, row[name]) for row in rows] for name in viz.TABLE_COLUMNS}


def _on_code_run() -> None:
    labels = [run.display_label for run in state.scene().runs]
    state.set_options(selected=widgets.run_index(st.session_state[state.key("code_run")], labels))


def _code_view(scene: Scenario, opts: Options, result: Result | None = None) -> None:
    labels = [run.display_label for run in scene.runs]
    index = widgets.run_select("Run", labels, state.key("code_run"), opts.selected, on_change=_on_code_run)
    state.set_options(selected=index)
    run = scene.runs[index]
    spec = optimizers.get(run.optimizer)
    hparams = run.resolved_hparams()
    schedule = (run.schedule.name, run.schedule.params)
    st.markdown(f"**{spec.title}**, {FLAVOUR_TITLES[run.flavour]} flavour: {spec.summary}")
    st.latex(spec.equations[run.flavour])
    st.caption("The same optimizer written for each framework; values that differ from that "
               "framework's defaults are spelled out, so the code reproduces this run.")  # fmt: skip
    for framework in code.FRAMEWORKS:
        st.markdown(f"**{FLAVOUR_TITLES[framework]}**")
        st.code(code.snippet(run.optimizer, hparams, schedule, framework), language="python")
    _reproduction_scripts(scene, index, result)


def file_stem(scene: Scenario) -> str:
    """A file name's landscape part: a formula's or data landscape's id holds spaces and symbols."""
    return "formula" if scene.formula is not None else scene.dataset["name"] if scene.dataset is not None else scene.landscape


def _reproduction_scripts(scene: Scenario, index: int, result: Result | None) -> None:
    """Downloads: a complete script per framework that reruns this run and prints its final
    point and loss (descent.reproduce); written only when a button is pressed."""
    from descent import reproduce

    run = scene.runs[index]
    spec = optimizers.get(run.optimizer)
    table = (result.runs[index].final_point, result.runs[index].final_loss) if result is not None else None
    st.caption("Reproduce this run: a complete script (landscape, start, noise, optimizer, schedule) that prints "
               "the final point and loss of the Table.")  # fmt: skip
    columns = st.columns(len(code.FRAMEWORKS))
    for column, framework in zip(columns, code.FRAMEWORKS):
        if framework not in spec.flavours:
            continue
        with column:
            st.download_button(f"{FLAVOUR_TITLES[framework]} script", lambda f=framework: reproduce.script(scene, index, f, table=table),
                               file_name=f"descent_{file_stem(scene)}_run{index}_{framework}.py", mime="text/x-python",
                               key=state.key(f"script_{framework}"), on_click="ignore")  # fmt: skip
