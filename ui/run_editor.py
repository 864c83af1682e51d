"""One run's editor, in sections, shared by the 2D page's sidebar and the Network page.

    slot = RunSlot(key=lambda name: ..., edit=lambda change, widget=None, part=EDITOR: ..., steps=...,
                   current=lambda: ...)
    optimizer_section(slot, run)        # optimizer and flavour
    hyperparameters_section(slot)       # the flavour's note, a widget per hyperparameter of that optimizer × flavour
    schedule_section(slot, run)         # the learning-rate schedule and its parameters

A page says where a run's widgets live (`RunSlot.key`: a widget key from a part's name) and how
a change reaches its scene (`RunSlot.edit`: a function of the run to the new run, applied in a
callback before the page is drawn, the widget to put back if the scene rejects the change).
The sections only read the run and call `edit`: the same widgets, labels, ranges and rules on
both pages (a new optimizer keeps the hyperparameters it shares with the old one, a schedule
starts with step counts that fit the training).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import streamlit as st

import optimizers
from descent import Params, Run, Schedule
from descent.scenario import method_title
from optimizers import REQUIRED, schedules
from optimizers.spec import FLAVOUR_TITLES
from ui import widgets

OPTIMIZER_IDS = optimizers.ids()
SCHEDULE_NAMES = list(schedules.BY_NAME)

Change = Callable[[Run], Run]


@dataclass(frozen=True)
class RunSlot:
    """Where one run's widgets live and where its edits go."""

    key: Callable[[str], str]  # the widget key of a part ("optimizer", "flavour", "schedule", ...)
    # edit(change: Run -> Run, widget: str | None = None, part: str | None = EDITOR): `part` is
    # what of the editor the edit redraws (besides the views): all of it, one part of it (a log
    # slider's pair), or None when the edited widget already shows everything the edit changed.
    edit: Callable[..., None]
    steps: int  # the updates of a whole training: what a new schedule's step counts fit
    # The run as the session holds it now: a part of the editor that reruns alone has the
    # arguments of the editor's last run, which an edit since may have made stale.
    current: Callable[[], Run]


value, seeded = widgets.current, widgets.seeded
EDITOR = "editor"  # an edit that redraws the whole editor (`RunSlot.edit`'s default `part`)


# -- callbacks -------------------------------------------------------------------------------------


def carried(spec, flavour: str, given) -> Params:
    """The hyperparameters `given` that `spec` has in `flavour` (the user's choices carry over
    to another optimizer or flavour), plus any the flavour requires (optax's learning rate)."""
    hparams = {name: value for name, value in given.items()
               if any(hp.name == name for hp in spec.hparams_for(flavour))}  # fmt: skip
    for hp in spec.hparams_for(flavour):
        if hp.default(flavour) is REQUIRED and hp.name not in hparams:
            hparams[hp.name] = spec.hparam(hp.name).default("keras")
    return Params(hparams)


def _on_optimizer(slot: RunSlot) -> None:
    spec = optimizers.get(value(slot.key("optimizer")))

    def change(run: Run) -> Run:
        flavour = run.flavour if run.flavour in spec.flavours else spec.flavours[0]
        widgets.renew(slot.key("flavour"))  # drawn anew, with this optimizer's flavours
        return Run(spec.id, flavour, carried(spec, flavour, run.hparams), run.schedule, run.label, run.start)

    slot.edit(change)


def _on_flavour(slot: RunSlot) -> None:
    flavour = value(slot.key("flavour"))

    def change(run: Run) -> Run:
        spec = optimizers.get(run.optimizer)
        chosen = flavour if flavour in spec.flavours else run.flavour  # the control is required=True
        return Run(run.optimizer, chosen, carried(spec, chosen, run.hparams), run.schedule, run.label, run.start)

    slot.edit(change, part=hyperparameters_part(slot))


def _on_hparam(slot: RunSlot, name: str, new, widget: str, part: str | None) -> None:
    slot.edit(lambda run: replace(run, hparams=Params({**run.hparams, name: new})), widget, part=part)


def _on_schedule(slot: RunSlot) -> None:
    name = value(slot.key("schedule"))
    spec = schedules.get(name)
    # Step counts that fit the training (a decay over the whole run, ...); what equals the
    # schedule's own default is left out.
    params = {p.name: schedule_default(p, slot.steps) for p in spec.params}
    params = {n: v for n, v in params.items() if v != spec.param(n).default}
    slot.edit(lambda run: replace(run, schedule=Schedule(name, Params(params))))


def _on_schedule_param(slot: RunSlot, name: str, key: str) -> None:
    new = value(key)

    def change(run: Run) -> Run:
        return replace(run, schedule=Schedule(run.schedule.name, Params({**run.schedule.params, name: new})))

    slot.edit(change)


