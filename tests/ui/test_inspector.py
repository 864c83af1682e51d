"""The step inspector: its numbers are descent.explain's, its run and step live in the URL."""

from __future__ import annotations

import json

import numpy as np
import pytest

import descent
from tests.ui.test_app import app, clean, query, scene
from ui import inspector, links, state
from ui.defaults import DEFAULT_SCENARIO
from ui.links import Options, encode
from tests.viz.plain import frame_step


def shown(at) -> dict[str, list[str]]:
    tables = [t.value for t in at.table]
    assert tables, "no table of numbers"
    return {col: list(tables[-1][col]) for col in tables[-1].columns}


def assert_numbers_are_explains(table: dict, e: dict) -> None:
    """Each row of the table gives back explain's float32 exactly."""
    rows = dict(zip(table["quantity"], zip(table["x"], table["y"])))

    def value(name):
        if name.startswith("state_"):
            when, buffer = name.split(".")
            return e[when][buffer]
        return e[name]

    checked = 0
    for name, (x, y) in rows.items():
        expected = np.atleast_1d(np.asarray(value(name)))
        got = np.asarray([float(x)] + ([float(y)] if y else []))
        if expected.dtype.kind == "f":
            assert expected.dtype == np.float32 and np.array_equal(got.astype(np.float32), expected, equal_nan=True), name
        else:
            assert np.array_equal(got, expected.astype(float)), name
        checked += 1
    for name in ("point", "gradient", "learning_rate", "update", "next_point"):
        assert name in rows
    for buffer in e["state_before"]:
        assert f"state_before.{buffer}" in rows and f"state_after.{buffer}" in rows
    assert checked >= 8


def test_the_inspector_shows_explains_numbers_and_keeps_run_and_step_in_the_url():
    at = app(encode(DEFAULT_SCENARIO, Options(view="Inspector", selected=3, step=5)))
    clean(at)
    s = scene(at)
    run = s.runs[3]
    assert at.selectbox(key="g0:inspect_run").value == 3
    assert at.slider(key="g0:inspect_step").value == 5
    e = descent.explain(s, run=3, step=5)
    assert_numbers_are_explains(shown(at), e)
    assert "effective_lr" in shown(at)["quantity"] or run.optimizer == "sgd"
    # The flavour's equations, then the same with the step's numbers.
    latex = [m.value for m in at.latex]
    assert any(r"\begin{pmatrix}" in line for line in latex)
    # → moves one step, and the link follows.
    at.button(key="g0:inspect_forward").click().run()
    clean(at)
    assert at.slider(key="g0:inspect_step").value == 6
    assert query(at)["step"] == "6" and query(at)["selected"] == "3" and query(at)["view"] == "Inspector"
    assert_numbers_are_explains(shown(at), descent.explain(s, run=3, step=6))
    # ← twice, and the slider.
    at.button(key="g0:inspect_back").click().run()
    at.button(key="g0:inspect_back").click().run()
    assert at.slider(key="g0:inspect_step").value == 4
    at.slider(key="g0:inspect_step").set_value(123).run()
    clean(at)
    assert_numbers_are_explains(shown(at), descent.explain(s, run=3, step=123))
    # Another run.
    at.selectbox(key="g0:inspect_run").set_value(0).run()
    clean(at)
    assert query(at).get("selected") is None  # run 0 is the default
    assert_numbers_are_explains(shown(at), descent.explain(s, run=0, step=123))


def test_a_bad_step_in_the_link_is_one_warning():
    link = encode(DEFAULT_SCENARIO, Options(view="Inspector")) | {"step": "-3"}
    at = app(link)
    clean(at)
    assert len(at.warning) == 1 and "step" in at.warning[0].value
    assert at.slider(key="g0:inspect_step").value == 0


def test_step_round_trips_through_the_link():
    opts = Options(view="Inspector", selected=2, step=41)
    assert links.parse(encode(DEFAULT_SCENARIO, opts)).options == opts


@pytest.mark.parametrize("latex,count", [(r"a \leftarrow a + g^2;\quad p \leftarrow p - \eta g", 2)])
def test_equation_lines_split_the_catalogue_equation(latex, count):
    assert inspector.equation_lines(latex) == [r"a \leftarrow a + g^2", r"p \leftarrow p - \eta g"][:count]


def test_a_step_past_the_run_shown_from_a_link_is_clamped():
    at = app(encode(DEFAULT_SCENARIO, Options(view="Inspector", step=99_999)))
    clean(at)
    last = len(at.session_state["result"].runs[0].path) - 2
    assert at.slider(key="g0:inspect_step").value == last
    assert at.session_state[state.OPTIONS].step == last


