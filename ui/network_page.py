"""The Network page: train a small MLP on 2D data with the optimizers of the zoo, and look at
its curves, its decision boundary over the epochs and its loss landscape.

Its whole state is in the URL (`/network?dataset=moons&hidden=16,16&r0.optimizer=adam&…`):
the scenario's query form (descent.NetworkScenario.to_query) plus the view options below.
On a session's first run the widgets take their values from the URL; afterwards the URL is
written from the widgets on every rerun. A bad parameter gives one warning and the defaults.

Each run is edited by the 2D page's run editor (ui.run_editor: optimizer and flavour, every
hyperparameter, the schedule); the runs live in the session (`net.run_list`), the editors'
callbacks replace them before the page is drawn.

Results are shared by every session of the server (bounded caches keyed by the scenario), as
on the 2D page (descent.memo.SharedCache), and so are the Curves view's figures, drawn by the 2D
page's chart (ui.live_chart: sent as JSON without plotly.py's validation, updated in place by
plotly.js) — an edit of the sidebar is a new training and little else.
"""

from __future__ import annotations

import functools
import time

import numpy as np
import streamlit as st

import descent
import network
import optimizers
from descent import NetworkScenario, ScenarioError, compile_cache, memo
from descent.network_scenario import MAX_NETWORK_RUNS
from descent.scenario import Params, Run
from optimizers.spec import FLAVOUR_TITLES
from ui import address, live_chart, network_export, run_editor, widgets
from ui.network_lessons import BY_ID as LESSONS
from ui.network_lessons import LESSONS as LESSON_LIST
from viz import network as vn
from viz.palette import palette

DEFAULT_QUERY = {
    "dataset": "moons",
    "r0.optimizer": "adam", "r0.learning_rate": "0.01",
    "r1.optimizer": "sgd", "r1.learning_rate": "0.1", "r1.momentum": "0.9",
}  # fmt: skip
VIEWS = ("Curves", "Boundary", "Landscape")
SLICES = {"pca": "PCA plane of the iterates", "random": "Filter-normalized random directions"}
# View options in the URL, next to the scenario's keys.
OPTION_KEYS = ("view", "run", "slice", "plot", "lesson")
BOUNDARY_RESOLUTION = 40
SLICE_RESOLUTION = 100
PREFIX = "net."  # this page's widget keys in the session
# The parts an edit draws again (st.fragment keys): the views, and the run editors. A setting of
# the sidebar is shown by its own widget already: its callback reruns the views alone, as on the
# 2D page, so the browser does not rebuild the sidebar on every edit.
VIEWS_PART, RUNS_PART = "net.views_part", "net.runs_part"
CHART_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"], "responsive": True}


RESULTS: memo.SharedCache[descent.TrainResult] = memo.SharedCache("network results", 24 * 2**20, memo.array_bytes)
FIGURES: memo.SharedCache[str] = memo.SharedCache("network figures", 8 * 2**20, memo.array_bytes)
CURVES = {"loss": ("Loss per epoch (solid: training, dotted: validation)", 420), "accuracy": ("Accuracy per epoch", 340)}


# A training still going after this long shows a progress bar (from its next chunk of epochs).
PROGRESS_AFTER_S = 0.3


def train(scene: NetworkScenario, progress=None) -> descent.TrainResult:
    return RESULTS.get(scene, lambda: descent.train(scene, progress=progress))


def _train_showing_progress(scene: NetworkScenario) -> descent.TrainResult:
    """The scene's training; a long one shows the epochs trained so far. Short ones (an edit of
    the default scene) draw nothing more: the bar would cost every edit a message."""
    started, bar = time.perf_counter(), []

    def progress(done: int, total: int) -> None:
        if done < total and (bar or time.perf_counter() - started >= PROGRESS_AFTER_S):
            if not bar:
                bar.append(st.progress(0.0))
            runs = len(scene.runs)
            bar[0].progress(done / total, text=f"Training {runs} run{'s' * (runs > 1)}: epoch {done} of {total}…")

    try:
        return train(scene, progress)
    finally:
        if bar:
            bar[0].empty()


def curves_json(scene: NetworkScenario, metric: str) -> str:
    """The Curves view's `metric` chart as live_chart's JSON, shared by every session."""

    def build() -> str:
        title, height = CURVES[metric]
        return live_chart.figure_json(vn.training_curves(train(scene), metric=metric, title=title, height=height))

    return FIGURES.get((scene, metric), build)


