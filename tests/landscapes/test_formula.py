"""Typed formulas: the grammar against an evaluator written here, error messages, hostile input,
compilation per structure, found minima."""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import descent
import landscapes
from landscapes import formula as fm
from landscapes import typed

# -- a reference: random expression trees, printed with the fewest parentheses the grammar
# needs, and evaluated in float64 with NumPy, independently of the parser ---------------------

UNARY = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log, "sqrt": np.sqrt,
    "abs": np.abs, "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh, "arctan": np.arctan,
}  # fmt: skip
BINARY_FUNCTIONS = {"min": np.minimum, "max": np.maximum}
# Precedence of a printed node: a child printed below its required level gets parentheses.
LEVEL = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "^": 4, "atom": 5}

leaves = st.one_of(
    st.sampled_from(["x", "y", "pi", "e"]),
    st.floats(0.0, 50.0, allow_nan=False).map(lambda v: float(f"{v:.3g}")),
)


def trees(children):
    return st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*", "/", "^"]), children, children),
        st.tuples(st.just("neg"), children),
        st.tuples(st.sampled_from(sorted(UNARY)), children),
        st.tuples(st.sampled_from(sorted(BINARY_FUNCTIONS)), children, children),
    )


expressions = st.recursive(leaves, trees, max_leaves=12)


def level(tree) -> int:
    if not isinstance(tree, tuple) or tree[0] in UNARY or tree[0] in BINARY_FUNCTIONS:
        return LEVEL["atom"]
    return LEVEL[tree[0]]


def show(tree, parens: bool) -> str:
    """Text for a tree; `parens` adds every optional pair of parentheses too."""

    def wrap(child, need: int) -> str:
        text = show(child, parens)
        return f"({text})" if level(child) < need or (parens and level(child) < LEVEL["atom"]) else text

    if isinstance(tree, float):
        return repr(tree)
    if isinstance(tree, str):
        return tree
    op = tree[0]
    if op in UNARY:
        return f"{op}({show(tree[1], parens)})"
    if op in BINARY_FUNCTIONS:
        return f"{op}({show(tree[1], parens)}, {show(tree[2], parens)})"
    if op == "neg":
        return "-" + wrap(tree[1], LEVEL["neg"])
    if op == "^":  # right-associative, binds tighter than unary minus on its left
        return wrap(tree[1], LEVEL["atom"]) + ("^" if not parens else "**") + wrap(tree[2], LEVEL["neg"])
    # left-associative: the right operand needs a strictly higher level
    left, right = wrap(tree[1], LEVEL[op]), wrap(tree[2], LEVEL[op] + 1)
    return f"{left} {op} {right}"


def reference(tree, x: float, y: float) -> tuple[float, float]:
    """The value in float64, and the largest magnitude met on the way (for the tolerance);
    infinite when a value on the way is beyond float32's range (too large, or nonzero and
    below its normal numbers), where float32 and float64 rightly disagree."""
    with np.errstate(all="ignore"):
        if isinstance(tree, float):
            return tree, abs(tree) if tree == 0 or abs(tree) > 1e-30 else math.inf
        if isinstance(tree, str):
            v = {"x": x, "y": y, "pi": math.pi, "e": math.e}[tree]
            return v, abs(v)
        op = tree[0]
        args = [reference(t, x, y) for t in tree[1:]]
        vals = [np.float64(a[0]) for a in args]
        big = max(a[1] for a in args)
        if op in UNARY:
            v = UNARY[op](vals[0])
        elif op in BINARY_FUNCTIONS:
            v = BINARY_FUNCTIONS[op](*vals)
        elif op == "neg":
            v = -vals[0]
        else:
            a, b = vals
            v = {"+": a + b, "-": a - b, "*": a * b, "/": a / b, "^": np.power(a, b)}[op]
        tiny = v != 0 and abs(v) < 1e-30
        return float(v), max(big, abs(float(v)) if np.isfinite(v) and not tiny else math.inf)


