"""Every landscape against the reference table and an independent NumPy formula."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import landscapes

REQUIRED = [
    "rosenbrock", "beale", "booth", "himmelblau", "rastrigin", "ackley", "goldstein_price",
    "six_hump_camel", "three_hump_camel", "matyas", "levi13", "styblinski_tang", "easom",
    "mccormick", "saddle", "monkey_saddle", "quadratic",
]  # fmt: skip

PI = math.pi


def _quadratic(x, y, kappa=10.0, angle=0.0):
    t = np.deg2rad(angle)
    u = x * np.cos(t) + y * np.sin(t)
    v = -x * np.sin(t) + y * np.cos(t)
    return 0.5 * (u**2 + kappa * v**2)


# Written from docs/landscapes.md, in float64, independently of the package.
NUMPY = {
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "beale": lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2,
    "booth": lambda x, y: (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
    "himmelblau": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "rastrigin": lambda x, y: 20 + x**2 - 10 * np.cos(2 * PI * x) + y**2 - 10 * np.cos(2 * PI * y),
    "ackley": lambda x, y: -20 * np.exp(-0.2 * np.sqrt(0.5 * (x**2 + y**2)))
    - np.exp(0.5 * (np.cos(2 * PI * x) + np.cos(2 * PI * y)))
    + np.e
    + 20,
    "goldstein_price": lambda x, y: (1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2))
    * (30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2)),
    "six_hump_camel": lambda x, y: (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2,
    "three_hump_camel": lambda x, y: 2 * x**2 - 1.05 * x**4 + x**6 / 6 + x * y + y**2,
    "matyas": lambda x, y: 0.26 * (x**2 + y**2) - 0.48 * x * y,
    "levi13": lambda x, y: np.sin(3 * PI * x) ** 2
    + (x - 1) ** 2 * (1 + np.sin(3 * PI * y) ** 2)
    + (y - 1) ** 2 * (1 + np.sin(2 * PI * y) ** 2),
    "styblinski_tang": lambda x, y: 0.5 * (x**4 - 16 * x**2 + 5 * x + y**4 - 16 * y**2 + 5 * y),
    "easom": lambda x, y: -np.cos(x) * np.cos(y) * np.exp(-((x - PI) ** 2 + (y - PI) ** 2)),
    "mccormick": lambda x, y: np.sin(x + y) + (x - y) ** 2 - 1.5 * x + 2.5 * y + 1,
    "saddle": lambda x, y: x**2 - y**2,
    "monkey_saddle": lambda x, y: x**3 - 3 * x * y**2,
    "quadratic": _quadratic,
}

# Global minima straight from the reference table (not from the package's metadata).
REFERENCE_MINIMA = {
    "rosenbrock": [((1, 1), 0.0)],
    "beale": [((3, 0.5), 0.0)],
    "booth": [((1, 3), 0.0)],
    "himmelblau": [((3, 2), 0.0), ((-2.805118, 3.131313), 0.0), ((-3.779310, -3.283186), 0.0), ((3.584428, -1.848127), 0.0)],
    "rastrigin": [((0, 0), 0.0)],
    "ackley": [((0, 0), 0.0)],
    "goldstein_price": [((0, -1), 3.0)],
    "six_hump_camel": [((0.0898420, -0.7126564), -1.0316285), ((-0.0898420, 0.7126564), -1.0316285)],
    "three_hump_camel": [((0, 0), 0.0)],
    "matyas": [((0, 0), 0.0)],
    "levi13": [((1, 1), 0.0)],
    "styblinski_tang": [((-2.9035340, -2.9035340), -78.3323314)],
    "easom": [((PI, PI), -1.0)],
    "mccormick": [((-0.5471976, -1.5471976), -1.9132230)],
    "saddle": [],
    "monkey_saddle": [],
    "quadratic": [((0, 0), 0.0)],
}


def value(ls, xy, **params):
    return float(ls(xy, **params))


def grad(ls, xy):
    params = {k: jnp.float32(v) for k, v in ls.default_params().items()}
    return np.asarray(jax.grad(ls.fn)(jnp.asarray(xy, jnp.float32), params))


def test_every_required_landscape_is_there():
    assert set(REQUIRED) <= set(landscapes.ids())


@pytest.mark.parametrize("lid", REQUIRED)
def test_reference_global_minima_are_listed_with_their_values(lid):
    ls = landscapes.get(lid)
    listed = {tuple(np.round(m.point, 5)): m.value for m in ls.global_minima()}
    assert len(listed) == len(REFERENCE_MINIMA[lid])
    for point, val in REFERENCE_MINIMA[lid]:
        key = tuple(np.round(point, 5))
        assert key in listed, f"{lid}: minimum {point} missing"
        assert listed[key] == pytest.approx(val, abs=1e-6)


@pytest.mark.parametrize("lid", REQUIRED)
def test_every_listed_minimum_has_its_value_and_zero_gradient(lid):
    ls = landscapes.get(lid)
    for m in ls.minima:
        # In float64 through the independent formula, then in float32 through the package.
        assert NUMPY[lid](*np.array(m.point, np.float64)) == pytest.approx(m.value, abs=2e-5)
        assert value(ls, m.point) == pytest.approx(m.value, abs=2e-4 * max(1.0, abs(m.value)))
        if ls.nondifferentiable_minima:
            continue
        g = grad(ls, m.point)
        # Coordinates are given to 5-7 digits: the gradient there is small, not exactly zero.
        scale = 1.0 + float(np.abs(grad(ls, np.add(m.point, 0.1))).max())
        assert np.abs(g).max() <= 1e-3 * scale, f"{lid} at {m.point}: gradient {g}"


@pytest.mark.parametrize("lid", REQUIRED)
def test_minima_are_local_minima(lid):
    """Every listed minimum is lower than points around it (it is not a saddle or a maximum)."""
    ls = landscapes.get(lid)
    f = NUMPY[lid]
    for m in ls.minima:
        x0, y0 = m.point
        around = [f(x0 + 1e-3 * np.cos(a), y0 + 1e-3 * np.sin(a)) for a in np.linspace(0, 2 * PI, 16, endpoint=False)]
        assert min(around) >= f(x0, y0) - 1e-9


@pytest.mark.parametrize("lid", REQUIRED)
def test_values_at_random_points_match_numpy(lid):
    ls = landscapes.get(lid)
    rng = np.random.default_rng(sum(map(ord, lid)))
    (x0, x1), (y0, y1) = ls.domain
    for x, y in zip(rng.uniform(x0, x1, 50), rng.uniform(y0, y1, 50)):
        expected = NUMPY[lid](np.float32(x).astype(np.float64), np.float32(y).astype(np.float64))
        got = value(ls, [x, y])
        assert got == pytest.approx(expected, rel=2e-5, abs=2e-5 * (1 + abs(expected))), (x, y)


@pytest.mark.parametrize("lid", REQUIRED)
def test_gradient_matches_finite_differences_of_numpy(lid):
    ls = landscapes.get(lid)
    rng = np.random.default_rng(7)
    (x0, x1), (y0, y1) = ls.domain
    f = NUMPY[lid]
    for x, y in zip(rng.uniform(x0, x1, 10), rng.uniform(y0, y1, 10)):
        x, y = float(np.float32(x)), float(np.float32(y))
        h = 1e-6
        fd = np.array([(f(x + h, y) - f(x - h, y)) / (2 * h), (f(x, y + h) - f(x, y - h)) / (2 * h)])
        g = grad(ls, [x, y])
        assert np.allclose(g, fd, rtol=1e-3, atol=1e-3 * (1 + np.abs(fd).max())), (x, y, g, fd)


def test_quadratic_parameters_change_the_function():
    ls = landscapes.get("quadratic")
    assert [p.name for p in ls.params] == ["kappa", "angle"]
    for kappa, angle in [(1.0, 0.0), (50.0, 30.0), (1000.0, -90.0)]:
        for x, y in [(1.0, 0.5), (-0.3, 1.7)]:
            assert value(ls, [x, y], kappa=kappa, angle=angle) == pytest.approx(
                _quadratic(x, y, kappa, angle), rel=1e-5, abs=1e-6
            )
    # Along the ravine's steep axis the curvature is kappa.
    assert value(ls, [0.0, 1.0], kappa=50.0) == pytest.approx(25.0)


def test_ackley_gradient_at_the_minimum_is_finite():
    ls = landscapes.get("ackley")
    assert np.all(np.isfinite(grad(ls, [0.0, 0.0])))
    # ... and its norm tends to 2√2 next to it (not differentiable there).
    assert np.linalg.norm(grad(ls, [1e-6, 1e-6])) == pytest.approx(2 * math.sqrt(2), rel=1e-3)


def test_reference_facts():
    assert value(landscapes.get("beale"), [0.0, 1.7]) == pytest.approx(14.203125)
    assert value(landscapes.get("himmelblau"), [-0.270845, -0.923039]) == pytest.approx(181.617, abs=1e-3)
    assert value(landscapes.get("rastrigin"), [0.99496, 0.99496]) == pytest.approx(1.98992, abs=1e-5)
    assert np.linalg.norm(grad(landscapes.get("easom"), [0.0, 0.0])) < 1e-7


@pytest.mark.parametrize("ls", landscapes.LANDSCAPES, ids=lambda ls: ls.id)
def test_metadata_is_complete_and_consistent(ls):
    (x0, x1), (y0, y1) = ls.domain
    assert x0 < x1 and y0 < y1
    assert x0 <= ls.start[0] <= x1 and y0 <= ls.start[1] <= y1
    assert ls.title and ls.formula and ls.teaches
    for m in ls.minima:
        assert x0 <= m.point[0] <= x1 and y0 <= m.point[1] <= y1
    for p in ls.params:
        assert p.low <= p.default <= p.high


def test_unknown_landscape_and_parameter_are_named():
    with pytest.raises(KeyError, match="known: rosenbrock"):
        landscapes.get("nope")
    with pytest.raises(KeyError, match="no parameter 'kappa'"):
        landscapes.get("booth")([0, 0], kappa=2.0)


def test_catalogue_is_json_ready():
    import json

    data = json.loads(json.dumps(landscapes.catalogue()))
    by_id = {d["id"]: d for d in data}
    assert by_id["quadratic"]["params"][0]["name"] == "kappa"
    assert len(by_id["himmelblau"]["minima"]) == 4
