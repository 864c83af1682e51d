"""The standard 2D test functions, in the forms of the project's reference table.

Formulas, domains and minima follow docs/landscapes.md, which was checked numerically;
several public copies of these formulas carry mistakes (Goldstein-Price as a sum,
Ackley without the "+ e", Styblinski-Tang's minimum), so tests check each entry against it.
General reference: Jamil & Yang, "A literature survey of benchmark functions for global
optimization problems" (2013); Surjanovic & Bingham, Virtual Library of Simulation Experiments.
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from landscapes.spec import Landscape, Minimum, Param

PI = math.pi


def _rosenbrock(xy, p):
    x, y = xy[0], xy[1]
    return (1.0 - x) ** 2 + 100.0 * (y - x**2) ** 2


def _beale(xy, p):
    x, y = xy[0], xy[1]
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _booth(xy, p):
    x, y = xy[0], xy[1]
    return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2


def _himmelblau(xy, p):
    x, y = xy[0], xy[1]
    return (x**2 + y - 11.0) ** 2 + (x + y**2 - 7.0) ** 2


def _rastrigin(xy, p):
    x, y = xy[0], xy[1]
    return 20.0 + x**2 - 10.0 * jnp.cos(2 * PI * x) + y**2 - 10.0 * jnp.cos(2 * PI * y)


def _ackley(xy, p):
    x, y = xy[0], xy[1]
    r2 = 0.5 * (x**2 + y**2)
    # sqrt has an infinite derivative at 0; the double `where` keeps the gradient at the
    # minimum at 0 (a subgradient) instead of NaN, so a run that lands exactly there stays.
    safe = jnp.where(r2 > 0.0, r2, 1.0)
    r = jnp.where(r2 > 0.0, jnp.sqrt(safe), 0.0)
    return (
        -20.0 * jnp.exp(-0.2 * r)
        - jnp.exp(0.5 * (jnp.cos(2 * PI * x) + jnp.cos(2 * PI * y)))
        + math.e
        + 20.0
    )


def _goldstein_price(xy, p):
    x, y = xy[0], xy[1]
    a = 1.0 + (x + y + 1.0) ** 2 * (19.0 - 14.0 * x + 3.0 * x**2 - 14.0 * y + 6.0 * x * y + 3.0 * y**2)
    b = 30.0 + (2.0 * x - 3.0 * y) ** 2 * (
        18.0 - 32.0 * x + 12.0 * x**2 + 48.0 * y - 36.0 * x * y + 27.0 * y**2
    )
    return a * b


def _six_hump_camel(xy, p):
    x, y = xy[0], xy[1]
    return (4.0 - 2.1 * x**2 + x**4 / 3.0) * x**2 + x * y + (-4.0 + 4.0 * y**2) * y**2


def _three_hump_camel(xy, p):
    x, y = xy[0], xy[1]
    return 2.0 * x**2 - 1.05 * x**4 + x**6 / 6.0 + x * y + y**2


def _matyas(xy, p):
    x, y = xy[0], xy[1]
    return 0.26 * (x**2 + y**2) - 0.48 * x * y


def _levi13(xy, p):
    x, y = xy[0], xy[1]
    return (
        jnp.sin(3 * PI * x) ** 2
        + (x - 1.0) ** 2 * (1.0 + jnp.sin(3 * PI * y) ** 2)
        + (y - 1.0) ** 2 * (1.0 + jnp.sin(2 * PI * y) ** 2)
    )


def _styblinski_tang(xy, p):
    x, y = xy[0], xy[1]
    return 0.5 * (x**4 - 16.0 * x**2 + 5.0 * x + y**4 - 16.0 * y**2 + 5.0 * y)


def _easom(xy, p):
    x, y = xy[0], xy[1]
    return -jnp.cos(x) * jnp.cos(y) * jnp.exp(-((x - PI) ** 2 + (y - PI) ** 2))


def _mccormick(xy, p):
    x, y = xy[0], xy[1]
    return jnp.sin(x + y) + (x - y) ** 2 - 1.5 * x + 2.5 * y + 1.0


def _saddle(xy, p):
    x, y = xy[0], xy[1]
    return x**2 - y**2


def _monkey_saddle(xy, p):
    x, y = xy[0], xy[1]
    return x**3 - 3.0 * x * y**2


def _quadratic(xy, p):
    theta = jnp.deg2rad(p["angle"])
    c, s = jnp.cos(theta), jnp.sin(theta)
    u = xy[0] * c + xy[1] * s
    v = -xy[0] * s + xy[1] * c
    return 0.5 * (u**2 + p["kappa"] * v**2)


LANDSCAPES: tuple[Landscape, ...] = (
    Landscape(
        id="rosenbrock",
        title="Rosenbrock",
        formula=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
        fn=_rosenbrock,
        domain=((-2.0, 2.0), (-1.0, 3.0)),
        start=(-1.5, 2.0),
        minima=(Minimum((1.0, 1.0), 0.0),),
        teaches="A narrow curved valley: easy to find, slow to follow (condition number ≈ 2508 at the minimum).",
        log_scale=True,
        reference="Rosenbrock (1960), The Computer Journal 3(3)",
    ),
    Landscape(
        id="beale",
        title="Beale",
        formula=r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        fn=_beale,
        domain=((-4.5, 4.5), (-4.5, 4.5)),
        start=(1.0, 1.5),
        minima=(Minimum((3.0, 0.5), 0.0),),
        teaches="Flat ridges next to huge corners (≈ 1.8e5): step sizes that fit one region fail in the other.",
        log_scale=True,
    ),
    Landscape(
        id="booth",
        title="Booth",
        formula=r"f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2",
        fn=_booth,
        domain=((-10.0, 10.0), (-10.0, 10.0)),
        start=(-4.0, 4.0),
        minima=(Minimum((1.0, 3.0), 0.0),),
        teaches="A convex quadratic with condition number 9: every method should converge here.",
    ),
    Landscape(
        id="himmelblau",
        title="Himmelblau",
        formula=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        fn=_himmelblau,
        domain=((-5.0, 5.0), (-5.0, 5.0)),
        start=(-0.3, -0.9),
        minima=(
            Minimum((3.0, 2.0), 0.0),
            Minimum((-2.805118, 3.131313), 0.0),
            Minimum((-3.779310, -3.283186), 0.0),
            Minimum((3.584428, -1.848127), 0.0),
        ),
        teaches="Four equal minima: which basin you land in depends on where you start.",
        log_scale=True,
    ),
    Landscape(
        id="rastrigin",
        title="Rastrigin",
        formula=r"f(x, y) = 20 + x^2 - 10\cos 2\pi x + y^2 - 10\cos 2\pi y",
        fn=_rastrigin,
        domain=((-5.12, 5.12), (-5.12, 5.12)),
        start=(2.2, 2.7),
        minima=(
            Minimum((0.0, 0.0), 0.0),
            Minimum((0.99496, 0.99496), 1.98992, glob=False),
        ),
        teaches="A grid of local minima near the integers: gradient methods stop in the nearest one.",
    ),
    Landscape(
        id="ackley",
        title="Ackley",
        formula=(
            r"f(x, y) = -20\,e^{-0.2\sqrt{\frac{1}{2}(x^2 + y^2)}}"
            r" - e^{\frac{1}{2}(\cos 2\pi x + \cos 2\pi y)} + e + 20"
        ),
        fn=_ackley,
        domain=((-5.0, 5.0), (-5.0, 5.0)),
        start=(3.2, 2.4),
        minima=(Minimum((0.0, 0.0), 0.0),),
        teaches="A flat, rippled outer region around a sharp funnel that is not differentiable at the minimum.",
        nondifferentiable_minima=True,
    ),
    Landscape(
        id="goldstein_price",
        title="Goldstein-Price",
        formula=(
            r"f(x, y) = \left[1 + (x + y + 1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)\right]"
            r"\left[30 + (2x - 3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)\right]"
        ),
        fn=_goldstein_price,
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        start=(-1.0, 1.5),
        minima=(
            Minimum((0.0, -1.0), 3.0),
            Minimum((-0.6, -0.4), 30.0, glob=False),
            Minimum((1.8, 0.2), 84.0, glob=False),
            Minimum((1.2, 0.8), 840.0, glob=False),
        ),
        teaches="A product, not a sum: values span six decades and three local minima trap the unwary.",
        log_scale=True,
    ),
    Landscape(
        id="six_hump_camel",
        title="Six-hump camel",
        formula=r"f(x, y) = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy + (-4 + 4y^2)\,y^2",
        fn=_six_hump_camel,
        domain=((-2.0, 2.0), (-1.0, 1.0)),
        start=(-1.5, -0.8),
        minima=(
            Minimum((0.0898420, -0.7126564), -1.0316285),
            Minimum((-0.0898420, 0.7126564), -1.0316285),
        ),
        teaches="Six local minima, two of them global: symmetric twins a method must choose between.",
    ),
    Landscape(
        id="three_hump_camel",
        title="Three-hump camel",
        formula=r"f(x, y) = 2x^2 - 1.05x^4 + \tfrac{x^6}{6} + xy + y^2",
        fn=_three_hump_camel,
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        start=(1.9, -1.5),
        minima=(
            Minimum((0.0, 0.0), 0.0),
            Minimum((1.74755, -0.87378), 0.29864, glob=False),
            Minimum((-1.74755, 0.87378), 0.29864, glob=False),
        ),
        teaches="One global and two local minima: momentum can carry a run over the hump, or not.",
    ),
    Landscape(
        id="matyas",
        title="Matyas",
        formula=r"f(x, y) = 0.26\,(x^2 + y^2) - 0.48\,xy",
        fn=_matyas,
        domain=((-10.0, 10.0), (-10.0, 10.0)),
        start=(8.0, 3.0),
        minima=(Minimum((0.0, 0.0), 0.0),),
        teaches="A flat valley along x = y (Hessian eigenvalues 1.0 and 0.04): plain steps crawl along it.",
    ),
    Landscape(
        id="levi13",
        title="Lévi N.13",
        formula=(
            r"f(x, y) = \sin^2 3\pi x + (x - 1)^2 (1 + \sin^2 3\pi y)"
            r" + (y - 1)^2 (1 + \sin^2 2\pi y)"
        ),
        fn=_levi13,
        domain=((-10.0, 10.0), (-10.0, 10.0)),
        start=(-4.0, 5.0),
        minima=(Minimum((1.0, 1.0), 0.0),),
        teaches="Ripples everywhere: many local minima between the start and the global one.",
    ),
    Landscape(
        id="styblinski_tang",
        title="Styblinski-Tang",
        formula=r"f(x, y) = \tfrac{1}{2}\left(x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y\right)",
        fn=_styblinski_tang,
        domain=((-5.0, 5.0), (-5.0, 5.0)),
        start=(0.5, 4.5),
        minima=(Minimum((-2.9035340, -2.9035340), -78.3323314),),
        teaches="Four basins of different depth: the nearest minimum is not always the deepest.",
    ),
    Landscape(
        id="easom",
        title="Easom",
        formula=r"f(x, y) = -\cos x \cos y \, e^{-\left((x - \pi)^2 + (y - \pi)^2\right)}",
        fn=_easom,
        domain=((-2.0, 8.0), (-2.0, 8.0)),
        start=(1.5, 1.5),
        minima=(Minimum((PI, PI), -1.0),),
        teaches="A plateau with a single narrow hole: tiny gradients, where epsilon in adaptive methods decides.",
    ),
    Landscape(
        id="mccormick",
        title="McCormick",
        formula=r"f(x, y) = \sin(x + y) + (x - y)^2 - 1.5x + 2.5y + 1",
        fn=_mccormick,
        domain=((-1.5, 4.0), (-3.0, 4.0)),
        start=(3.0, 3.5),
        minima=(Minimum((0.5 - PI / 3, -0.5 - PI / 3), -math.sqrt(3) / 2 - PI / 3),),
        teaches="Not convex where sin(x + y) > 0: a gentle slope with a bend.",
    ),
    Landscape(
        id="saddle",
        title="Saddle",
        formula=r"f(x, y) = x^2 - y^2",
        fn=_saddle,
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        start=(-1.5, 0.001),
        minima=(),
        teaches="A saddle at the origin: gradient descent started near y = 0 lingers there before escaping.",
    ),
    Landscape(
        id="monkey_saddle",
        title="Monkey saddle",
        formula=r"f(x, y) = x^3 - 3xy^2",
        fn=_monkey_saddle,
        domain=((-1.5, 1.5), (-1.5, 1.5)),
        start=(1.0, 0.05),
        minima=(),
        teaches="A degenerate stationary point (zero Hessian) with three descending valleys.",
    ),
    Landscape(
        id="quadratic",
        title="Quadratic ravine",
        formula=(
            r"f(x, y) = \tfrac{1}{2}\left(u^2 + \kappa v^2\right),\quad "
            r"u = x\cos\theta + y\sin\theta,\ v = -x\sin\theta + y\cos\theta"
        ),
        fn=_quadratic,
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        start=(-1.8, 1.0),
        minima=(Minimum((0.0, 0.0), 0.0),),
        params=(
            Param("kappa", "condition number (curvature ratio)", 10.0, 1.0, 1000.0, scale="log", symbol=r"\kappa"),
            Param("angle", "rotation of the ravine, in degrees", 0.0, -90.0, 90.0, symbol=r"\theta"),
        ),
        teaches=(
            "The ravine: gradient descent is stable only for lr < 2/κ; the best plain rate is "
            "(κ−1)/(κ+1), heavy-ball momentum reaches (√κ−1)/(√κ+1)."
        ),
    ),
)