def compiled_value(text: str, x: float, y: float) -> float:
    parsed = fm.parse(text)
    fn = fm.jax_function(parsed.structure)
    params = dict(zip(fm.slot_names(len(parsed.numbers)), parsed.numbers))
    return float(fn(jnp.asarray([x, y], jnp.float32), params))


NUMPY_OPS = {
    "const": np.float64, "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power,
    **UNARY, **BINARY_FUNCTIONS,
}  # fmt: skip


def parsed_value_float64(text: str, x: float, y: float) -> float:
    """The parsed program run on NumPy float64 operations: what the parser understood, without
    float32's rounding (which near a singularity such as log(sin(pi)) decides the answer)."""
    parsed = fm.parse(text)
    with np.errstate(all="ignore"):
        return float(fm.evaluate_program(parsed.structure, [np.float64(v) for v in parsed.numbers], np.float64(x), np.float64(y), NUMPY_OPS))


POINTS = st.sampled_from([(0.5, -1.25), (2.0, 0.75), (-0.3, 1.5)])


@settings(max_examples=200, deadline=None)
@given(expressions, st.booleans(), POINTS)
def test_printed_trees_parse_back_to_the_same_tree(tree, parens, point):
    text = show(tree, parens)
    expected, _ = reference(tree, *point)
    got = parsed_value_float64(text, *point)
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-300, nan_ok=True), text


def smooth_trees(children):
    # Without the functions that have singularities (log, sqrt, tan, /, ^ of a variable base),
    # float32 and float64 stay within rounding of each other.
    safe = ["sin", "cos", "exp", "abs", "tanh", "sinh", "cosh", "arctan"]
    return st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*"]), children, children),
        st.tuples(st.just("neg"), children),
        st.tuples(st.sampled_from(safe), children),
        st.tuples(st.sampled_from(sorted(BINARY_FUNCTIONS)), children, children),
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(leaves, smooth_trees, max_leaves=8), st.booleans(), POINTS)
def test_the_compiled_function_agrees_with_numpy(tree, parens, point):
    text = show(tree, parens)
    expected, magnitude = reference(tree, *point)
    if math.isfinite(expected) and magnitude < 1e4:
        # float32 against float64: cancellation costs up to a few ulps of the largest term.
        assert compiled_value(text, *point) == pytest.approx(expected, rel=1e-3, abs=1e-5 * (1 + magnitude)), text


@pytest.mark.parametrize(
    "text, x, y, expected",
    [
        ("-x^2", 3.0, 0.0, -9.0),
        ("-x**2", 3.0, 0.0, -9.0),
        ("2^3^2", 0.0, 0.0, 512.0),
        ("2**3**2", 0.0, 0.0, 512.0),
        ("x^-1", 4.0, 0.0, 0.25),
        ("(-x)^2", 3.0, 0.0, 9.0),
        ("1 - 2 - 3", 0.0, 0.0, -4.0),
        ("8 / 4 / 2", 0.0, 0.0, 1.0),
        ("1 + 2 * 3", 0.0, 0.0, 7.0),
        ("2 * x ^ 2", 3.0, 0.0, 18.0),
        ("-2^2 + y", 0.0, 1.0, -3.0),
        ("--x", 5.0, 0.0, 5.0),
        ("+x - -y", 1.0, 2.0, 3.0),
        ("1e-3 * x + 2.5E2", 1000.0, 0.0, 251.0),
        ("min(x, y) + max(x, y)", 1.0, 4.0, 5.0),
        ("e^1 - exp(1) + pi - 3.14159265", 0.0, 0.0, 0.0),
        ("sqrt(abs(x)) * cos(pi * y)", -4.0, 1.0, -2.0),
    ],
)
def test_precedence_and_associativity(text, x, y, expected):
    assert compiled_value(text, x, y) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize(
    "text, message",
    [
        ("x^2 + 3*", "position 9: expected a number, a name or '(' after '*'"),
        ("x * * y", "position 5: expected a number, a name or '(' after '*', got '*'"),
        ("x y", "position 3: expected an operator or the end after 'x', got 'y'"),
        ("(x + 1", "position 7: expected an operator or ')' after '1'"),
        ("x + 1)", "position 6: unmatched ')'"),
        ("sin(x, y)", "position 1: sin takes one argument"),
        ("max(x)", "position 1: max takes two arguments"),
        ("sin", "position 1: expected '(' after the function sin"),
        ("x + foo", "position 5: unknown name 'foo'"),
        ("x # 1", "position 3: unexpected character '#'"),
        ("1e39 * x", "position 1: the number 1e39 does not fit in float32"),
        ("", "empty"),
        ("x" * 501, "at most 500 characters, got 501"),
        ("(" * 51 + "x" + ")" * 51, "position 51: parentheses nested deeper than 50"),
    ],
)
def test_error_names_the_position_and_what_was_expected(text, message):
    with pytest.raises(fm.FormulaError) as info:
        fm.parse(text)
    assert str(info.value).startswith(message)