def schedule_default(param, steps: int):
    """Step counts that fit the training: a decay over the whole run, a warmup of a tenth, ..."""
    by_name = {"decay_steps": steps, "total_steps": steps, "step_size": max(1, steps // 3),
               "first_decay_steps": max(1, steps // 4), "warmup_steps": max(0, steps // 10)}  # fmt: skip
    if param.kind == "int" and param.name in by_name:
        return by_name[param.name]
    return param.default


# -- sections --------------------------------------------------------------------------------------


def optimizer_section(slot: RunSlot, run: Run) -> None:
    """The optimizer and its flavour."""
    spec = optimizers.get(run.optimizer)
    st.selectbox("Optimizer", OPTIMIZER_IDS, key=seeded(slot.key("optimizer"), run.optimizer),
                 format_func=lambda i: optimizers.get(i).title, on_change=_on_optimizer, args=(slot,))  # fmt: skip
    st.segmented_control("Flavour", list(spec.flavours), key=seeded(slot.key("flavour"), run.flavour), required=True,
                         format_func=lambda f: FLAVOUR_TITLES[f], on_change=_on_flavour, args=(slot,))  # fmt: skip


# Symbols of hyperparameters as text: a label with $math$ is typeset by KaTeX in the browser
# every time the editor is redrawn, which is on every edit of its run.
SYMBOLS = {r"\eta": "η", r"\epsilon": "ε", r"\beta_1": "β₁", r"\beta_2": "β₂", r"\rho": "ρ", r"\mu": "μ",
           r"\lambda": "λ", "a_0": "a₀"}  # fmt: skip


def hparam_label(hp) -> str:
    """'learning_rate (η)': the name and its symbol, as text where it has one."""
    if not hp.symbol:
        return hp.name
    return f"{hp.name} ({SYMBOLS[hp.symbol]})" if hp.symbol in SYMBOLS else f"{hp.name} (${hp.symbol}$)"


def hparam_key(slot: RunSlot, run: Run, name: str) -> str:
    """A hyperparameter's widget key: per optimizer and flavour, so that each keeps its own widget."""
    return slot.key(f"{run.optimizer}:{run.flavour}:{name}")


def _hparam_widget(slot: RunSlot, run: Run, hp, current) -> None:
    k = hparam_key(slot, run, hp.name)
    label = hparam_label(hp)
    # A toggle or a slider shows its new value already: its edit redraws nothing of the editor
    # (unless the edit is refused, or renames the run). A log slider's pair says what of it to redraw.
    if hp.kind == "bool":
        st.toggle(label, key=seeded(k, bool(current)), help=hp.meaning,
                  on_change=lambda: _on_hparam(slot, hp.name, bool(value(k)), k, None))  # fmt: skip
        return
    if hp.scale == "log":
        low = hp.low if not hp.low_open else max(hp.low, 1e-12)
        widgets.log_slider(label, k, float(current), low=low, high=hp.high, ui_low=hp.ui_low, ui_high=hp.ui_high,
                           help=hp.meaning, on_change=lambda v, part: _on_hparam(slot, hp.name, v, k, part))  # fmt: skip
        return
    widgets.linear_slider(label, k, float(current), ui_low=hp.ui_low, ui_high=hp.ui_high,
                          step=widgets.slider_step(hp.name, hp.ui_high), help=hp.meaning,
                          on_change=lambda v: _on_hparam(slot, hp.name, v, k, None))  # fmt: skip


def hyperparameters_part(slot: RunSlot) -> str:
    """The key of the part of the page that is a run's hyperparameters section."""
    return slot.key("hyperparameters")


def hyperparameters_section(slot: RunSlot) -> None:
    """What the flavour's implementation does differently, and a widget per hyperparameter of
    the run's optimizer in that flavour (log sliders with an exact box for rates and epsilons,
    toggles for flags). A part of its own: another flavour redraws it alone."""

    def draw() -> None:
        run = slot.current()
        spec = optimizers.get(run.optimizer)
        note = spec.flavour_notes.get(run.flavour)
        if note:
            st.caption(note)
        values = run.resolved_hparams()
        for hp in spec.hparams_for(run.flavour):
            _hparam_widget(slot, run, hp, values[hp.name])

    st.fragment(draw, key=hyperparameters_part(slot))()


def schedule_section(slot: RunSlot, run: Run) -> None:
    """The learning-rate schedule, its parameters and its formula."""
    k = slot.key("schedule")
    st.selectbox("Learning-rate schedule", SCHEDULE_NAMES, key=seeded(k, run.schedule.name),
                 format_func=lambda n: schedules.get(n).title, on_change=_on_schedule, args=(slot,))  # fmt: skip
    spec = schedules.get(run.schedule.name)
    values = run.schedule.resolved()
    for p in spec.params:
        pk = slot.key(f"schedule:{spec.name}:{p.name}")
        if p.kind == "bool":
            st.toggle(p.name, key=seeded(pk, bool(values[p.name])), help=p.meaning, on_change=_on_schedule_param,
                      args=(slot, p.name, pk))  # fmt: skip
        else:
            widgets.number(p.name, pk, values[p.name], low=p.low, high=p.high, integer=p.kind == "int", help=p.meaning,
                           on_change=lambda name=p.name, key=pk: _on_schedule_param(slot, name, key))  # fmt: skip
    if spec.name != "constant":
        st.latex(spec.formula)


def run_name(run: Run, index: int) -> str:
    """"Run 4: Adam", or "Run 4: my label": what names a run in its editor's title and in selects
    of runs. Unlike the run's label on the map ("Adam lr=0.05 (PyTorch)"), neither a value nor the
    flavour is in it (the editor shows both), so such an edit renames nothing that the sidebar
    shows, and redraws nothing of it but the edited run's editor."""
    if run.label:
        return f"Run {index + 1}: {run.label}"
    return f"Run {index + 1}: {method_title(run)}"

