"""The sidebar's controls of a data landscape (data set, model, size, seed, standardize) and of
its minibatches, and the sentence saying which kind of gradient noise is in effect.

A data landscape is "Data…" in the landscape picker; its scene is the training loss of a model
with parameters (w, b) (landscapes.data), its noise true minibatches (descent.minibatch).
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

import datasets
import landscapes
from descent import Minibatch, Noise, Scenario, ScenarioError
from descent import minibatch as mb
from ui import state, widgets

DATA = "data"  # the picker's "Data…" entry
DEFAULT_DATA = {"name": "noisy_line", "size": 200, "seed": 0, "standardize": False}
DEFAULT_MODEL = "linear_regression"
DEFAULT_BATCH = 32
# A model's default data set, when the chosen one does not fit it (logistic needs labels 0/1).
FITTING = {"linear_regression": "noisy_line", "logistic_regression": "two_blobs"}


def fits(model: str, name: str) -> bool:
    return model == "linear_regression" or datasets.SPECS[name].kind == "binary"


def data_scene(scene: Scenario, dataset: dict, model: str, minibatch: Minibatch | None) -> Scenario:
    """A data landscape with the scene's runs (at the new landscape's start) and steps."""
    return Scenario(DATA, tuple(replace(r, start=None) for r in scene.runs), steps=scene.steps, noise=Noise(),
                    dataset=dataset, model=model, minibatch=minibatch)  # fmt: skip


def default_scene(scene: Scenario) -> Scenario:
    return data_scene(scene, DEFAULT_DATA, DEFAULT_MODEL, None)


_value, _seeded = widgets.current, widgets.seeded


def _stale(name: str) -> bool:
    """A callback of a widget of an earlier scene: in the rerun where a lesson (or any new scene)
    replaced this one, Streamlit may still report the old widgets' values after the lesson's
    callback ran; the new scene's widgets do not exist yet, and the old value means nothing."""
    return widgets.versioned(state.key(name)) not in st.session_state


def _on_data(changed: str) -> None:
    """A new data set, model, size, seed or standardization: a new landscape (its domain and
    minimum), so the whole page is redrawn from it."""
    if _stale(f"data:{changed}"):
        return
    scene = state.scene()
    dataset = dict(scene.dataset)
    model = scene.model
    if changed == "name":
        dataset["name"] = _value(state.key("data:name"))
        dataset["size"] = datasets.SPECS[dataset["name"]].default_size
        if not fits(model, dataset["name"]):
            model = DEFAULT_MODEL
    elif changed == "model":
        model = _value(state.key("data:model"))
        if not fits(model, dataset["name"]):
            dataset["name"] = FITTING[model]
            dataset["size"] = datasets.SPECS[dataset["name"]].default_size
    else:
        dataset[changed] = _value(state.key(f"data:{changed}"))
    try:
        new = data_scene(scene, dataset, model, scene.minibatch)
    except ScenarioError as e:
        state.notice(f"That change was not applied: {e}.")
        widgets.renew(state.key(f"data:{changed}"))
        state.refresh(state.LANDSCAPE_PART)
        return
    state.replace_scene(new, replace(state.options(), lesson=None))


