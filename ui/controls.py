"""The sidebar: landscape, start, steps, noise and the list of optimizer runs.

`render()` draws the controls and returns the scene their values describe. Hyperparameters
that equal their flavour's default are left out of the run, so a switch of flavour brings that
flavour's defaults and the URL stays short.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

import landscapes
import optimizers
from descent import MAX_RUNS, MAX_STEPS, Noise, Params, Run, Scenario, Schedule, auto_label
from optimizers import REQUIRED, schedules
from optimizers.spec import FLAVOUR_TITLES
from ui import state, widgets
from ui.defaults import COLOUR_NAMES, NEW_RUN, PALETTE_SIZE
from ui.links import Options

OPTIMIZER_IDS = optimizers.ids()
LANDSCAPE_IDS = landscapes.ids()
SCHEDULE_NAMES = list(schedules.BY_NAME)


# -- callbacks (they run before the script, on the scene of the previous run) -------------------


def _on_landscape() -> None:
    chosen = st.session_state[state.key("landscape")]
    scene = state.scene()
    if chosen != scene.landscape:
        # A new landscape brings its own domain: its parameters' defaults and its start.
        new = Scenario(chosen, tuple(replace(r, start=None) for r in scene.runs), steps=scene.steps, noise=scene.noise)
        state.replace_scene(new, replace(state.options(), lesson=None))


def _on_reset_start() -> None:
    scene = state.scene()
    state.replace_scene(scene.replace(start=scene.landscape_spec.start))


def _on_add_run() -> None:
    scene, opts = state.scene(), state.options()
    if len(scene.runs) >= MAX_RUNS:
        return
    run = Scenario.from_json({"landscape": scene.landscape, "runs": [NEW_RUN]}).runs[0]
    run_id = state.new_run_id()
    st.session_state[state.SCENE] = scene.replace(runs=scene.runs + (run,))
    st.session_state[state.RUN_IDS] = st.session_state[state.RUN_IDS] + [run_id]
    st.session_state[state.EXPANDED] = run_id
    colours = tuple(opts.colour_of(i) for i in range(len(scene.runs)))
    state.set_options(colours=colours + (_free_colour(colours),))


def _on_duplicate_run(index: int) -> None:
    scene, opts = state.scene(), state.options()
    if len(scene.runs) >= MAX_RUNS:
        return
    run_id = state.new_run_id()
    runs = list(scene.runs)
    runs.insert(index + 1, replace(runs[index], label=""))
    ids = list(st.session_state[state.RUN_IDS])
    ids.insert(index + 1, run_id)
    colours = [opts.colour_of(i) for i in range(len(scene.runs))]
    colours.insert(index + 1, _free_colour(tuple(colours)))
    hidden = frozenset(i + 1 if i > index else i for i in opts.hidden)
    st.session_state[state.SCENE] = scene.replace(runs=tuple(runs))
    st.session_state[state.RUN_IDS] = ids
    st.session_state[state.EXPANDED] = run_id
    state.set_options(colours=tuple(colours), hidden=hidden, selected=0)


def _on_remove_run(index: int) -> None:
    scene, opts = state.scene(), state.options()
    if len(scene.runs) <= 1:
        return
    colours = [opts.colour_of(i) for i in range(len(scene.runs))]
    del colours[index]
    ids = list(st.session_state[state.RUN_IDS])
    del ids[index]
    hidden = frozenset(i - 1 if i > index else i for i in opts.hidden if i != index)
    st.session_state[state.SCENE] = scene.replace(runs=scene.runs[:index] + scene.runs[index + 1 :])
    st.session_state[state.RUN_IDS] = ids
    state.set_options(colours=tuple(colours), hidden=hidden, selected=0)


def _free_colour(used: tuple[int, ...]) -> int:
    for c in range(PALETTE_SIZE):
        if c not in used:
            return c
    return len(used) % PALETTE_SIZE


# -- sections -------------------------------------------------------------------------------------


def _landscape_section(scene: Scenario) -> tuple[str, dict]:
    ls = scene.landscape_spec
    widgets.seed(state.key("landscape"), scene.landscape)
    st.selectbox(
        "Landscape",
        LANDSCAPE_IDS,
        key=state.key("landscape"),
        format_func=lambda i: landscapes.get(i).title,
        on_change=_on_landscape,
    )
    params = {}
    current = scene.resolved_landscape_params()
    for p in ls.params:
        k = state.key(f"landscape:{p.name}")
        if p.scale == "log":
            value = widgets.log_slider(f"{p.meaning} (${p.symbol}$)", k, current[p.name], low=p.low, high=p.high,
                                       ui_low=p.low, ui_high=p.high)  # fmt: skip
        else:
            value = widgets.linear_slider(f"{p.meaning} (${p.symbol}$)", k, current[p.name], ui_low=p.low,
                                          ui_high=p.high, step=1.0)  # fmt: skip
        if value != p.default or p.name in scene.landscape_params:  # what was given stays given
            params[p.name] = value
    return scene.landscape, params


def _start_section(scene: Scenario) -> tuple[tuple[float, float], int]:
    left, right = st.columns(2)
    with left:
        x = widgets.number("Start x", state.key("start_x"), scene.start[0], low=-1e4, high=1e4, step=0.1)
    with right:
        y = widgets.number("Start y", state.key("start_y"), scene.start[1], low=-1e4, high=1e4, step=0.1)
    st.button("Reset to the landscape's start", on_click=_on_reset_start, key=state.key("reset_start"), type="tertiary")
    steps = widgets.number("Steps", state.key("steps"), scene.steps, low=1, high=MAX_STEPS, integer=True, step=50)
    return (x, y), steps


def _noise_section(scene: Scenario) -> Noise:
    noise = scene.noise
    sigma = widgets.number("Gradient noise σ", state.key("sigma"), noise.sigma, low=0.0, high=1000.0, step=0.1,
                           help="g = ∇f + (σ/√B)·ξ with ξ ~ N(0, I); every run sees the same noise.")  # fmt: skip
    left, right = st.columns(2)
    with left:
        batch = widgets.number("Batch size B", state.key("batch"), noise.batch_size, low=1, high=1_000_000, integer=True)
    with right:
        seed = widgets.number("Seed", state.key("seed"), noise.seed, low=0, high=2**31 - 1, integer=True)
    return Noise(sigma, batch, seed)


def _hparam_widget(run_id: int, spec, flavour: str, hp, value):
    k = state.run_key(run_id, f"{spec.id}:{flavour}:{hp.name}")
    label = f"{hp.name} (${hp.symbol}$)" if hp.symbol else hp.name
    if hp.kind == "bool":
        widgets.seed(k, bool(value))
        return st.toggle(label, key=k, help=hp.meaning)
    if hp.scale == "log":
        low = hp.low if not hp.low_open else max(hp.low, 1e-12)
        return widgets.log_slider(label, k, float(value), low=low, high=hp.high, ui_low=hp.ui_low,
                                  ui_high=hp.ui_high, help=hp.meaning)  # fmt: skip
    return widgets.linear_slider(label, k, float(value), ui_low=hp.ui_low, ui_high=hp.ui_high,
                                 step=widgets.slider_step(hp.name, hp.ui_high), help=hp.meaning)  # fmt: skip


def _schedule_section(run_id: int, run: Run, steps: int) -> Schedule:
    k = state.run_key(run_id, "schedule")
    widgets.seed(k, run.schedule.name)
    name = st.selectbox("Learning-rate schedule", SCHEDULE_NAMES, key=k, format_func=lambda n: schedules.get(n).title)
    spec = schedules.get(name)
    given = dict(run.schedule.params) if name == run.schedule.name else {}
    params = {}
    for p in spec.params:
        value = given.get(p.name, _schedule_default(p, steps))
        pk = state.run_key(run_id, f"schedule:{name}:{p.name}")
        if p.kind == "bool":
            widgets.seed(pk, bool(value))
            params[p.name] = st.toggle(p.name, key=pk, help=p.meaning)
        else:
            params[p.name] = widgets.number(p.name, pk, value, low=p.low, high=p.high, integer=p.kind == "int",
                                            help=p.meaning)  # fmt: skip
    # Keep what was given or differs from the default, so a lesson's or a link's schedule
    # comes back exactly as it was written.
    params = {n: v for n, v in params.items() if n in given or v != spec.param(n).default}
    if name != "constant":
        st.latex(spec.formula)
    return Schedule(name, Params(params))


def _schedule_default(param, steps: int):
    """Step counts that fit the scene: a decay over the whole run, a warmup of a tenth, ..."""
    by_name = {"decay_steps": steps, "total_steps": steps, "step_size": max(1, steps // 3),
               "first_decay_steps": max(1, steps // 4), "warmup_steps": max(0, steps // 10)}  # fmt: skip
    if param.kind == "int" and param.name in by_name:
        return by_name[param.name]
    return param.default


def _run_editor(index: int, run_id: int, run: Run, opts: Options, steps: int, n_runs: int) -> tuple[Run, int, bool]:
    spec = optimizers.get(run.optimizer)
    colour = opts.colour_of(index)
    shown = index not in opts.hidden
    title = _title(run, shown)
    expanded = st.session_state.get(state.EXPANDED) == run_id
    # The key keeps the expander (and whether the user opened it) when its title changes.
    with st.expander(title, expanded=expanded, key=state.run_key(run_id, "editor")):
        k_opt, k_flavour = state.run_key(run_id, "optimizer"), state.run_key(run_id, "flavour")
        widgets.seed(k_opt, run.optimizer)
        optimizer = st.selectbox("Optimizer", OPTIMIZER_IDS, key=k_opt, format_func=lambda i: optimizers.get(i).title)
        spec = optimizers.get(optimizer)
        flavours = list(spec.flavours)
        if st.session_state.get(k_flavour) not in flavours:
            st.session_state[k_flavour] = run.flavour if run.flavour in flavours else flavours[0]
        flavour = st.segmented_control("Flavour", flavours, key=k_flavour, required=True,
                                       format_func=lambda f: FLAVOUR_TITLES[f])  # fmt: skip
        if flavour is None:
            flavour = flavours[0]
        note = spec.flavour_notes.get(flavour)
        if note:
            st.caption(note)
        carried = {n: v for n, v in run.hparams.items()}  # values the user chose carry over
        hparams = {}
        for hp in spec.hparams_for(flavour):
            default = hp.default(flavour)
            value = carried.get(hp.name, default)
            if value is REQUIRED:
                value = optimizers.get(spec.id).hparam(hp.name).default("keras")
            chosen = _hparam_widget(run_id, spec, flavour, hp, value)
            if default is REQUIRED or chosen != default or hp.name in carried:  # what was given stays given
                hparams[hp.name] = chosen
        if spec.id == "sgd" and flavour == "pytorch" and hparams.get("nesterov") and not hparams.get("momentum"):
            st.warning("PyTorch's SGD needs momentum > 0 for Nesterov; Nesterov is off until momentum is set.")
            hparams.pop("nesterov")
        schedule = _schedule_section(run_id, run, steps)
        k_label = state.run_key(run_id, "label")
        widgets.seed(k_label, run.label)
        draft = Run(spec.id, flavour, Params(hparams), schedule)
        label = st.text_input("Label", key=k_label, placeholder=auto_label(draft), max_chars=60)
        k_colour = state.run_key(run_id, "colour")
        widgets.seed(k_colour, colour)
        left, right = st.columns(2)
        with left:
            colour = st.selectbox("Colour", range(PALETTE_SIZE), key=k_colour, format_func=lambda c: COLOUR_NAMES[c])
        with right:
            k_shown = state.run_key(run_id, "shown")
            widgets.seed(k_shown, shown)
            shown = st.toggle("Show", key=k_shown)
        start = run.start
        if start is not None:
            st.caption(f"Starts at its own point ({start[0]:g}, {start[1]:g}).")
        a, b = st.columns(2)
        a.button("Duplicate", key=state.run_key(run_id, "dup"), on_click=_on_duplicate_run, args=(index,),
                 disabled=n_runs >= MAX_RUNS, width="stretch")  # fmt: skip
        b.button("Remove", key=state.run_key(run_id, "remove"), on_click=_on_remove_run, args=(index,),
                 disabled=n_runs <= 1, width="stretch")  # fmt: skip
    return Run(spec.id, flavour, Params(hparams), schedule, label.strip(), start), colour, shown


def _title(run: Run, shown: bool) -> str:
    return f"{'●' if shown else '○'} {run.display_label}"


def render(scene: Scenario, opts: Options) -> tuple[Scenario, Options]:
    """Draw the controls; the scene and options they now describe."""
    st.subheader("Landscape")
    landscape, params = _landscape_section(scene)
    start, steps = _start_section(scene)
    with st.expander("Stochastic gradients", expanded=scene.noise.sigma > 0):
        noise = _noise_section(scene)
    st.subheader("Optimizers")
    runs, colours, hidden = [], [], set()
    ids = st.session_state[state.RUN_IDS]
    for index, (run_id, run) in enumerate(zip(ids, scene.runs)):
        run, colour, shown = _run_editor(index, run_id, run, opts, steps, len(scene.runs))
        runs.append(run)
        colours.append(colour)
        if not shown:
            hidden.add(index)
    st.button("+ Add run", on_click=_on_add_run, disabled=len(scene.runs) >= MAX_RUNS, key=state.key("add"),
              width="stretch")  # fmt: skip
    new_scene = Scenario(landscape, tuple(runs), Params(params), start, steps, noise)
    new_opts = replace(opts, colours=tuple(colours), hidden=frozenset(hidden))
    # A run's title is drawn before the widgets inside it are read, so an edit that renames the
    # run (its learning rate, "Show") left the old name on it. Keep the new scene and run once
    # more: the titles are then drawn from it (the engine runs only in that second pass).
    drawn = [_title(run, i not in opts.hidden) for i, run in enumerate(scene.runs)]
    if drawn != [_title(run, i not in hidden) for i, run in enumerate(runs)]:
        st.session_state[state.SCENE] = new_scene
        st.session_state[state.OPTIONS] = new_opts
        st.rerun()
    return new_scene, new_opts
