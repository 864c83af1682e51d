"""The step inspector: one step of one run, the flavour's equations with that step's numbers.

Every number comes from `descent.explain` (the optimizer's own update, through the seam in
optimizers/explain.py); this module only lays them out. The run and the step live in the URL
(`selected`, `step`).
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np
import streamlit as st

import descent
import optimizers
import viz
from optimizers import explain as seam
from optimizers.spec import FLAVOUR_TITLES
from ui import live_chart, state, widgets
from viz.overlays import KINDS as OVERLAY_KINDS
from viz.overlays import SHARE, Overlays
from viz.overlays import COLOURS as OVERLAY_COLOURS
from viz.overlays import TITLES as OVERLAY_TITLES

# The order in which quantities are listed; names not here follow in their own order.
ORDER = (
    "point", "true_gradient", "noise", "gradient", "g", "learning_rate", "t", "bias_correction1", "bias_correction2",
    "alpha", "mu_t", "mu_next", "m_hat", "v_hat", "delta", "direction", "increment", "effective_lr", "update", "next_point",
)  # fmt: skip
MEANINGS = {
    "point": "the point p_k",
    "true_gradient": "∇f(p_k), the true gradient",
    "noise": "the noise added to it",
    "gradient": "the gradient the optimizer received",
    "g": "the gradient with the L2 term λp (PyTorch's weight decay)",
    "learning_rate": "η at this step (from the schedule)",
    "t": "update count after this step",
    "bias_correction1": "1 − β1^t",
    "bias_correction2": "1 − β2^t",
    "alpha": "α_t, the bias-corrected step size",
    "mu_t": "μ_t, the momentum at t",
    "mu_next": "μ_{t+1}",
    "m_hat": "m̂, the (bias-corrected) first moment the step follows",
    "v_hat": "v̂, the bias-corrected second moment",
    "delta": "Δ, the unscaled step",
    "direction": "the direction the step takes",
    "increment": "η·g/√(v + ε), this step's increment",
    "effective_lr": "each coordinate's effective learning rate",
    "update": "Δp, what is added to the point",
    "next_point": "p_{k+1}",
}
NUMBER = "{:.9g}"  # enough digits to give back the float32 exactly


def equation_lines(latex: str) -> list[str]:
    """A catalogue equation split at its `;` separators, one update per line."""
    parts = [p.strip() for p in latex.replace(r";\quad", ";").replace(r";\ ", ";").split(";")]
    return [p.removeprefix(r"\quad").strip() for p in parts if p]


def _vec(x) -> str:
    a = np.atleast_1d(np.asarray(x))
    if a.size == 1:
        return _num(a[0])
    return r"\begin{pmatrix}" + r" \\ ".join(_num(v) for v in a) + r"\end{pmatrix}"


def _num(v) -> str:
    v = float(v) + 0.0  # −0.0 (zero noise times a negative ξ) is written 0
    return r"\text{nan}" if not np.isfinite(v) else f"{v:.5g}".replace("e", r"\mathrm{e}")


def state_rules(e: dict, hp: dict) -> dict[str, str]:
    """Each buffer's update as the catalogue's equation writes it, with this step's numbers on
    the right-hand side (the result, on the left, is the optimizer's own `state_after`)."""
    if not hp:
        return {}
    opt, fl = e["optimizer"], e["flavour"]
    before = e["state_before"]
    g = e.get("g", e["gradient"])  # PyTorch's g already holds its L2 term
    g2 = rf"{_vec(g)}^{{2}}"

    def ema(decay, name, x):
        d = float(hp[decay])
        return rf"{_num(d)}\,{_vec(before[name])} + {_num(1.0 - d)}\,{x}"

    rules: dict[str, str] = {}
    if opt == "sgd" and "momentum" in hp:
        mu = _num(hp["momentum"])
        rules["velocity"] = (rf"{mu}\,{_vec(before['velocity'])} - {_num(e['learning_rate'])}\,{_vec(g)}" if fl == "keras"
                             else rf"{mu}\,{_vec(before['velocity'])} + {_vec(g)}")  # fmt: skip
    elif opt == "adagrad":
        rules["accumulator"] = rf"{_vec(before['accumulator'])} + {g2}"
    elif opt == "rmsprop":
        rules["v"] = ema("rho", "v", g2)
    elif opt in ("adam", "adamw", "nadam"):
        rules["m"], rules["v"] = ema("beta1", "m", _vec(g)), ema("beta2", "v", g2)
    elif opt == "adamax":
        rules["m"] = ema("beta1", "m", _vec(g))
        plus = "" if fl == "keras" else rf" + {_num(hp['epsilon'])}"
        rules["u"] = rf"\max\left({_num(hp['beta2'])}\,{_vec(before['u'])},\ |{_vec(g)}|{plus}\right)"
    elif opt == "adadelta":
        rules["E_g"] = ema("rho", "E_g", g2)
        rules["E_delta"] = ema("rho", "E_delta", rf"{_vec(e['delta'])}^{{2}}") if "delta" in e else None
    elif opt == "lion":
        rules["m"] = ema("beta2", "m", _vec(g))
    return {k: v for k, v in rules.items() if v is not None}


def substituted(e: dict, hparams: dict | None = None) -> list[str]:
    """The step's equations with its numbers: the gradient, each buffer's update with the
    numbers put in (`state_rules`), the effective learning rate, the update and the next point."""
    opt, fl = e["optimizer"], e["flavour"]
    sym = lambda name: seam.symbol(name, opt, fl)
    lines = [
        rf"g = \nabla f(p) + \text{{noise}} = {_vec(e['true_gradient'])} + {_vec(e['noise'])} = {_vec(e['gradient'])}",
        rf"\eta_t = {_num(e['learning_rate'])},\quad t = {e['t']}",
    ]
    corrections = [rf"{sym(n)} = {_num(e[n])}" for n in ("bias_correction1", "bias_correction2") if n in e]
    if corrections:
        lines.append(r",\quad ".join(corrections))
    rules = state_rules(e, hparams or {})
    for name, before in e["state_before"].items():
        rule = rules.get(name)
        if rule is None:
            lines.append(rf"{sym(name)}:\ {_vec(before)} \;\to\; {_vec(e['state_after'][name])}")
        else:
            lines.append(rf"{sym(name)} \leftarrow {rule} = {_vec(e['state_after'][name])}")
    if "m_hat" in e:
        lines.append(rf"\hat m = {_vec(e['m_hat'])}")
    if "effective_lr" in e:
        follows = r"\hat m" if "m_hat" in e else "g"
        lines.append(rf"\eta_{{\mathrm{{eff}}}} = {_vec(e['effective_lr'])}\quad(\text{{multiplies }} {follows})")
    lines.append(rf"p_{{k+1}} = p_k + \Delta p = {_vec(e['point'])} + {_vec(e['update'])} = {_vec(e['next_point'])}")
    return lines


def numbers(e: dict) -> dict[str, list[str]]:
    """Every number of the step as a table (columns of text; x and y per coordinate)."""
    rows: list[tuple[str, str, object]] = []
    names = [n for n in ORDER if n in e] + [n for n in e if n not in ORDER and n not in _NOT_NUMBERS]
    for name in names:
        rows.append((name, MEANINGS.get(name, name), e[name]))
        if name == "learning_rate":
            for when in ("state_before", "state_after"):
                for buffer, value in e[when].items():
                    rows.append((f"{when}.{buffer}", f"{buffer} {when.split('_')[1]} the step", value))
    table: dict[str, list[str]] = {"quantity": [], "meaning": [], "x": [], "y": []}
    for name, meaning, value in rows:
        a = np.atleast_1d(np.asarray(value))
        table["quantity"].append(name)
        table["meaning"].append(meaning)
        table["x"].append(_text(a[0]))
        table["y"].append(_text(a[1]) if a.size > 1 else "")
    return table


_NOT_NUMBERS = {"state_before", "state_after", "optimizer", "flavour", "step", "loss"}


def _text(v) -> str:
    if np.asarray(v).dtype.kind in "iu":
        return str(int(v))
    return NUMBER.format(float(v))


def _move(key: str, delta: int, last: int) -> None:
    st.session_state[key] = int(np.clip(st.session_state[key] + delta, 0, last))


def draw(ctx) -> None:
    scene, opts, result = ctx.scene, ctx.opts, ctx.result
    labels = [run.display_label for run in scene.runs]
    run = widgets.run_select("Run", labels, state.key("inspect_run"), opts.selected, on_change=_on_inspect_run)
    steps = len(result.runs[run].path) - 1
    if steps < 1:
        st.info("This run has no step to inspect (it diverged at its start).")
        return
    step_key = state.key("inspect_step")
    if step_key not in st.session_state:
        st.session_state[step_key] = min(opts.step, steps - 1)
    st.session_state[step_key] = min(st.session_state[step_key], steps - 1)
    back, slider, forward = st.columns([1, 12, 1], vertical_alignment="bottom")
    back.button("←", key=state.key("inspect_back"), on_click=_move, args=(step_key, -1, steps - 1), help="previous step")
    forward.button("→", key=state.key("inspect_forward"), on_click=_move, args=(step_key, 1, steps - 1), help="next step")
    if steps > 1:
        step = slider.slider("Step k", 0, steps - 1, key=step_key)
    else:
        step = 0
        slider.markdown("Step k = 0 (the run's only step)")
    state.set_options(selected=run, step=step)
    e = descent.explain(scene, run=run, step=step)
    spec = optimizers.get(e["optimizer"])
    st.markdown(f"**{spec.title}**, {FLAVOUR_TITLES[e['flavour']]} flavour: step k = {step}, from point k to point k + 1.")
    for line in equation_lines(spec.equations[e["flavour"]]):
        st.latex(line)
    st.markdown("**With this step's numbers**")
    for line in substituted(e, scene.runs[run].resolved_hparams()):
        st.latex(line)
    st.table(numbers(e), border="horizontal")
    st.markdown("**Each coordinate's step**: the effective learning rate along x and along y at every step "
                "(η where the method does not scale coordinates), and the bias corrections 1 − β^t of the first steps.")
    _step_sizes(ctx, step)


def _step_sizes(ctx, step: int) -> None:
    inputs = ctx.figure_inputs
    steps = [explained_steps(ctx.scene, i) for i in range(len(ctx.scene.runs))]
    spec = viz.step_sizes_spec(steps, labels=[r.label for r in ctx.result.runs], colours=inputs["colours"],
                               visible=inputs["visible"], current_step=step)  # fmt: skip
    live_chart.chart(live_chart.figure_json(viz.compact(spec)), key="step_sizes", height=spec["layout"]["height"], config={"displaylogo": False})


# -- state overlays on the map ---------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def explained_steps(scene, run: int) -> dict:
    """`descent.explain_steps`, once per scene and run: the map's overlays and its key (two
    figures built on each edit) and the step-size chart all read them."""
    return descent.explain_steps(scene, run=run)


def map_overlays(scene, opts) -> dict | None:
    """The map's `overlays` argument for the selected run, None when every kind is off."""
    if not opts.overlays or not scene.runs:
        return None
    run = min(opts.selected, len(scene.runs) - 1)
    return {"run": run, "steps": explained_steps(scene, run), "kinds": list(opts.overlays)}


def _selected_in(key: str, labels: list[str] | None = None) -> int:
    labels = labels if labels is not None else [run.display_label for run in state.scene().runs]
    return widgets.run_index(st.session_state[key], labels)


def _on_inspect_run() -> None:
    state.set_options(selected=_selected_in(state.key("inspect_run")))


def _on_overlays(key: str, run_key: str) -> None:
    kinds = tuple(k for k in OVERLAY_KINDS if k in (st.session_state[key] or ()))
    selected, opts = _selected_in(run_key, state.run_names()), state.options()
    if (kinds, selected) == (opts.overlays, opts.selected):
        return  # the select redrawn with new names reports its unchanged choice
    state.set_options(overlays=kinds, selected=selected)
    state.refresh(state.OVERLAYS_PART)


def overlay_scales(scene, opts, result, grid) -> tuple[str, list[tuple[str, str, float]]] | None:
    """What the map's key says of the overlays drawn: which run, how the scales were chosen, and
    (title, colour, factor) per kind; None when none are drawn."""
    overlays = map_overlays(scene, opts)
    if overlays is None or overlays["run"] >= len(result.runs) or overlays["run"] in opts.hidden:
        return None
    span = min(float(grid[0][-1] - grid[0][0]), float(grid[1][-1] - grid[1][0]))
    run_result = result.runs[overlays["run"]]
    drawn = Overlays(overlays["steps"], run_result.path, overlays["kinds"], span, run_result.label)
    note = (f"Overlays of {run_result.label} at the animated step, one scale per kind over the run "
            f"(the longest is {SHARE:.0%} of the view):" + ("" if drawn.kinds else " none for this optimizer."))  # fmt: skip
    return note, [(OVERLAY_TITLES[k], OVERLAY_COLOURS[k], float(drawn.factors[k])) for k in drawn.kinds]


def overlay_controls() -> None:
    """A toggle per kind of overlay, and the run they are drawn for (below the map, in a part of
    the page of their own: an edit of the scene redraws them only when the runs' names change,
    see state.refresh)."""
    opts = state.options()
    labels = state.run_names()  # no value in them: an edit of a value leaves this part alone
    st.session_state[state.OVERLAY_LABELS] = labels
    # The run select is a new widget whenever the runs' names change: a value its browser side
    # still holds for the old names must not read as a choice among the new ones.
    names = hashlib.blake2b("\n".join(labels).encode(), digest_size=4).hexdigest()
    key, run_key = state.key("overlays"), state.key(f"overlay_run:{names}")
    if key not in st.session_state:
        st.session_state[key] = list(opts.overlays)
    kinds, run = st.columns([3, 2], vertical_alignment="bottom")
    kinds.pills("State overlays", OVERLAY_KINDS, selection_mode="multi", key=key, format_func=OVERLAY_TITLES.get,
                on_change=_on_overlays, args=(key, run_key))  # fmt: skip
    widgets.run_select("for run", labels, run_key, opts.selected, container=run, on_change=_on_overlays,
                       args=(key, run_key))  # fmt: skip