@functools.lru_cache(maxsize=16)
def loss_slice(scene: NetworkScenario, run_index: int, kind: str):
    result = train(scene)
    make = descent.pca_slice if kind == "pca" else descent.random_slice
    return make(result, run_index, resolution=SLICE_RESOLUTION)


@functools.lru_cache(maxsize=16)
def boundary_figure(scene: NetworkScenario, run_index: int) -> dict:
    result = train(scene)
    epochs = vn.frame_epochs(result.snapshot_epochs)
    xs, ys, prob = descent.boundary(result, run_index, epochs, resolution=BOUNDARY_RESOLUTION)
    return vn.decision_boundary(result, run_index, xs, ys, prob, epochs)


def parse(query: dict) -> tuple[NetworkScenario, dict, str | None]:
    """(scenario, view options, warning) from the URL's parameters."""
    options = {"view": "Curves", "run": 0, "slice": "pca", "plot": "2D"}
    warning = None
    has_scene = any(k in query for k in ("dataset",)) or any(k.startswith("r0.") for k in query)
    lesson = query.get("lesson")
    if lesson is not None and lesson not in LESSONS:
        warning = f"The link's lesson: unknown lesson {lesson!r} (one of {', '.join(LESSONS)})."
        lesson = None
    if lesson is not None:
        options["lesson"] = lesson
        options["view"] = LESSONS[lesson].view
    try:
        if has_scene:
            scene = NetworkScenario.from_query(query)
        else:  # a lesson's bare link (?lesson=...) opens its scene
            scene = LESSONS[lesson].build() if lesson else NetworkScenario.from_query(DEFAULT_QUERY)
    except ScenarioError as e:
        warning = f"The link's {e} — showing the default scene."
        scene = NetworkScenario.from_query(DEFAULT_QUERY)
    if query.get("view") in VIEWS:
        options["view"] = query["view"]
    if str(query.get("run", "")).isdigit() and int(query["run"]) < len(scene.runs):
        options["run"] = int(query["run"])
    if query.get("slice") in SLICES:
        options["slice"] = query["slice"]
    if query.get("plot") in ("2D", "3D"):
        options["plot"] = query["plot"]
    return scene, options, warning


def _key(name: str) -> str:
    return PREFIX + name


def _seed_widgets(scene: NetworkScenario, options: dict) -> None:
    """Widget values from a scenario (a session's first run, or a lesson)."""
    ss = st.session_state
    d, m, b = scene.dataset, scene.model, scene.minibatch
    ss[_key("dataset")] = d.name
    ss[_key("size")] = d.size
    ss[_key("noise")] = d.noise
    ss[_key("validation")] = d.validation
    ss[_key("data_seed")] = d.seed
    ss[_key("layers")] = len(m.hidden)
    for i in range(3):
        ss[_key(f"width{i}")] = m.hidden[i] if i < len(m.hidden) else m.hidden[-1]
    ss[_key("activation")] = m.activation
    ss[_key("model_seed")] = m.seed
    ss[_key("epochs")] = scene.epochs
    ss[_key("batch")] = b.batch_size
    ss[_key("shuffle")] = b.shuffle
    ss[_key("batch_seed")] = b.seed
    ss[_key("runs")] = len(scene.runs)
    ss[_key(RUN_LIST)] = list(scene.runs)
    _forget_run_widgets(0)  # the run editors are drawn anew from these runs
    ss[_key("r0.editor")] = True
    for name, value in options.items():
        ss[_key(name)] = value


SHOWN = "shown"  # the session key of the query of the scene last drawn (kept while another page is shown)
RUN_LIST = "run_list"  # the session key of the scene's runs (a list of descent Runs), edited by the run editors


def _forget_run_widgets(first: int) -> None:
    """Drop the widgets of runs `first`, `first` + 1, ...: a run drawn there again (another
    lesson's, a new one) seeds its widgets from itself, not from what the old run had."""
    ss = st.session_state
    prefixes = tuple(_key(f"r{i}.") for i in range(first, MAX_NETWORK_RUNS))
    for key in [k for k in ss if isinstance(k, str) and k.startswith(prefixes)]:
        del ss[key]
    versions = ss.get(widgets.VERSIONS, {})
    for key in [k for k in versions if k.startswith(prefixes)]:
        del versions[key]