def test_fifty_nested_parentheses_are_allowed():
    assert compiled_value("(" * 50 + "x" + ")" * 50, 2.0, 0.0) == 2.0


HOSTILE = [
    "__import__('os').system('echo pwned')",
    "x.__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "__builtins__",
    "import os",
    "lambda: 1",
    "[x for x in (1, 2)]",
    "x if y else 1",
    "x = 1",
    "x; y",
    "exec('1')",
    "eval('1')",
    "open('/etc/passwd')",
    "x @ y",
    "x % y",
    "x // y",
    "'x'",
    "x\x00",
    "ｘ + 1",  # full-width x
    "１ + x",  # full-width digit
    "x\u200b+ y",  # zero-width space
    "9" * 400,  # a number beyond float32
    "(" * 100_000 + "x" + ")" * 100_000,
    "x" + "^x" * 200,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_is_a_parse_error_and_runs_nothing(text, monkeypatch):
    import builtins

    def forbidden(*args, **kwargs):
        raise AssertionError("the parser evaluated Python")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", forbidden)
    if text.startswith("x^x"):
        # Deep but well-formed (201 right-nested powers): parsed without recursion.
        assert fm.parse(text).structure.count("^") == 200
        return
    with pytest.raises(fm.FormulaError):
        fm.parse(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("xy+-*/^(),.e0123456789 sincoxpqrtlgabmhd_'[]:;=\x00ｘ")), max_size=40) | st.text(max_size=40))
def test_random_text_gives_a_formula_or_the_parse_error(text):
    try:
        parsed = fm.parse(text)
    except fm.FormulaError as e:
        assert str(e)
    else:
        assert set(parsed.structure.split()) <= fm.VOCABULARY


def test_structure_lifts_the_numbers_out():
    a, b = fm.parse("x^2 + 10*y^2"), fm.parse("x ^ 3 + 0.5 * y ** 2")
    assert a.key == b.key
    assert a.numbers == (2.0, 10.0, 2.0) and b.numbers == (3.0, 0.5, 2.0)
    assert fm.parse("x^2 + 10*x^2").key != a.key


def test_latex_rendering():
    assert fm.latex(fm.parse("-x^2 + sqrt(y)/2")) == r"-{x}^{2} + \frac{\sqrt{y}}{2}"
    assert fm.latex(fm.parse("(x+1)*(y-2)")) == r"\left(x + 1\right) \cdot \left(y - 2\right)"
    assert fm.latex(fm.parse("abs(x) - (y - pi)")) == r"\left|x\right| - \left(y - \pi\right)"
    assert fm.latex(fm.parse("min(x, 1e-5*y)")) == r"\min\left(x, 1 \cdot 10^{-5} \cdot y\right)"


# -- the engine: one compilation per structure, found minima, non-finite formulas ------------------


def _scenario(text, domain=((-3, 3), (-3, 3))):
    return {
        "landscape": {"formula": text, "domain": [list(d) for d in domain]},
        "steps": 200,
        "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.05}}],
    }


