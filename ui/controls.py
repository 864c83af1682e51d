"""The sidebar: landscape, start, steps, noise and the list of optimizer runs.

Edits go through callbacks that replace the scene in the session state before anything is
drawn, so drawing only reads the scene: every widget shows it, every title is its own, and an
edit is one pass. A value the model rejects (PyTorch's Nesterov without momentum) is put
back and explained in a notice.

What an edit redraws is kept small, because every element costs time on the server and in the
browser: a callback ends by rerunning the views and only the part of the sidebar whose drawing
it changed (`state.refresh`: the landscape's parameters, the start, the runs), and each run's
editor and the noise settings are expanders whose contents are built only while open.

A run's optimizer, flavour, hyperparameters and schedule are the sections of ui.run_editor,
which the Network page's runs use too; this module gives them their keys and `_edit_run`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace

import streamlit as st

import landscapes
from descent import (
    MAX_RUNS,
    MAX_STEPS,
    Noise,
    Params,
    Run,
    Scenario,
    ScenarioError,
)
from ui import data_controls, run_editor, state, widgets
from ui.defaults import COLOUR_NAMES, NEW_RUN, PALETTE_SIZE
from ui.links import Options
from ui.views import figure_inputs

LANDSCAPE_IDS = landscapes.ids()
FORMULA = "formula"  # the picker's "Formula…" entry (a typed formula)
DATA = data_controls.DATA  # the picker's "Data…" entry (a model's loss on a data set)
PICKER_IDS = [*LANDSCAPE_IDS, FORMULA, DATA]
DEFAULT_FORMULA = "x^2 + 10*y^2 + sin(3*x)"
LABEL_PLACEHOLDER = "automatic: the method and its learning rate"
FORMULA_ERROR = "formula_error"  # the session key of the last rejected formula's message


# -- applying an edit ---------------------------------------------------------------------------


# `_apply`'s part for an edit whose effects reach beyond the parts that rerun alone.
WHOLE_PAGE = "whole page"


def _apply(change: Callable[[Scenario], Scenario], widget: str | None = None,
           part: str | Callable[[Scenario, bool], str | None] | None = None) -> None:  # fmt: skip
    """Replace the scene by `change(scene)` and rerun the views and `part` (the sidebar part
    the edited widget is in, when its drawing changes; or a function of the scene after the
    change and of whether the change was refused, that names it; WHOLE_PAGE: Streamlit's own
    rerun of everything); if the model rejects the change, say why and draw the `widget` anew
    from the unchanged scene (its value put back)."""
    refused = False
    try:
        new = change(state.scene())
    except ScenarioError as e:
        if widget is not None:
            widgets.renew(widget)
        state.notice(f"That change was not applied: {e}.")
        new, refused = state.scene(), True
    else:
        st.session_state[state.SCENE] = new
    chosen = part(new, refused) if callable(part) else part
    if chosen != WHOLE_PAGE:
        state.refresh(*([chosen] if chosen else []))


def _index_of(run_id: int) -> int:
    return st.session_state[state.RUN_IDS].index(run_id)


def _keep_editor_open(run_id: int) -> None:
    """An edit may rename the run, and the editor's title with it; Streamlit then treats the
    expander as a new one, closed. The edit came from inside it, so it stays open."""
    st.session_state[state.run_key(run_id, "editor")] = True


def _edit_run(run_id: int, change: Callable[[Run], Run], widget: str | None = None,
              part: str | None = run_editor.EDITOR) -> None:  # fmt: skip
    """Apply `change` to the run; redraw the views and `part` of that run's editor (all of it by
    default, see `run_editor.RunSlot`), or every editor when the run's name in their titles
    changed (its label, or SGD's momentum turned on or off), or that whole editor when the
    change was refused (the edited widget put back)."""
    _keep_editor_open(run_id)
    index = _index_of(run_id)
    before = run_editor.run_name(state.scene().runs[index], index)

    def on_scene(scene: Scenario) -> Scenario:
        runs = list(scene.runs)
        runs[index] = change(runs[index])
        return scene.replace(runs=tuple(runs))

    def redrawn(scene: Scenario, refused: bool) -> str | None:
        if run_editor.run_name(scene.runs[index], index) != before:
            return state.RUNS_PART
        return run_part(run_id) if refused or part == run_editor.EDITOR else part

    _apply(on_scene, widget, redrawn)


def run_part(run_id: int) -> str:
    """The key of the part of the page that is one run's open editor."""
    return state.run_key(run_id, "part")


_value = run_editor.value
hparam_label = run_editor.hparam_label  # the run editor's, where tests and other modules look for it


# -- callbacks: the scene --------------------------------------------------------------------------


def _formula_scene(scene: Scenario, text: str, domain) -> Scenario:
    return Scenario(FORMULA, tuple(replace(r, start=None) for r in scene.runs), steps=scene.steps, noise=scene.noise,
                    formula=text, domain=domain)  # fmt: skip


def _on_formula() -> None:
    """A typed formula: applied if it reads; otherwise the message goes under the editor and
    the previous landscape stays drawn."""
    scene = state.scene()
    text = str(_value(state.key("formula")))
    domain_text = str(_value(state.key("domain")))
    try:
        parts = [float(v) for v in domain_text.split(",")]
        if len(parts) != 4:
            raise ValueError
    except ValueError:
        st.session_state[FORMULA_ERROR] = f"domain: four numbers x0, x1, y0, y1, got {domain_text!r}"
        return
    try:
        new = _formula_scene(scene, text, ((parts[0], parts[1]), (parts[2], parts[3])))
    except ScenarioError as e:
        st.session_state[FORMULA_ERROR] = e.message
        return
    st.session_state.pop(FORMULA_ERROR, None)
    state.replace_scene(new, replace(state.options(), lesson=None))


def _on_landscape() -> None:
    chosen = _value(state.key("landscape"))
    scene = state.scene()
    st.session_state.pop(FORMULA_ERROR, None)
    if chosen == DATA:
        if scene.dataset is None:
            state.replace_scene(data_controls.default_scene(scene), replace(state.options(), lesson=None))
        return
    if chosen == FORMULA:
        if scene.formula is None:
            state.replace_scene(_formula_scene(scene, DEFAULT_FORMULA, None), replace(state.options(), lesson=None))
        return
    if chosen != scene.landscape:
        # A new landscape brings its own domain: its parameters' defaults and its start. The
        # whole page is redrawn (its title and every control): the default rerun.
        new = Scenario(chosen, tuple(replace(r, start=None) for r in scene.runs), steps=scene.steps, noise=scene.noise)
        state.replace_scene(new, replace(state.options(), lesson=None))


def _on_landscape_param(name: str, value: float) -> None:
    # The part reruns too: a log slider's exact box follows the slider (and the reverse).
    _apply(lambda scene: scene.replace(landscape_params=Params({**scene.landscape_params, name: value})),
           part=state.LANDSCAPE_PART)  # fmt: skip


def _on_start() -> None:
    point = (float(_value(state.key("start_x"))), float(_value(state.key("start_y"))))
    _apply(lambda scene: scene.replace(start=point))


def set_start(point: tuple[float, float]) -> None:
    """Move the common start (from the map or the reset button): the scene, and the boxes
    drawn anew from it."""
    st.session_state[state.SCENE] = state.scene().replace(start=point)
    widgets.renew(state.key("start_x"), state.key("start_y"))


def start_at_click(click) -> None:
    """A click on a chart of the landscape ({x, y, dx, dy} from ui.live_chart) moves the common
    start there, to a round value near it; the views and the start boxes are redrawn."""
    import viz

    point = viz.click_point(click)
    if point is None:
        return
    try:
        set_start(point)
    except ScenarioError:
        return
    state.refresh(state.START_PART)


def _on_reset_start() -> None:
    set_start(state.scene().landscape_spec.start)
    state.refresh(state.START_PART)


def _on_steps() -> None:
    steps = int(_value(state.key("steps")))
    if state.scene().dataset is not None:
        # On a data landscape the steps make the epochs that the header and the minibatch
        # controls state: the whole page reruns.
        _apply(lambda scene: scene.replace(steps=steps), state.key("steps"), WHOLE_PAGE)
    else:
        _apply(lambda scene: scene.replace(steps=steps))


def _on_noise() -> None:
    noise = Noise(float(_value(state.key("sigma"))), int(_value(state.key("batch"))), int(_value(state.key("seed"))))
    # The sentence under the boxes states σ and B: it reruns with the views (the boxes, being
    # edited, are open and show their values already).
    _apply(lambda scene: scene.replace(noise=noise), part=state.NOISE_NOTE_PART)


# -- callbacks: one run ----------------------------------------------------------------------------


def _on_label(run_id: int) -> None:
    label = str(_value(state.run_key(run_id, "label"))).strip()
    _edit_run(run_id, lambda run: replace(run, label=label))


def _on_colour(run_id: int) -> None:
    index, opts = _index_of(run_id), state.options()
    colours = [opts.colour_of(i) for i in range(len(state.scene().runs))]
    colours[index] = int(_value(state.run_key(run_id, "colour")))
    state.set_options(colours=tuple(colours))
    _keep_editor_open(run_id)
    state.refresh(state.RUNS_PART)


def _on_shown(run_id: int) -> None:
    index, hidden = _index_of(run_id), set(state.options().hidden)
    if _value(state.run_key(run_id, "shown")):
        hidden.discard(index)
    else:
        hidden.add(index)
    state.set_options(hidden=frozenset(hidden))
    _keep_editor_open(run_id)
    state.refresh(state.RUNS_PART)


def _on_add_run() -> None:
    scene, opts = state.scene(), state.options()
    if len(scene.runs) >= MAX_RUNS:
        return
    run = Scenario.from_json({"landscape": "rosenbrock", "runs": [NEW_RUN]}).runs[0]  # a Run alone
    run_id = state.new_run_id()
    st.session_state[state.SCENE] = scene.replace(runs=scene.runs + (run,))
    st.session_state[state.RUN_IDS] = st.session_state[state.RUN_IDS] + [run_id]
    st.session_state[state.run_key(run_id, "editor")] = True  # open, ready to edit
    colours = tuple(opts.colour_of(i) for i in range(len(scene.runs)))
    state.set_options(colours=colours + (_free_colour(colours),))
    state.refresh(state.RUNS_PART)


def _on_duplicate_run(run_id: int) -> None:
    scene, opts = state.scene(), state.options()
    if len(scene.runs) >= MAX_RUNS:
        return
    index = _index_of(run_id)
    new_id = state.new_run_id()
    runs = list(scene.runs)
    runs.insert(index + 1, replace(runs[index], label=""))
    ids = list(st.session_state[state.RUN_IDS])
    ids.insert(index + 1, new_id)
    colours = [opts.colour_of(i) for i in range(len(scene.runs))]
    colours.insert(index + 1, _free_colour(tuple(colours)))
    hidden = frozenset(i + 1 if i > index else i for i in opts.hidden)
    st.session_state[state.SCENE] = scene.replace(runs=tuple(runs))
    st.session_state[state.RUN_IDS] = ids
    st.session_state[state.run_key(new_id, "editor")] = True
    state.set_options(colours=tuple(colours), hidden=hidden, selected=0)
    state.refresh(state.RUNS_PART)


def _on_remove_run(run_id: int) -> None:
    scene, opts = state.scene(), state.options()
    if len(scene.runs) <= 1:
        return
    index = _index_of(run_id)
    colours = [opts.colour_of(i) for i in range(len(scene.runs))]
    del colours[index]
    ids = list(st.session_state[state.RUN_IDS])
    del ids[index]
    hidden = frozenset(i - 1 if i > index else i for i in opts.hidden if i != index)
    st.session_state[state.SCENE] = scene.replace(runs=scene.runs[:index] + scene.runs[index + 1 :])
    st.session_state[state.RUN_IDS] = ids
    state.set_options(colours=tuple(colours), hidden=hidden, selected=0)
    state.refresh(state.RUNS_PART)


def _free_colour(used: tuple[int, ...]) -> int:
    for c in range(PALETTE_SIZE):
        if c not in used:
            return c
    return len(used) % PALETTE_SIZE


# -- sections --------------------------------------------------------------------------------------


def _landscape_section(scene: Scenario) -> None:
    picked = DATA if scene.dataset is not None else FORMULA if scene.formula is not None else scene.landscape
    titles = {FORMULA: "Formula…", DATA: "Data: a model's training loss…"}
    st.selectbox("Landscape", PICKER_IDS, key=_seeded(state.key("landscape"), picked),
                 format_func=lambda i: titles.get(i) or landscapes.get(i).title,
                 on_change=_on_landscape)  # fmt: skip
    if scene.dataset is not None:
        data_controls.render_data(scene)
        return
    if scene.formula is not None:
        (x0, x1), (y0, y1) = scene.domain
        st.text_input("f(x, y) =", key=_seeded(state.key("formula"), scene.formula), max_chars=500,
                      on_change=_on_formula, help="x, y, numbers, + - * / ^, ( ), pi, e, sin cos tan exp log sqrt "
                      "abs tanh sinh cosh arctan, min(a, b) max(a, b)")  # fmt: skip
        st.text_input("Domain: x0, x1, y0, y1", key=_seeded(state.key("domain"), f"{x0:g}, {x1:g}, {y0:g}, {y1:g}"),
                      on_change=_on_formula)  # fmt: skip
        if st.session_state.get(FORMULA_ERROR):
            st.error(st.session_state[FORMULA_ERROR], icon=None)
        return
    if scene.landscape_spec.params:
        _landscape_params()


@st.fragment(key=state.LANDSCAPE_PART)
def _landscape_params() -> None:
    scene = state.scene()
    current = scene.resolved_landscape_params()
    for p in scene.landscape_spec.params:
        k = state.key(f"landscape:{p.name}")
        label = f"{p.meaning} (${p.symbol}$)"
        on_change = lambda value, part=None, name=p.name: _on_landscape_param(name, value)  # noqa: E731 (the whole part reruns)
        if p.scale == "log":
            widgets.log_slider(label, k, current[p.name], low=p.low, high=p.high, ui_low=p.low, ui_high=p.high,
                               on_change=on_change)  # fmt: skip
        else:
            widgets.linear_slider(label, k, current[p.name], ui_low=p.low, ui_high=p.high, step=1.0, on_change=on_change)


@st.fragment(key=state.START_PART)
def _start_section() -> None:
    scene = state.scene()
    left, right = st.columns(2)
    with left:
        widgets.number("Start x", state.key("start_x"), scene.start[0], low=-1e4, high=1e4, step=0.1, on_change=_on_start)
    with right:
        widgets.number("Start y", state.key("start_y"), scene.start[1], low=-1e4, high=1e4, step=0.1, on_change=_on_start)
    st.button("Reset to the landscape's start", on_click=_on_reset_start, key=state.key("reset_start"), type="tertiary")
    widgets.number("Steps", state.key("steps"), scene.steps, low=1, high=MAX_STEPS, integer=True, step=50,
                   on_change=_on_steps)  # fmt: skip


def _noise_section(scene: Scenario) -> None:
    noise = scene.noise
    widgets.number("Gradient noise σ", state.key("sigma"), noise.sigma, low=0.0, high=1000.0, step=0.1,
                   help="g = ∇f + (σ/√B)·ξ with ξ ~ N(0, I); every run sees the same noise.", on_change=_on_noise)  # fmt: skip
    left, right = st.columns(2)
    with left:
        widgets.number("Batch size B", state.key("batch"), noise.batch_size, low=1, high=1_000_000, integer=True,
                       on_change=_on_noise)  # fmt: skip
    with right:
        widgets.number("Seed", state.key("seed"), noise.seed, low=0, high=2**31 - 1, integer=True, on_change=_on_noise)


_seeded = run_editor.seeded


def run_slot(run_id: int) -> run_editor.RunSlot:
    """Where run `run_id`'s editor keeps its widgets (this generation's keys) and sends its edits."""
    return run_editor.RunSlot(key=lambda name: state.run_key(run_id, name),
                              edit=lambda change, widget=None, part=run_editor.EDITOR: _edit_run(run_id, change, widget, part),
                              steps=state.scene().steps,
                              current=lambda: state.scene().runs[_index_of(run_id)])  # fmt: skip


def _run_editor(run_id: int, run: Run) -> None:
    """The editor of one run: optimizer, flavour, hyperparameters, schedule (the sections shared
    with the Network page, ui.run_editor), then its label."""
    slot = run_slot(run_id)
    run_editor.optimizer_section(slot, run)
    run_editor.hyperparameters_section(slot)
    run_editor.schedule_section(slot, run)
    k_label = state.run_key(run_id, "label")
    # The placeholder names no value (as the automatic label would): an edit of a value leaves it as it is.
    st.text_input("Label", key=_seeded(k_label, run.label), placeholder=LABEL_PLACEHOLDER, max_chars=60,
                  on_change=_on_label, args=(run_id,))  # fmt: skip


def _run_options(run_id: int, index: int, opts: Options, n_runs: int) -> None:
    """Colour, visibility, duplicate and remove."""
    k_colour, k_shown = state.run_key(run_id, "colour"), state.run_key(run_id, "shown")
    left, right = st.columns(2)
    left.selectbox("Colour", range(PALETTE_SIZE), key=_seeded(k_colour, opts.colour_of(index)),
                   format_func=lambda c: COLOUR_NAMES[c], on_change=_on_colour, args=(run_id,))  # fmt: skip
    right.toggle("Show", key=_seeded(k_shown, index not in opts.hidden), on_change=_on_shown, args=(run_id,))
    a, b = st.columns(2)
    a.button("Duplicate", key=state.run_key(run_id, "dup"), on_click=_on_duplicate_run, args=(run_id,),
             disabled=n_runs >= MAX_RUNS, width="stretch")  # fmt: skip
    b.button("Remove", key=state.run_key(run_id, "remove"), on_click=_on_remove_run, args=(run_id,),
             disabled=n_runs <= 1, width="stretch")  # fmt: skip


def run_title(run: Run, index: int, colour: str, shown: bool) -> str:
    """An editor's title: a dot in the run's colour (hollow when hidden) and the run's name
    (`run_editor.run_name`), escaped so that nothing a user types is read as Markdown."""
    dot = "●" if shown else "○"
    return f':color[{dot}]{{foreground="{colour}"}} {escape_markdown(run_editor.run_name(run, index))}'


def escape_markdown(text: str) -> str:
    """Backslash every ASCII punctuation character that Markdown or Streamlit's directives
    (:red[...], $math$) could read."""
    return "".join(f"\\{c}" if c in "\\`*_{}[]()#+-.!:|$<>~&" else c for c in text)


def render(scene: Scenario) -> None:
    """Draw the controls for `scene`."""
    st.subheader("Landscape")
    _landscape_section(scene)
    _start_section()
    widgets.seed(state.key("noise_open"), scene.noise.sigma > 0 or scene.dataset is not None)
    noise = st.expander("Stochastic gradients", key=state.key("noise_open"), on_change="rerun")
    if noise.open:
        with noise:
            if scene.dataset is not None:  # true minibatches replace the Gaussian model
                data_controls.render_minibatch(scene)
            else:
                _noise_section(scene)
                _noise_note()
    st.subheader("Optimizers")
    _runs()


@st.fragment(key=state.NOISE_NOTE_PART)
def _noise_note() -> None:
    st.caption(data_controls.noise_sentence(state.scene()))


@st.fragment(key=state.RUNS_PART)
def _runs() -> None:
    """Each run's editor, and "+ Add run". (Like every part, it reads the scene from the
    session: a fragment reruns with the arguments of the page's last full run.)"""
    scene, opts = state.scene(), state.options()
    palette = figure_inputs(scene, opts)["colours"]
    ids = st.session_state[state.RUN_IDS]
    for index, (run_id, run) in enumerate(zip(ids, scene.runs)):
        k_editor = state.run_key(run_id, "editor")
        widgets.seed(k_editor, False)
        editor = st.expander(run_title(run, index, palette[index], index not in opts.hidden), key=k_editor,
                             on_change="rerun")  # fmt: skip
        if editor.open:
            with editor:
                # A part of its own: an edit of one of its values redraws this editor alone.
                st.fragment(functools.partial(_editor_part, run_id), key=run_part(run_id))()
    st.button("+ Add run", on_click=_on_add_run, disabled=len(scene.runs) >= MAX_RUNS, key=state.key("add"),
              width="stretch")  # fmt: skip


def _editor_part(run_id: int) -> None:
    """One run's editor, drawn from the scene in the session (it reruns alone)."""
    scene, opts = state.scene(), state.options()
    if run_id not in st.session_state[state.RUN_IDS]:
        return
    index = _index_of(run_id)
    run = scene.runs[index]
    _run_editor(run_id, run)
    _run_options(run_id, index, opts, len(scene.runs))
    if run.start is not None:
        st.caption(f"Starts at its own point ({run.start[0]:g}, {run.start[1]:g}).")
