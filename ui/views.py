"""The main area: the map, the 3D surface, the curves, the table and "copy as code".

Tabs run lazily (`on_change="rerun"`): only the open tab builds its figure, so a rerun costs
one figure, not five.
"""

from __future__ import annotations

import streamlit as st

import optimizers
import viz
from descent import Result, Scenario
from optimizers import code
from optimizers.spec import FLAVOUR_TITLES
from ui import charts, state
from ui.links import VIEWS, Options

CHART_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
MAP_KEY = "map"

# Shown while a session's first run compiles: an empty plot with one line of text.
LOADING_SPEC = {
    "data": [],
    "layout": {
        "xaxis": {"visible": False},
        "yaxis": {"visible": False},
        "annotations": [{"text": "Computing the trajectories…", "showarrow": False, "font": {"size": 16}}],
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "height": 120,
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


def map_spec(scene: Scenario, opts: Options, result: Result, grid) -> dict:
    return viz.trajectory_map_spec(result, grid, log_scale=scene.landscape_spec.log_scale, **figure_inputs(scene, opts))


def map_figure(scene: Scenario, opts: Options, result: Result, grid):
    """The validated go.Figure (for exports, where a few hundred milliseconds do not matter)."""
    return viz.trajectory_map(result, grid, log_scale=scene.landscape_spec.log_scale, **figure_inputs(scene, opts))


def render(scene: Scenario, opts: Options, result: Result, grid, coarse_grid) -> str:
    """Draw the tabs; the name of the open one. `coarse_grid()` gives the 3D view's grid."""
    tabs = st.tabs(VIEWS, key=state.VIEW, on_change="rerun")
    shared = figure_inputs(scene, opts)
    # In lecture mode the page's stylesheet sizes the charts to the window.
    height = "content" if opts.lecture else 720
    with tabs[0]:
        if tabs[0].open:
            charts.plotly_chart(map_spec(scene, opts, result, grid), key=MAP_KEY, on_select="rerun",
                                selection_mode="points", config=CHART_CONFIG, height=height)  # fmt: skip
            if not opts.lecture:
                st.caption("Play animates every run together; the slider scrubs through the steps. "
                           "Click anywhere on the map to start the runs there.")  # fmt: skip
    with tabs[1]:
        if tabs[1].open:
            fig = viz.surface_3d(result, coarse_grid(), log_scale=scene.landscape_spec.log_scale, **shared)
            st.plotly_chart(fig, config=CHART_CONFIG, height=height)
    with tabs[2]:
        if tabs[2].open:
            st.plotly_chart(viz.curves_figure(result, **shared), config=CHART_CONFIG)
    with tabs[3]:
        if tabs[3].open:
            rows = viz.results_table(result, scene.landscape_spec.minima)
            shown = [{k: ("—" if v is None else v) for k, v in row.items()} for row in rows]
            st.dataframe(shown, hide_index=True, width="stretch")
    with tabs[4]:
        if tabs[4].open:
            _code_tab(scene, opts)
    return st.session_state.get(state.VIEW) or VIEWS[0]


def _code_tab(scene: Scenario, opts: Options) -> None:
    labels = [run.display_label for run in scene.runs]
    k = state.key("code_run")
    if k not in st.session_state:
        st.session_state[k] = min(opts.selected, len(labels) - 1)
    index = st.selectbox("Run", range(len(labels)), key=k, format_func=lambda i: labels[i])
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
