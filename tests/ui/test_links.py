"""Links: the scene survives the URL exactly; a bad parameter costs one warning, not the page."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from descent import Scenario
from tests.descent.strategies import scenario_strategy
from ui.defaults import DEFAULT_SCENARIO, PALETTE_SIZE
from ui.lessons import LESSONS
from ui.links import Options, encode, parse
from ui.views import names as view_names


def through_url(query: dict) -> dict:
    return dict(parse_qsl(urlencode(query), keep_blank_values=True))


@st.composite
def scenes(draw):
    scenario = draw(scenario_strategy())
    n = len(scenario.runs)
    options = Options(
        lecture=draw(st.booleans()),
        hidden=frozenset(draw(st.sets(st.integers(0, n - 1)))),
        colours=tuple(draw(st.lists(st.integers(0, PALETTE_SIZE - 1), min_size=n, max_size=n))),
        lesson=draw(st.none() | st.sampled_from([lesson.id for lesson in LESSONS])),
        view=draw(st.sampled_from(view_names())),
        selected=draw(st.integers(0, n - 1)),
    )
    return scenario, options


@settings(max_examples=200, deadline=None)
@given(scenes())
def test_a_scene_round_trips_through_the_url(scene):
    scenario, options = scene
    parsed = parse(through_url(encode(scenario, options)))
    assert parsed.warnings == []
    assert parsed.scenario == scenario
    expected_colours = tuple(options.colour_of(i) for i in range(len(scenario.runs)))
    assert tuple(parsed.options.colour_of(i) for i in range(len(scenario.runs))) == expected_colours
    assert (parsed.options.lecture, parsed.options.hidden, parsed.options.lesson, parsed.options.view, parsed.options.selected) == (
        options.lecture, options.hidden, options.lesson, options.view, options.selected)  # fmt: skip


def test_a_plain_link_opens_the_default_scene_quietly():
    parsed = parse({})
    assert parsed.scenario == DEFAULT_SCENARIO and parsed.warnings == []
    assert parse({"embed": "true"}).warnings == []


def base() -> dict:
    return encode(DEFAULT_SCENARIO, Options())


def test_a_bad_number_falls_back_to_the_default_for_that_field_only():
    q = base() | {"r3.learning_rate": "lots", "steps": "999999999"}
    parsed = parse(q)
    assert parsed.scenario.runs[3].hparams.get("learning_rate") is None  # Keras's default applies
    assert parsed.scenario.steps == 500
    assert parsed.scenario.runs[:3] == DEFAULT_SCENARIO.runs[:3]
    assert len(parsed.warnings) == 2
    assert any("r3.learning_rate='lots'" in w and "(0, 100]" in w for w in parsed.warnings)
    assert any("steps=" in w and "[1, 100000]" in w for w in parsed.warnings)


def test_each_kind_of_bad_parameter_is_reported_and_survived():
    cases = {
        "landscape": "atlantis",
        "landscape.kappa": "7",  # rosenbrock has no kappa
        "start": "1,2,3",
        "sigma": "-1",
        "batch": "0.5",
        "seed": "x",
        "r0.optimizer": "adamz",
        "r1.flavour": "tensorflow",
        "r2.rho": "1.5",
        "r2.schedule": "zigzag",
        "r3.schedule.decay_steps": "-4",
        "r3.beta9": "0.1",
        "lecture": "maybe",
        "hidden": "0,99",
        "colours": "red",
        "lesson": "nope",
        "view": "Sideways",
        "selected": "-2",
    }
    for key, bad in cases.items():
        q = base() | {key: bad}
        if key == "r3.schedule.decay_steps":
            q["r3.schedule"] = "cosine"
        parsed = parse(q)
        assert isinstance(parsed.scenario, Scenario)
        if key == "lecture":
            assert parsed.options.lecture is False
            continue
        assert len(parsed.warnings) == 1, (key, parsed.warnings)
        assert key.split(".")[0] in parsed.warnings[0] or key in parsed.warnings[0], (key, parsed.warnings)


def test_an_unusable_run_is_dropped_and_no_runs_means_the_default_runs():
    q = base() | {"r0.optimizer": "adamz"}
    parsed = parse(q)
    assert len(parsed.scenario.runs) == 3 and "Dropped run 1" in parsed.warnings[0]
    only_bad = {"landscape": "booth", "r0.optimizer": "nope"}
    parsed = parse(only_bad)
    assert parsed.scenario.landscape == "booth"
    assert parsed.scenario.runs == DEFAULT_SCENARIO.runs


def test_a_bad_landscape_resets_its_parameters_and_start():
    q = {"landscape": "atlantis", "landscape.kappa": "50", "start": "9000,9000", "r0.optimizer": "sgd"}
    parsed = parse(q)
    assert parsed.scenario.landscape == DEFAULT_SCENARIO.landscape
    assert parsed.scenario.start == DEFAULT_SCENARIO.landscape_spec.start
    assert len(parsed.warnings) == 1


def test_too_many_runs_are_cut_to_the_limit():
    q = {"landscape": "booth"} | {f"r{i}.optimizer": "sgd" for i in range(20)}
    parsed = parse(q)
    assert len(parsed.scenario.runs) == 12 and "first 12" in parsed.warnings[0]


def test_optax_without_a_learning_rate_drops_that_run():
    q = base() | {"r0.flavour": "optax"}
    del q["r0.learning_rate"]
    parsed = parse(q)
    assert len(parsed.scenario.runs) == 3 and "learning_rate" in parsed.warnings[0]


def test_garbage_everywhere_still_gives_a_scene():
    q = {k: "\x00%%<script>" for k in base()} | {"r5.x": "1"}
    parsed = parse(q)
    assert isinstance(parsed.scenario, Scenario) and parsed.warnings