def test_a_new_formula_compiles_once_and_new_numbers_or_domain_compile_nothing():
    descent.run(_scenario("x^2 + 3*y^2 + 0.25*cos(5*x*y)"))
    engine_before, search_before = descent.trace_count(), typed.trace_count()
    result = descent.run(_scenario("x^2 + 4.5*y^2 + 0.5*cos(2*x*y)", ((-2, 4), (-1, 1.5))))
    descent.surface(_scenario("x^2 + 7*y^2 + 0.75*cos(3*x*y)", ((-4, 4), (-4, 4))), resolution=120)
    descent.surface(_scenario("x^2 + 8*y^2 + 0.8*cos(3*x*y)", ((-4, 4), (-4, 4))), resolution=120)
    assert descent.trace_count() == engine_before + 1  # the surface's first compile, not the run's
    assert typed.trace_count() == search_before
    assert result.runs[0].status == "ok"


def test_himmelblau_typed_finds_its_four_minima():
    ls = landscapes.resolve({"formula": "(x^2 + y - 11)^2 + (x + y^2 - 7)^2", "domain": [[-5, 5], [-5, 5]]})
    known = np.asarray([m.point for m in landscapes.get("himmelblau").minima])
    found = np.asarray([m.point for m in ls.minima])
    assert len(found) == 4 and all(m.found and m.glob for m in ls.minima)
    for point in known:
        assert np.min(np.linalg.norm(found - point, axis=1)) < 1e-2


def test_a_local_minimum_is_found_and_not_marked_global():
    ls = landscapes.resolve({"formula": "x^2 + 10*y^2 + sin(3*x)", "domain": [[-3, 3], [-3, 3]]})
    points = sorted((m.point[0], m.glob) for m in ls.minima)
    # f_x = 2x + 3cos(3x) = 0 at x ≈ -0.427 (global) and x ≈ 1.245 (local), y = 0.
    assert [g for _, g in points] == [True, False]
    assert points[0][0] == pytest.approx(-0.4273, abs=1e-3) and points[1][0] == pytest.approx(1.2446, abs=1e-3)


def test_a_kink_minimum_is_found():
    (m,) = landscapes.resolve({"formula": "abs(x - 1) + 2*abs(y + 0.5)", "domain": [[-3, 3], [-3, 3]]}).minima
    assert m.point == pytest.approx((1.0, -0.5), abs=1e-3)


def test_runs_converge_to_a_found_minimum():
    result = descent.run(_scenario("(x - 1)^2 + 2*(y + 0.5)^2"))
    run = result.runs[0]
    assert run.converged_at is not None
    assert np.linalg.norm(run.path[run.converged_at] - np.asarray([1.0, -0.5])) <= 1e-3


@pytest.mark.parametrize("text", ["log(-1 - x^2 - y^2)", "sqrt(-2 - abs(x))", "10^10^10 + x"])
def test_a_formula_without_finite_values_is_reported(text):
    with pytest.raises(descent.ScenarioError) as info:
        descent.Scenario.from_json(_scenario(text))
    assert info.value.field == "landscape.formula" and "no finite value over the domain" in info.value.message


def test_scenario_json_and_query_round_trip_and_errors_name_the_field():
    scenario = descent.Scenario.from_json(_scenario("x^2 + y^2", ((-1, 2), (-3, 0.5))))
    assert scenario.domain == ((-1.0, 2.0), (-3.0, 0.5))
    assert descent.Scenario.from_json(scenario.to_json()) == scenario
    assert descent.Scenario.from_query(scenario.to_query()) == scenario
    with pytest.raises(descent.ScenarioError, match=r"^landscape\.domain: the x range"):
        descent.Scenario.from_json(_scenario("x", ((2, 1), (0, 1))))
    with pytest.raises(descent.ScenarioError, match=r"^landscape\.formula: position 4: expected a number"):
        descent.Scenario.from_json(_scenario("x +"))
