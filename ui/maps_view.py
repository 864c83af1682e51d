"""The Maps view: thousands of runs of the selected run at once (descent.maps), drawn by viz.maps.

Three maps: a hyperparameter map (two of the run's hyperparameters on the axes; a click on a
cell sets the run to its values), basins of attraction (a grid of starts; a click sets the
start) and the tuning of every run's learning rate on this scene ("Apply the best learning
rates"). The choices live in the URL (ui.map_choices). Maps are computed once per scene and
choices for every session of the server (a bounded cache), with a progress bar meanwhile.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

import descent
import optimizers
import viz
from descent import ScenarioError, maps, memo
from ui import controls, live_chart, state, widgets
from ui.map_choices import COLOURS, KINDS, MapChoices

# Map records (NumPy arrays: a 200×200 map ~0.6 MB, a 512×512 basin map ~4 MB), shared by sessions.
MAPS: memo.SharedCache = memo.SharedCache("maps", 32 * 2**20, memo.array_bytes)
CHART_KEY = "maps_chart"
# The natural second axis of a hyperparameter map, the first of these the run has.
SECOND_AXES = ("momentum", "beta1", "rho", "beta2", "initial_accumulator_value", "epsilon", "weight_decay")
RESOLUTIONS = (32, 64, 128, 256, 512)


def _choices() -> MapChoices:
    return state.options().maps


def _set(**changes) -> None:
    state.set_options(maps=replace(_choices(), **changes))


def natural_y(run: descent.Run, x: str) -> str:
    numeric = optimizers.get(run.optimizer).numeric(run.flavour)
    for name in SECOND_AXES + numeric:
        if name in numeric and name != x:
            return name
    return ""


def axes(scene: descent.Scenario, index: int, choices: MapChoices) -> tuple[maps.Axis, maps.Axis | None]:
    """The map's axes: the chosen hyperparameters over the chosen ranges (their slider ranges by
    default), `choices.side` values each. Raises ScenarioError for names the run lacks."""
    run = scene.runs[index]
    x = maps.default_axis(scene, choices.x, choices.side, run=index)
    if choices.x_range is not None:
        x = replace(x, low=choices.x_range[0], high=choices.x_range[1])
    y_name = choices.y or natural_y(run, x.name)
    y = None
    if y_name:
        y = maps.default_axis(scene, y_name, choices.side, run=index, where="y")
        if choices.y_range is not None:
            y = replace(y, low=choices.y_range[0], high=choices.y_range[1])
    return x, y


def map_key(scene: descent.Scenario, index: int, choices: MapChoices) -> tuple:
    """What a map depends on, and nothing else (the colouring is the figure's, not the map's)."""
    if choices.kind == "hyper":
        return ("hyper", scene, index, *axes(scene, index, choices))
    if choices.kind == "basin":
        # A basin map runs from a grid of starts: the scene's own start plays no part, and a click
        # on the map (which moves it) must not compute the map again.
        starts_apart = scene.replace(start=scene.landscape_spec.start, runs=tuple(replace(r, start=None) for r in scene.runs))
        return ("basin", starts_apart, index, choices.resolution)
    return ("tune", scene, choices.rates, choices.n_rates)


def compute(key: tuple, progress=None):
    """The map record for `key` (from the shared cache, or computed with `progress`)."""
    kind, scene = key[0], key[1]

    def build():
        if kind == "hyper":
            _, _, index, x, y = key
            return descent.hyperparameter_map(scene, index, x=x, y=y, progress=progress)
        if kind == "basin":
            _, _, index, resolution = key
            return descent.basin_map(scene, index, resolution=resolution, progress=progress)
        _, _, (low, high), n = key
        return descent.tune_learning_rates(scene, low, high, n=n, progress=progress)

    return MAPS.get(key, build)


def _record_with_progress(key: tuple):
    if key in MAPS:
        return compute(key)
    bar = st.progress(0.0, text="Computing the map…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Computing the map… {done}/{total} chunks")

    try:
        return compute(key, progress)
    finally:
        bar.empty()


def figure_json(key: tuple, record, ctx) -> str:
    from ui import views  # the registry imports this module

    choices = ctx.opts.maps
    inputs = ctx.figure_inputs

    def build() -> str:
        if key[0] == "hyper":
            spec = viz.hyperparameter_map_spec(record, colour=choices.colour, lecture=ctx.opts.lecture)
            spec = live_chart.with_background(spec, pixelated=True)
        elif key[0] == "basin":
            spec = viz.basin_map_spec(record, ctx.coarse_grid(), log_scale=ctx.scene.landscape_spec.log_scale,
                                      lecture=ctx.opts.lecture)  # fmt: skip
            spec = live_chart.with_background(spec)
        else:
            spec = viz.tuning_curves_spec(record, colours=inputs["colours"], lecture=ctx.opts.lecture)
        spec["layout"]["uirevision"] = key[0]
        return live_chart.figure_json(spec)

    return views.FIGURES.get(("maps", key, choices.colour, tuple(inputs["colours"]), ctx.opts.lecture), build)


# -- callbacks ------------------------------------------------------------------------------------


def _on_kind() -> None:
    _set(kind=st.session_state[state.key("maps:kind")] or "hyper")


def _on_run() -> None:
    labels = [run.display_label for run in state.scene().runs]
    state.set_options(selected=widgets.run_index(st.session_state[state.key("maps:run")], labels))


def _on_axis(which: str) -> None:
    name = st.session_state[state.key(f"maps:{which}")]
    _set(**{which: name, f"{which}_range": None})


def _on_range(which: str, name: str) -> None:
    low = float(st.session_state[state.key(f"maps:{which}:{name}:low")])
    high = float(st.session_state[state.key(f"maps:{which}:{name}:high")])
    if low < high:
        _set(**{f"{which}_range": (low, high)})
    else:
        state.notice(f"The {which} range needs low < high (got {low:g} and {high:g}); it was not changed.")


def _on_value(field: str, widget: str, convert=lambda v: v) -> None:
    _set(**{field: convert(st.session_state[state.key(widget)])})


def _on_rates() -> None:
    low = float(st.session_state[state.key("maps:lr:low")])
    high = float(st.session_state[state.key("maps:lr:high")])
    if 0 < low < high:
        _set(rates=(low, high))
    else:
        state.notice(f"The learning-rate range needs 0 < low < high (got {low:g} and {high:g}); it was not changed.")


def _apply_scene(scene: descent.Scenario) -> None:
    """A new scene from the maps: every control drawn anew from it, the view kept."""
    state.replace_scene(scene)
    state.refresh(state.LANDSCAPE_PART, state.START_PART, state.RUNS_PART)


def _on_click() -> None:
    """A click on a hyperparameter map sets the run to that cell's values; on a basin map it
    sets the start."""
    click = getattr(st.session_state.get(CHART_KEY), "click", None)
    scene, opts = state.scene(), state.options()
    choices = opts.maps
    if choices.kind == "basin":
        controls.start_at_click(click)
        return
    if choices.kind != "hyper":
        return
    index = min(opts.selected, len(scene.runs) - 1)
    key = map_key(scene, index, choices)
    if key not in MAPS:
        return
    values = cell_values(MAPS.get(key, lambda: None), click)
    if values is None:
        return
    try:
        new = with_values(scene, index, values)
    except ScenarioError as e:
        state.notice(f"That cell's values could not be applied: {e}.")
        return
    _apply_scene(new)


def cell_values(record: maps.HyperparameterMap, click) -> dict[str, float] | None:
    """The hyperparameters of the cell a click {x, y} (axis units: log10 on a log axis) lands
    nearest, rounded to 4 significant digits; None for anything else."""
    try:
        x, y = float(click["x"]), float(click.get("y", 0.0))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    i = 0 if record.y is None else viz.maps.nearest_cell(record.ys, y, record.y.log)
    j = viz.maps.nearest_cell(record.xs, x, record.x.log)
    if i < 0 or j < 0:
        return None
    return {name: float(f"{v:.4g}") for name, v in record.values_at(i, j).items()}


def with_values(scene: descent.Scenario, index: int, values: dict[str, float]) -> descent.Scenario:
    """The scene with run `index` set to `values` (validated: ScenarioError names the field)."""
    runs = list(scene.runs)
    runs[index] = replace(runs[index], hparams={**dict(runs[index].hparams), **values})
    return scene.replace(runs=tuple(runs))


def _on_apply_tuning() -> None:
    scene, choices = state.scene(), state.options().maps
    record = compute(("tune", scene, choices.rates, choices.n_rates))
    _apply_scene(record.applied())


# -- drawing --------------------------------------------------------------------------------------


def _seeded(name: str, value) -> str:
    key = state.key(name)
    widgets.seed(key, value)
    return key


def _hyper_controls(scene: descent.Scenario, index: int, choices: MapChoices, x: maps.Axis, y: maps.Axis | None) -> None:
    run = scene.runs[index]
    numeric = list(optimizers.get(run.optimizer).numeric(run.flavour))
    columns = st.columns([2, 2, 2, 2, 2, 2])
    with columns[0]:
        st.selectbox("x axis", numeric, key=_seeded("maps:x", x.name), on_change=_on_axis, args=("x",))
    if y is not None:
        with columns[1]:
            st.selectbox("y axis", [n for n in numeric if n != x.name], key=_seeded("maps:y", y.name), on_change=_on_axis, args=("y",))
    for column, which, axis in ((columns[2], "x", x), (columns[3], "y", y)):
        if axis is None:
            continue
        with column:
            low, high = st.columns(2)
            fmt = "%.3g" if axis.log else "%.3f"
            widgets.number_box(low, f"{which} from", _seeded(f"maps:{which}:{axis.name}:low", float(axis.low)),
                               format=fmt, on_change=_on_range, args=(which, axis.name))  # fmt: skip
            widgets.number_box(high, f"{which} to", _seeded(f"maps:{which}:{axis.name}:high", float(axis.high)),
                               format=fmt, on_change=_on_range, args=(which, axis.name))  # fmt: skip
    with columns[4]:
        sides = sorted({16, 32, 64, 100, 128, 200, choices.side})
        st.select_slider("cells per axis", sides, key=_seeded("maps:side", choices.side), on_change=_on_value,
                         args=("side", "maps:side", int))  # fmt: skip
    with columns[5]:
        st.radio("colour", COLOURS, key=_seeded("maps:colour", choices.colour), horizontal=True,
                 format_func={"loss": "final loss", "steps": "steps"}.get, on_change=_on_value,
                 args=("colour", "maps:colour"))  # fmt: skip


def draw(ctx) -> None:
    """The view (ui.views registry entry "Maps")."""
    scene, opts = ctx.scene, ctx.opts
    choices = opts.maps
    index = min(opts.selected, len(scene.runs) - 1)
    top = st.columns([3, 2])
    with top[0]:
        st.segmented_control("Map", list(KINDS), format_func=KINDS.get, key=_seeded("maps:kind", choices.kind),
                             required=True, on_change=_on_kind, label_visibility="collapsed")  # fmt: skip
    if choices.kind != "tune":
        labels = [run.display_label for run in scene.runs]
        with top[1]:
            widgets.run_select("Run", labels, state.key("maps:run"), index, on_change=_on_run, label_visibility="collapsed")
    try:
        key = map_key(scene, index, choices)
        if choices.kind == "hyper":
            _hyper_controls(scene, index, choices, key[3], key[4])
        elif choices.kind == "basin":
            resolutions = sorted({*RESOLUTIONS, choices.resolution})
            st.select_slider("starts per side", resolutions, key=_seeded("maps:res", choices.resolution), on_change=_on_value,
                             args=("resolution", "maps:res", int))  # fmt: skip
        else:
            low, high, n, apply = st.columns([2, 2, 3, 3])
            widgets.number_box(low, "learning rate from", _seeded("maps:lr:low", choices.rates[0]), format="%.3g", on_change=_on_rates)
            widgets.number_box(high, "learning rate to", _seeded("maps:lr:high", choices.rates[1]), format="%.3g", on_change=_on_rates)
            n.slider("rates", maps.MIN_TUNING_RATES, maps.MAX_TUNING_RATES, key=_seeded("maps:rates", choices.n_rates),
                     on_change=_on_value, args=("n_rates", "maps:rates", int))  # fmt: skip
        record = _record_with_progress(key)
    except ScenarioError as e:
        st.warning(f"This map cannot be drawn: {e}.")
        return
    figure = figure_json(key, record, ctx)
    live_chart.chart(figure, key=CHART_KEY, height=ctx.height, config={"displaylogo": False, "responsive": True},
                     on_click=_on_click if choices.kind != "tune" else None)  # fmt: skip
    if choices.kind == "hyper":
        st.caption(f"{len(record.xs) * len(record.ys):,} runs of {scene.runs[index].display_label}, {scene.steps} steps each. "
                   "Click a cell to set the run to its values.")  # fmt: skip
    elif choices.kind == "basin":
        st.caption(f"{record.basin.size:,} starts of {scene.runs[index].display_label}: each start in the colour of the "
                   "minimum it reaches, paler the longer it took. Click to start the runs there.")  # fmt: skip
    else:
        best = ", ".join(f"{label}: {rate:.3g}" if rate is not None else f"{label}: every rate diverged"
                         for label, rate in zip(record.labels, record.best_rates))  # fmt: skip
        st.caption(f"Best learning rates ({maps.CRITERION}): {best}.")
        with apply:
            st.button("Tune learning rates: apply the best", key="maps:apply", on_click=_on_apply_tuning, type="primary")
