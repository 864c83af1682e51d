"""The app's typed formula: "Formula…" in the landscape picker, the editor, its error, the URL."""

from __future__ import annotations

from tests.ui.test_app import app, clean, map_spec, query, scene
from ui.links import parse


def _picker(at):
    return next(s for s in at.selectbox if s.label == "Landscape")


def _editor(at, label="f(x, y) ="):
    return next(t for t in at.text_input if t.label == label)


def test_formula_from_the_picker_draws_it_with_found_minima_and_puts_it_in_the_url():
    at = app()
    _picker(at).set_value("formula").run()
    clean(at)
    assert scene(at).formula == "x^2 + 10*y^2 + sin(3*x)"
    _editor(at).set_value("(x - 1)^2 + 3*(y + 0.5)^2").run()
    clean(at)
    s = scene(at)
    assert s.formula == "(x - 1)^2 + 3*(y + 0.5)^2"
    q = query(at)
    assert q["landscape"] == "formula" and q["formula"] == s.formula
    assert parse(q).scenario == s  # the link reopens the same scene
    names = [t.get("name") for t in map_spec(at)["data"]]
    assert "global minimum (found numerically)" in names
    assert any(r"\left(x - 1\right)" in m.value for m in at.markdown)  # the header's LaTeX


def test_a_bad_formula_is_explained_under_the_editor_and_the_previous_landscape_stays():
    at = app({"landscape": "formula", "formula": "x^2 + y^2", "domain": "-2,2,-2,2", "r0.optimizer": "adam"})
    clean(at)
    before = scene(at)
    _editor(at).set_value("x^2 + * y").run()
    assert not at.exception
    assert [e.value for e in at.error] == ["position 7: expected a number, a name or '(' after '+', got '*'"]
    assert scene(at) == before
    assert query(at)["formula"] == "x^2 + y^2"


def test_a_bad_formula_in_a_link_falls_back_with_one_warning():
    parsed = parse({"landscape": "formula", "formula": "__import__('os')", "r0.optimizer": "adam"})
    assert parsed.scenario.formula is None
    assert len(parsed.warnings) == 1 and "unknown name '__import__'" in parsed.warnings[0]