def _on_run_count() -> None:
    """More runs: new ones are Adam (Keras, η = 0.01); fewer: the last ones go."""
    ss = st.session_state
    runs, n = list(ss[_key(RUN_LIST)]), int(ss[_key("runs")])
    _forget_run_widgets(min(n, len(runs)))
    ss[_key(RUN_LIST)] = runs[:n] + [Run("adam", "keras", Params({"learning_rate": 0.01}))] * max(0, n - len(runs))


def _edit_run(index: int, change, widget: str | None = None, part: str | None = run_editor.EDITOR) -> None:
    """A run editor's edit (ui.run_editor.RunSlot.edit): the run replaced, or the edit refused
    with the scene's message and the widget put back. The views are redrawn, and the editors or
    only `part` of them (a title names the run's optimizer and flavour, not its values)."""
    ss = st.session_state
    ss[_key(f"r{index}.editor")] = True  # the edit came from inside: it stays open
    runs = list(ss[_key(RUN_LIST)])
    try:
        runs[index] = change(runs[index])
    except ScenarioError as e:
        if widget is not None:
            widgets.renew(widget)
        ss[_key("warning")] = f"That change was not applied: {e}."
        return  # the whole page, with the warning
    renamed = _run_title(index, runs[index]) != _run_title(index, ss[_key(RUN_LIST)][index])
    ss[_key(RUN_LIST)] = runs
    redrawn = RUNS_PART if part == run_editor.EDITOR or renamed else part
    st.rerun(scope=[VIEWS_PART, *([redrawn] if redrawn else [])])


def _on_setting() -> None:
    """A data, model or training setting: the views are drawn again, nothing else."""
    st.rerun(scope=[VIEWS_PART])