def render_data(scene: Scenario) -> None:
    """Data set, model, size, seed and standardize."""
    d = scene.dataset
    st.selectbox("Data set", datasets.NAMES, key=_seeded(state.key("data:name"), d["name"]),
                 format_func=lambda n: datasets.SPECS[n].title, on_change=_on_data, args=("name",))  # fmt: skip
    st.selectbox("Model", list(landscapes.data.MODELS), key=_seeded(state.key("data:model"), scene.model),
                 format_func=lambda m: landscapes.data.MODELS[m], on_change=_on_data, args=("model",))  # fmt: skip
    left, right = st.columns(2)
    spec = datasets.SPECS[d["name"]]
    with left:
        widgets.number("Size n", state.key("data:size"), d["size"], low=datasets.MIN_SIZE, high=spec.count, integer=True,
                       step=10, on_change=lambda: _on_data("size"))  # fmt: skip
    with right:
        widgets.number("Data seed", state.key("data:seed"), d["seed"], low=0, high=2**31 - 1, integer=True,
                       help="Draws a generated set, or a real set's subset when n is below its size.",
                       on_change=lambda: _on_data("seed"))  # fmt: skip
    st.toggle("Standardize x (mean 0, std 1)", key=_seeded(state.key("data:standardize"), d["standardize"]),
              on_change=_on_data, args=("standardize",))  # fmt: skip
    st.caption("The map's horizontal axis is the weight w, its vertical axis the bias b; the marked point is "
               "the exact minimum of the full-data loss.")  # fmt: skip


def _on_minibatch() -> None:
    if _stale("mb:on"):
        return
    on = bool(_value(state.key("mb:on")))
    if not on:
        rule = None
    else:
        current = state.scene().minibatch or Minibatch(DEFAULT_BATCH)
        k_batch, k_shuffle, k_seed = (widgets.versioned(state.key(n)) for n in ("mb:batch", "mb:shuffle", "mb:seed"))
        rule = Minibatch(st.session_state.get(k_batch, current.batch_size), st.session_state.get(k_shuffle, current.shuffle),
                         st.session_state.get(k_seed, current.seed))  # fmt: skip
    # The whole page reruns (no `state.refresh`): the minibatch controls and the header's
    # sentence on the noise are outside the parts that rerun alone.
    try:
        st.session_state[state.SCENE] = state.scene().replace(minibatch=rule)
    except ScenarioError as e:
        state.notice(f"That change was not applied: {e}.")
        widgets.renew(state.key("mb:batch"), state.key("mb:seed"))


def render_minibatch(scene: Scenario) -> None:
    """Minibatches on or off (full batch), batch size, shuffle and seed; and the epochs."""
    rule = scene.minibatch
    st.toggle("Minibatches", key=_seeded(state.key("mb:on"), rule is not None), on_change=_on_minibatch,
              help="Each step descends the mean loss of one batch; off: the whole data (full-batch gradient descent).")  # fmt: skip
    if rule is not None:
        widgets.number("Batch size B", state.key("mb:batch"), rule.batch_size, low=1, high=scene.data_size, integer=True,
                       on_change=_on_minibatch)  # fmt: skip
        left, right = st.columns(2)
        with left:
            st.toggle("Shuffle each epoch", key=_seeded(state.key("mb:shuffle"), rule.shuffle), on_change=_on_minibatch)
        with right:
            widgets.number("Batch seed", state.key("mb:seed"), rule.seed, low=0, high=2**31 - 1, integer=True,
                           on_change=_on_minibatch)  # fmt: skip
    st.caption(noise_sentence(scene))


def noise_sentence(scene: Scenario) -> str:
    """Which kind of gradient noise is in effect, and for minibatches the epochs."""
    if scene.dataset is not None:
        n = scene.data_size
        if scene.minibatch is None:
            return f"Full-batch gradients on all n = {n} rows: no noise; {scene.steps} steps = {scene.steps} epochs."
        b = min(scene.minibatch.batch_size, n)
        per = mb.batches_per_epoch(n, b)
        last = n - (per - 1) * b
        partial = f", the last one of {last}" if last != b else ""
        return (f"Noise: true minibatches of B = {b} of n = {n} rows ({per} steps per epoch{partial}); "
                f"{scene.steps} steps = {mb.epochs(scene.steps, n, b):.3g} epochs.")  # fmt: skip
    if scene.noise.sigma > 0:
        return f"Noise: a Gaussian model, g = ∇f + (σ/√B)·ξ with σ = {scene.noise.sigma:g}, B = {scene.noise.batch_size}."
    return "No gradient noise."
