"""The app driven through Streamlit's AppTest: lessons, edits, links, runs, lecture mode."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import descent
from tests.ui.apptest import app, clean, query
from ui import state
from ui.defaults import DEFAULT_SCENARIO
from ui.lessons import LESSONS
from ui.links import Options, encode
from ui.live_chart import sent_figures


def scene(at: AppTest) -> descent.Scenario:
    return at.session_state[state.SCENE]


def result(at: AppTest) -> descent.Result:
    return at.session_state["result"]


def map_spec(at: AppTest) -> dict:
    charts = sent_figures(at.get("bidi_component"))
    assert charts, "no chart on the page"
    return charts[0]


def open_expander(at: AppTest, key: str) -> AppTest:
    """Open a lazily built expander (its contents exist only while it is open)."""
    at.session_state[key] = True
    return at.run()




def test_default_page_renders_the_default_scene():
    at = app()
    clean(at)
    assert scene(at) == DEFAULT_SCENARIO
    assert len(result(at).runs) == 4
    spec = map_spec(at)
    names = {trace.get("name") for trace in spec["data"]}
    assert {run.display_label for run in DEFAULT_SCENARIO.runs} <= names
    assert spec.get("frames"), "the map is animated"
    assert query(at) == encode(DEFAULT_SCENARIO, Options())


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_every_lesson_renders(lesson):
    at = open_expander(app(), "lessons_open")
    at.button(key=f"lesson:{lesson.id}").click().run()
    clean(at)
    assert scene(at) == lesson.build()
    assert query(at)["lesson"] == lesson.id
    assert any(lesson.title in m.value for m in at.markdown)
    assert len(result(at).runs) == len(lesson.build().runs)


def test_changing_a_hyperparameter_changes_the_results_and_compiles_nothing():
    at = open_expander(app(), "g0:r3:editor")
    before_result = result(at)
    compiled = descent.trace_count()
    at.number_input(key="g0:r3:adam:keras:learning_rate:exact").set_value(0.2).run()
    clean(at)
    assert scene(at).runs[3].hparams["learning_rate"] == 0.2
    assert query(at)["r3.learning_rate"] == "0.2"
    after_result = result(at)
    assert not np.array_equal(before_result.runs[3].path, after_result.runs[3].path)
    assert np.array_equal(before_result.runs[0].path, after_result.runs[0].path)
    assert descent.trace_count() == compiled


def test_a_shared_link_reopens_the_exact_scene():
    lesson = next(lesson for lesson in LESSONS if lesson.id == "schedules")
    options = Options(hidden=frozenset({1}), colours=(4, 1, 2), view="Curves", lesson="schedules")
    link = encode(lesson.build(), options)
    at = app(link)
    clean(at)
    assert not at.warning
    assert scene(at) == lesson.build()
    assert at.session_state[state.OPTIONS].hidden == frozenset({1})
    assert query(at) == link


@pytest.mark.parametrize(
    "key,value",
    [
        ("landscape", "atlantis"),
        ("r0.learning_rate", "fast"),
        ("r1.optimizer", "adamz"),
        ("steps", "-5"),
        ("start", "1;2"),
        ("r2.schedule", "zigzag"),
        ("sigma", "nan"),
        ("colours", "red"),
        ("view", "sideways"),
        ("landscape.kappa", "2"),
    ],
)
def test_a_bad_link_parameter_shows_one_warning_not_an_exception(key, value):
    link = encode(DEFAULT_SCENARIO, Options()) | {key: value}
    at = app(link)
    clean(at)
    assert len(at.warning) == 1
    assert key.split(".")[0] in at.warning[0].value
    assert map_spec(at)["data"]


def test_adding_duplicating_and_removing_runs():
    at = app()
    at.button(key="g0:add").click().run()
    clean(at)
    assert len(scene(at).runs) == 5 and len(result(at).runs) == 5
    open_expander(at, "g0:r0:editor")
    at.button(key="g0:r0:dup").click().run()
    clean(at)
    assert len(scene(at).runs) == 6 and scene(at).runs[1] == scene(at).runs[0]
    open_expander(at, "g0:r1:editor")
    at.button(key="g0:r1:remove").click().run()  # widgets are keyed by run id: r1 is Momentum
    clean(at)
    labels = [run.display_label for run in scene(at).runs]
    assert len(labels) == 5 and "Momentum lr=0.001 μ=0.9" not in labels
    assert query(at)["r4.optimizer"] == "adam" and "r5.optimizer" not in query(at)


def test_hiding_a_run_leaves_it_off_the_map():
    at = open_expander(app(), "g0:r1:editor")
    at.toggle(key="g0:r1:shown").set_value(False).run()
    clean(at)
    names = {trace.get("name") for trace in map_spec(at)["data"]}
    assert "Momentum lr=0.001 μ=0.9" not in names and "SGD lr=0.001" in names
    assert query(at)["hidden"] == "1"


def test_switching_flavour_brings_that_flavours_defaults():
    at = open_expander(app(), "g0:r3:editor")
    at.segmented_control(key="g0:r3:flavour").set_value("pytorch").run()
    clean(at)
    run = scene(at).runs[3]
    assert run.flavour == "pytorch" and run.hparams["learning_rate"] == 0.05  # the chosen value stays
    assert run.resolved_hparams()["epsilon"] == 1e-8  # PyTorch's default now


def test_lecture_mode_hides_the_controls():
    at = app(encode(DEFAULT_SCENARIO, Options(lecture=True, lesson="ravine")))
    clean(at)
    assert not at.sidebar.number_input and not at.sidebar.selectbox
    assert sent_figures(at.get("bidi_component"))
    at.button(key="lecture_off").click().run()
    clean(at)
    assert at.sidebar.number_input
    assert "lecture" not in query(at)


def test_a_new_landscape_brings_its_start_and_keeps_the_runs():
    at = app()
    at.selectbox(key="g0:landscape").set_value("himmelblau").run()
    clean(at)
    s = scene(at)
    assert s.landscape == "himmelblau" and s.start == (-0.3, -0.9)
    assert [r.optimizer for r in s.runs] == [r.optimizer for r in DEFAULT_SCENARIO.runs]


def test_a_start_box_drawn_anew_falls_back_to_the_new_start_not_to_its_minimum():
    # A box the app redraws under a new key (the start moved by the reset button or a click on
    # the map) carries its value as its default too: a browser that drew it without the session's
    # value showed Streamlit's default, the minimum (-10000), while the scene said 2.
    at = app()
    at.number_input(key="g0:start_x").set_value(2.5).run()
    assert scene(at).start[0] == 2.5
    at.run()  # the whole page (AppTest keeps only what the edit's partial rerun drew)
    at.button(key="g0:reset_start").click().run()
    at.run()
    clean(at)
    boxes = [box for box in at.number_input if box.key.startswith("g0:start_")]
    assert [box.key.split("~")[0] for box in boxes] == ["g0:start_x", "g0:start_y"]
    assert all("~" in box.key for box in boxes), "the boxes were drawn anew"
    assert [box.value for box in boxes] == list(scene(at).start) == list(DEFAULT_SCENARIO.start)
    assert [box.proto.default for box in boxes] == list(DEFAULT_SCENARIO.start)


def test_an_edit_writes_the_address_through_the_page_not_through_the_servers_query_params():
    # st.query_params would send the browser a page-info message, and Streamlit's page re-renders
    # its whole tree for it; the address element writes the URL instead (ui.address).
    opened = encode(DEFAULT_SCENARIO.replace(steps=300), Options())
    at = app(opened)
    assert query(at) == opened
    at.number_input(key="g0:start_x").set_value(2.5).run()
    clean(at)
    assert query(at) == opened | {"start": "2.5,2.0"}
    assert {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()} == opened  # never set by the server


def test_a_log_slider_pair_drawn_anew_falls_back_to_its_value():
    # The pair follows a typed value off the slider's notch by being drawn anew: both halves
    # carry the value as their default (Streamlit's own: the slider's first notch, the box's minimum).
    at = open_expander(app(), "g0:r3:editor")
    at.number_input(key="g0:r3:adam:keras:learning_rate:exact").set_value(0.2).run()
    at.run()
    base = "g0:r3:adam:keras:learning_rate~1"
    box = at.number_input(key=f"{base}:exact")
    slider = at.select_slider(key=f"{base}:slider")
    assert box.value == 0.2 and box.proto.default == 0.2
    assert slider.value == 0.2 and [slider.options[int(i)] for i in slider.proto.default] == ["0.2"]


def test_every_view_renders():
    at = app()
    for view in ("3D", "Curves", "Table", "Code", "Inspector", "Map"):
        at.session_state[state.VIEW] = view
        at.run()
        clean(at)
    assert query(at).get("view") is None  # back on the map, the default


def test_diverged_runs_are_reported_plainly():
    at = open_expander(app(), "lessons_open")
    at.button(key="lesson:too_high").click().run()
    clean(at)
    statuses = [r.status for r in result(at).runs]
    assert "diverged" in statuses
    k = result(at).runs[statuses.index("diverged")].diverged_at
    assert f"diverged at step {k}" in json.dumps(map_spec(at))  # on the map
    at.session_state[state.VIEW] = "Table"
    at.run()
    clean(at)
    assert f"diverged at step {k}" in list(at.table[0].value["status"])  # and in the table


def test_map_payload_for_4_runs_of_1000_steps_is_under_a_megabyte():
    at = app(encode(DEFAULT_SCENARIO.replace(steps=1000), Options()))
    clean(at)
    sent = at.get("bidi_component")[0].proto.json
    assert len(sent.encode()) <= 1_000_000
    spec = map_spec(at)
    assert len(spec["frames"]) <= 100
    for frame in spec["frames"]:
        assert all(trace.get("type", "scatter") == "scatter" for trace in frame["data"])  # never the landscape