def _updates_per_training() -> int:
    """Epochs × batches per epoch of the training set out in the sidebar (for schedule defaults)."""
    ss = st.session_state
    n_train = max(1, round(int(ss[_key("size")]) * (1 - float(ss[_key("validation")]))))
    return int(ss[_key("epochs")]) * -(-n_train // max(1, int(ss[_key("batch")])))


def _run_title(index: int, run: Run) -> str:
    return f"Run {index + 1}: {optimizers.get(run.optimizer).title} ({FLAVOUR_TITLES[run.flavour]})"


@st.fragment(key=RUNS_PART)
def _run_editors() -> None:
    """Each run's editor (the 2D page's sections: optimizer and flavour, hyperparameters,
    schedule), in an expander built only while open."""
    ss = st.session_state
    n = int(ss[_key("runs")])
    runs = ss[_key(RUN_LIST)]
    steps = _updates_per_training()
    for i, run in enumerate(runs[:n]):
        k_editor = _key(f"r{i}.editor")
        widgets.seed(k_editor, i == 0)
        # The title names the optimizer, not the hyperparameters (as the run's label would): a new
        # title is a new expander to the browser, whose whole editor would be built again on
        # every edit of a rate.
        editor = st.expander(_run_title(i, run), key=k_editor, on_change="rerun")
        if editor.open:
            with editor:
                slot = run_editor.RunSlot(key=lambda name, i=i: _key(f"r{i}.{name}"),
                                          edit=lambda change, widget=None, part=run_editor.EDITOR, i=i: _edit_run(i, change, widget, part),
                                          steps=steps, current=lambda i=i: ss[_key(RUN_LIST)][i])
                run_editor.optimizer_section(slot, run)
                run_editor.hyperparameters_section(slot)
                run_editor.schedule_section(slot, run)


def _on_lesson(lesson_id: str, variant: bool = False) -> None:
    lesson = LESSONS[lesson_id]
    scene = lesson.build_variant() if variant else lesson.build()
    _seed_widgets(scene, {"view": lesson.view, "run": 0, "slice": "pca", "plot": "2D", "lesson": lesson_id})


def _on_close_lesson() -> None:
    st.session_state.pop(_key("lesson"), None)


def _lessons_picker() -> None:
    with st.expander("Lessons"):
        for lesson in LESSON_LIST:
            st.button(lesson.title, key=_key(f"lesson:{lesson.id}"), on_click=_on_lesson, args=(lesson.id,),
                      width="stretch")


def _lesson_box(lesson_id: str) -> None:
    lesson = LESSONS[lesson_id]
    with st.container(border=True):
        st.markdown(f"**{lesson.title}.** {lesson.text}")
        cols = st.columns([1, 1, 4])
        if lesson.variant:
            with cols[0]:
                st.button(lesson.variant[0], key=_key("lesson.variant"), on_click=_on_lesson, args=(lesson.id, True))
            with cols[1]:
                st.button("Lesson's scene", key=_key("lesson.reset"), on_click=_on_lesson, args=(lesson.id,))
        with cols[2]:
            st.button("Close lesson", key=_key("lesson.close"), on_click=_on_close_lesson, type="tertiary")


def _sidebar() -> None:
    st.subheader("Data")
    st.selectbox("Data set", [d.id for d in network.DATASETS], key=_key("dataset"), on_change=_on_setting,
                 format_func=lambda i: next(d.title for d in network.DATASETS if d.id == i))
    st.slider("Examples", 20, 2000, step=10, key=_key("size"), on_change=_on_setting)
    st.slider("Noise", 0.0, 1.0, step=0.05, key=_key("noise"), on_change=_on_setting)
    st.slider("Validation share", 0.0, 0.5, step=0.05, key=_key("validation"), on_change=_on_setting)
    widgets.number_box(st, "Data seed", _key("data_seed"), min_value=0, max_value=2**31 - 1, on_change=_on_setting)
    st.subheader("Model")
    layers = st.slider("Hidden layers", 1, 3, key=_key("layers"))
    cols = st.columns(3)
    for i in range(layers):
        with cols[i]:
            widgets.number_box(st, f"Units {i + 1}", _key(f"width{i}"), min_value=2, max_value=32, on_change=_on_setting)
    st.radio("Activation", list(network.ACTIVATIONS), key=_key("activation"), horizontal=True, on_change=_on_setting)
    widgets.number_box(st, "Model seed", _key("model_seed"), min_value=0, max_value=2**31 - 1, on_change=_on_setting)
    st.subheader("Training")
    st.slider("Epochs", 1, 1000, key=_key("epochs"), on_change=_on_setting)
    st.select_slider("Batch size", [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2000, 5000], key=_key("batch"),
                     on_change=_on_setting)
    st.checkbox("Shuffle each epoch", key=_key("shuffle"), on_change=_on_setting)
    widgets.number_box(st, "Minibatch seed", _key("batch_seed"), min_value=0, max_value=2**31 - 1, on_change=_on_setting)
    st.subheader("Runs")
    widgets.number_box(st, "Runs", _key("runs"), min_value=1, max_value=MAX_NETWORK_RUNS, on_change=_on_run_count)  # the whole page
    _run_editors()


def _scene_from_session() -> NetworkScenario:
    """The scene the sidebar shows: its settings' values and the run editors' runs."""
    ss = st.session_state
    runs = ss[_key(RUN_LIST)][: int(ss[_key("runs")])]
    hidden_units = tuple(int(ss[_key(f"width{i}")]) for i in range(int(ss[_key("layers")])))
    return NetworkScenario.from_json({
        "dataset": {"name": ss[_key("dataset")], "size": int(ss[_key("size")]), "noise": float(ss[_key("noise")]),
                    "seed": int(ss[_key("data_seed")]), "validation": float(ss[_key("validation")])},
        "model": {"hidden": list(hidden_units), "activation": ss[_key("activation")], "seed": int(ss[_key("model_seed")])},
        "epochs": int(ss[_key("epochs")]),
        "minibatch": {"batch_size": int(ss[_key("batch")]), "shuffle": bool(ss[_key("shuffle")]), "seed": int(ss[_key("batch_seed")])},
        "runs": [{"optimizer": r.optimizer, "flavour": r.flavour, "hparams": dict(r.hparams),
                  "schedule": {"name": r.schedule.name, **dict(r.schedule.params)}} for r in runs],
    })


STATUS_COLUMNS = {"train loss": ("train_loss", "{:.4g}"), "validation loss": ("val_loss", "{:.4g}"),
                  "train accuracy": ("train_accuracy", "{:.1%}"), "validation accuracy": ("val_accuracy", "{:.1%}")}


def status_text(result: descent.TrainResult) -> dict[str, list[str]]:
    """Each run's status and final metrics as columns of text (empty where there is no number:
    no validation set, or a diverged run)."""
    columns: dict[str, list[str]] = {
        "run": [run.label for run in result.runs],
        "status": [run.status if run.diverged_at is None else f"diverged at epoch {run.diverged_at}" for run in result.runs],
    }
    for name, (field, form) in STATUS_COLUMNS.items():
        finals = [float(getattr(run, field)[-1]) for run in result.runs]
        columns[name] = [form.format(v) if np.isfinite(v) else "" for v in finals]
    return columns


def _status_table(result: descent.TrainResult) -> None:
    # A static table, as the 2D page's (ui.views._table): st.dataframe's data grid is a canvas
    # with its own layout engine, slow to draw again after every edit for a few rows.
    st.table(status_text(result), border="horizontal")


def _views(scene: NetworkScenario, result: descent.TrainResult, options: dict) -> None:
    view = st.radio("View", VIEWS, key=_key("view"), horizontal=True, label_visibility="collapsed")
    labels = [run.label for run in result.runs]
    if view == "Curves":
        for metric, (_, height) in CURVES.items():
            live_chart.chart(curves_json(scene, metric), key=_key(f"chart.{metric}"), height=height, config=CHART_CONFIG)
        _status_table(result)
        return
    if st.session_state.get(_key("run"), 0) >= len(labels):
        st.session_state[_key("run")] = 0
    run = st.selectbox("Run", range(len(labels)), key=_key("run"), format_func=lambda i: labels[i])
    if view == "Boundary":
        st.plotly_chart(boundary_figure(scene, run), width="stretch", key=_key("chart.boundary"))
        st.caption("Play animates the decision boundary over the epochs; the slider picks an epoch. "
                   "Filled points: training set; open points: validation set.")
        return
    kind = st.radio("Plane", list(SLICES), key=_key("slice"), format_func=SLICES.get, horizontal=True)
    plot = st.radio("Plot", ("2D", "3D"), key=_key("plot"), horizontal=True)
    if result.runs[run].status == "diverged" and kind == "random":
        st.warning(f"{labels[run]} diverged at epoch {result.runs[run].diverged_at}: it has no final weights to cut through.")
        return
    cut = loss_slice(scene, run, kind)
    colour = palette(len(labels))[run]
    figure = vn.slice_contour(cut, colour=colour) if plot == "2D" else vn.slice_3d(cut, colour=colour)
    st.plotly_chart(figure, width="stretch", key=_key("chart.slice"))
    if cut.kind == "pca":
        e = cut.explained
        st.caption(f"The first two principal directions of the iterates explain {100 * e[0]:.1f}% and "
                   f"{100 * e[1]:.1f}% of their variance ({100 * (e[0] + e[1]):.1f}% together); "
                   f"the loss at the final weights (the star) is {cut.origin_loss:.4g}.")
    else:
        st.caption(f"A 100×100 slice through the final weights (the star, loss {cut.origin_loss:.4g}) along two "
                   "random directions scaled filter by filter to the weights' norms (Li et al. 2018).")


def main() -> None:
    st.set_page_config(page_title="Descent: a network", page_icon="⛰️", layout="wide")
    compile_cache.enable()
    ss = st.session_state
    if not ss.get(_key("seeded")):
        scene, options, warning = parse(st.query_params.to_dict())
        _seed_widgets(scene, options)
        ss[_key("seeded")] = True
        if warning:
            ss[_key("warning")] = warning
    elif _key("dataset") not in ss:
        # Back from the other page: Streamlit dropped this page's widget values when they were not
        # drawn; they are drawn again from the scene they last made.
        _seed_from_query(ss.get(_key(SHOWN), {}))
    st.title("Network")
    st.caption("A small MLP trained on 2D data by the same optimizers, every run from the same initial weights.")
    if ss.get(_key("warning")):
        st.warning(ss.pop(_key("warning")))
    if ss.get(_key("lesson")) in LESSONS:
        _lesson_box(ss[_key("lesson")])
    with st.sidebar:
        _lessons_picker()
        _sidebar()
    _views_part()


@st.fragment(key=VIEWS_PART)
def _views_part() -> None:
    """The views of the scene the sidebar shows, and the URL written from it."""
    ss = st.session_state
    try:
        scene = _scene_from_session()
    except ScenarioError as e:
        # e.g. too many updates for a batch size just lowered: say what to change, and keep
        # showing (and linking) the last scene drawn
        st.error(f"The sidebar's {e}")
        scene, _, _ = parse(ss.get(_key(SHOWN), {}))
    result = _train_showing_progress(scene)
    _views(scene, result, {})
    network_export.render(scene, result)
    wanted = {**scene.to_query(), **{k: str(ss[_key(k)]) for k in OPTION_KEYS if _key(k) in ss}}
    ss[_key(SHOWN)] = wanted
    address.show(wanted, on_restore=_seed_from_query)  # a new session of an open page: its address's scene


def _seed_from_query(query: dict[str, str]) -> None:
    """The widgets seeded from a query this page wrote (its address, or the last one it drew)."""
    scene, options, _ = parse(query)
    _seed_widgets(scene, options)