def test_overlay_toggles_draw_the_selected_runs_state_on_the_map_and_live_in_the_url():
    from tests.ui.test_app import map_spec

    at = app()
    clean(at)
    # On by default, for the selected run (the first, SGD: no per-coordinate rate); nothing of
    # them in the link.
    default = {t["meta"] for t in map_spec(at)["data"] if str(t.get("meta", "")).startswith("overlay:")}
    assert {"overlay:gradient", "overlay:step"} <= default and "overlay:box" not in default
    assert "overlays" not in query(at)
    at.button_group(key="g0:overlays").set_value([]).run()
    assert not [t for t in map_spec(at)["data"] if str(t.get("meta", "")).startswith("overlay:")]
    assert query(at)["overlays"] == "none" and app(query(at)).session_state[state.OPTIONS].overlays == ()
    next(s for s in at.selectbox if s.label == "for run").set_value(3).run()
    at.button_group(key="g0:overlays").set_value(["gradient", "step", "box"]).run()
    clean(at)
    assert query(at)["overlays"] == "gradient,step,box" and query(at)["selected"] == "3"
    spec = map_spec(at)
    overlays = {t["meta"]: t for t in spec["data"] if str(t.get("meta", "")).startswith("overlay:")}
    assert set(overlays) == {"overlay:gradient", "overlay:step", "overlay:box"}
    run = scene(at).runs[3]
    assert run.display_label in overlays["overlay:step"]["name"]
    factor = overlays["overlay:step"]["name"].rsplit("×", 1)[1]
    header = json.loads(at.get("bidi_component")[0].proto.json)["header"]  # the map's key, drawn above it
    assert f"step taken ×{factor}" in header and run.display_label in header  # the scale, stated by the map
    # In frame k the step arrow starts at the run's point k and follows explain's update.
    animated = spec["frames"][0]["traces"]
    step_index = next(i for i, t in enumerate(spec["data"]) if t.get("meta") == "overlay:step")
    factor = float(overlays["overlay:step"]["name"].rsplit("×", 1)[1])
    for frame in spec["frames"][1:4]:
        k = frame_step(frame)
        e = descent.explain(scene(at), run=3, step=k)
        item = frame["data"][animated.index(step_index)]
        x, y = np.asarray(item["x"], float), np.asarray(item["y"], float)
        np.testing.assert_allclose([x[0], y[0]], e["point"], rtol=1e-6)
        np.testing.assert_allclose([x[1] - x[0], y[1] - y[0]], e["update"] * factor, rtol=2e-3)
    reopened = app(query(at))
    clean(reopened)
    assert reopened.session_state[state.OPTIONS].overlays == ("gradient", "step", "box")


def test_the_quadratic_view_on_the_ravine_lesson():
    from ui.lessons import BY_ID
    from ui.live_chart import sent_figures

    lesson = BY_ID["ravine"]
    at = app(encode(lesson.build(), Options(view="Quadratic", lesson="ravine")))
    clean(at)
    figures = sent_figures(at.get("bidi_component"))
    metas = {t.get("meta") for f in figures for t in f["data"]}
    assert {"error:0:0", "error:1:1", "theory:0:0", "theory:1:1", "rate map"} <= metas
    text = " ".join(m.value for m in at.markdown)
    assert "rate 0.9650" in text  # SGD at η = 0.035 on κ = 50: max(|1 − 0.035|, |1 − 1.75|) = 0.965
    other = app(encode(DEFAULT_SCENARIO, Options(view="Quadratic")))
    clean(other)
    assert any("Quadratic ravine" in i.value for i in other.info)


@pytest.mark.parametrize("optimizer,flavour", [(o, f) for o in ("sgd", "adagrad", "rmsprop", "adam", "adamax", "adadelta", "lion") for f in ("keras", "pytorch", "optax") if not (o == "lion" and f == "pytorch")])
def test_each_buffers_rule_is_written_with_the_steps_numbers(optimizer, flavour):
    scene = descent.Scenario.from_json({"landscape": "quadratic", "steps": 10, "runs": [
        {"optimizer": optimizer, "flavour": flavour, "hparams": {"learning_rate": 0.01, **({"momentum": 0.9} if optimizer == "sgd" else {})}}]})  # fmt: skip
    e = descent.explain(scene, step=3)
    hp = scene.runs[0].resolved_hparams()
    lines = inspector.substituted(e, hp)
    rules = inspector.state_rules(e, hp)
    assert set(rules) <= set(e["state_after"]) and rules, "no buffer written out"
    for name, rule in rules.items():
        line = next(line for line in lines if rule in line)
        assert line.endswith(inspector._vec(e["state_after"][name]))  # the optimizer's own result on the left
        assert inspector._vec(e["state_before"][name]) in rule  # the buffer before, on the right
    assert any(inspector._vec(e["next_point"]) in line for line in lines)


def test_the_overlay_run_select_reads_an_index_or_a_renamed_label():
    from ui.widgets import run_index as _run_index

    labels = ["SGD lr=0.001", "Adam lr=0.0415 (PyTorch)"]
    assert _run_index(1, labels) == 1
    assert _run_index("Adam lr=0.0415 (PyTorch)", labels) == 1  # what Streamlit returned after a rename
    assert _run_index("Adam lr=0.05", labels) == 0 and _run_index(7, labels) == 0
