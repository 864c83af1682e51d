"""A typed formula as a Landscape: its structure compiled once, its minima found numerically.

Two records per formula. The *structural* landscape (`structural(key)`, id `formula:<postfix
program with # slots>`) is what the engine looks up inside jit: its parameters are the slots c0,
c1, ..., so the numbers travel as values. The *resolved* landscape (`resolve(text, domain)`)
adds what depends on the numbers and the domain: the LaTeX, the start, and the minima found by

1. evaluating f on a 48 × 48 grid over the domain,
2. taking the grid's local minima (at most 32, lowest first) as starts,
3. refining each by damped Newton steps, falling back to gradient steps where the Hessian is not
   positive definite, with a backtracking search over 30 step sizes (all jitted, vmapped),
4. keeping the interior points no higher than 8 probes around them, and clustering them.

The grid and the refinement are compiled per structure too (`trace_count()` counts them).
"""

from __future__ import annotations

import collections
import functools
import math
from dataclasses import replace

import jax
import jax.numpy as jnp
import numpy as np

from landscapes import formula as fm
from landscapes.spec import Landscape, Minimum, Param

GRID = 48
MAX_STARTS = 32
REFINE_STEPS = 80
MAX_MINIMA = 8
MAX_DOMAIN = 1e4

_traces: collections.Counter = collections.Counter()


def trace_count() -> int:
    """How many times the minimum search was compiled in this process."""
    return sum(_traces.values())


@functools.lru_cache(maxsize=256)
def structural(key: str) -> Landscape:
    """The landscape the engine compiles for a formula structure (numbers as parameters c_i)."""
    if not key.startswith(fm.PREFIX):
        raise KeyError(f"not a formula landscape id: {key[:40]!r}")
    structure = key[len(fm.PREFIX):]
    n = fm.tokens(structure).count("#")
    return Landscape(
        id=key,
        title="Formula",
        formula="",
        fn=fm.jax_function(structure),
        domain=((-1.0, 1.0), (-1.0, 1.0)),
        start=(0.0, 0.0),
        teaches="A function you typed.",
        params=tuple(Param(name, "a number of the formula", 0.0, -fm.FLOAT32_MAX, fm.FLOAT32_MAX, symbol=name) for name in fm.slot_names(n)),
    )


def _f(structure: str, numbers):
    fn = fm.jax_function(structure)
    params = {name: numbers[i] for i, name in enumerate(fm.slot_names(fm.tokens(structure).count("#")))}
    return lambda p: fn(p, params)


def _packed(numbers: tuple[float, ...]) -> np.ndarray:
    return np.asarray(numbers or (0.0,), np.float32)  # never empty: a fixed shape per structure


@functools.partial(jax.jit, static_argnums=0)
def _grid(structure: str, numbers, bounds):
    _traces[("grid", structure)] += 1
    f = _f(structure, numbers)
    xs = jnp.linspace(bounds[0], bounds[1], GRID)
    ys = jnp.linspace(bounds[2], bounds[3], GRID)
    z = jax.vmap(jax.vmap(lambda x, y: f(jnp.stack([x, y])), in_axes=(0, None)), in_axes=(None, 0))(xs, ys)
    return xs, ys, z


@functools.partial(jax.jit, static_argnums=0)
def _refine(structure: str, numbers, starts, bounds):
    _traces[("refine", structure)] += 1
    f = _f(structure, numbers)
    lo = jnp.stack([bounds[0], bounds[2]])
    hi = jnp.stack([bounds[1], bounds[3]])
    span = jnp.linalg.norm(hi - lo)
    ts = 2.0 ** -jnp.arange(30.0)

    def finite_or_inf(v):
        return jnp.where(jnp.isfinite(v), v, jnp.inf)

    def step(p, _):
        f0, g = jax.value_and_grad(f)(p)
        h = jax.hessian(f)(p)
        det = h[0, 0] * h[1, 1] - h[0, 1] * h[1, 0]
        newton = -jnp.stack([h[1, 1] * g[0] - h[0, 1] * g[1], h[0, 0] * g[1] - h[1, 0] * g[0]]) / det
        positive = (det > 0) & (h[0, 0] > 0) & jnp.all(jnp.isfinite(newton))
        newton = jnp.where(positive, newton, 0.0)
        gnorm = jnp.sqrt(g[0] ** 2 + g[1] ** 2)
        # Gradient steps start at about a grid cell: a longer first step could leap into
        # another basin, and each start must find the minimum of its own.
        downhill = jnp.where(gnorm > 0, -g / jnp.where(gnorm > 0, gnorm, 1.0), 0.0) * span / GRID
        f0 = finite_or_inf(f0)

        def first_decrease(direction, armijo):
            cands = jnp.clip(p + ts[:, None] * direction, lo, hi)
            fs = finite_or_inf(jax.vmap(f)(cands))
            ok = fs <= f0 - armijo * ts
            i = jnp.argmax(ok)  # the longest step that decreases enough
            return cands[i], ok[i]

        by_newton, newton_ok = first_decrease(newton, 0.0)
        by_gradient, gradient_ok = first_decrease(downhill, 1e-4 * gnorm * span / GRID)
        newton_ok = newton_ok & positive
        p = jnp.where(newton_ok, by_newton, jnp.where(gradient_ok, by_gradient, p))
        return p, None

    def one(p):
        p, _ = jax.lax.scan(step, p, None, length=REFINE_STEPS)
        value = f(p)
        delta = 1e-3 * span
        angles = jnp.arange(8) * (jnp.pi / 4)
        probes = p + delta * jnp.stack([jnp.cos(angles), jnp.sin(angles)], axis=1)
        lowest_probe = jnp.min(finite_or_inf(jax.vmap(f)(probes)))
        interior = jnp.all((p > lo + 1e-6 * span) & (p < hi - 1e-6 * span))
        is_min = interior & jnp.isfinite(value) & (value <= lowest_probe + 1e-6 * (1 + jnp.abs(value)))
        return p, value, is_min

    return jax.vmap(one)(starts)


def _grid_local_minima(z: np.ndarray) -> np.ndarray:
    """(row, col) of the cells no higher than their 8 neighbours, lowest first."""
    padded = np.pad(np.where(np.isfinite(z), z, np.inf), 1, constant_values=np.inf)
    centre = padded[1:-1, 1:-1]
    is_min = np.isfinite(centre)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                is_min &= centre <= padded[1 + di : padded.shape[0] - 1 + di, 1 + dj : padded.shape[1] - 1 + dj]
    cells = np.argwhere(is_min)
    order = np.argsort(centre[is_min], kind="stable")
    return cells[order][:MAX_STARTS]


def find_minima(parsed: fm.Formula, domain) -> tuple[tuple[Minimum, ...], np.ndarray]:
    """The minima of a formula over a domain, and the coarse grid they were searched on."""
    (x0, x1), (y0, y1) = domain
    bounds = np.asarray([x0, x1, y0, y1], np.float32)
    numbers = _packed(parsed.numbers)
    xs, ys, z = (np.asarray(a) for a in _grid(parsed.structure, numbers, bounds))
    cells = _grid_local_minima(z)
    if len(cells) == 0:
        return (), z
    starts = np.zeros((MAX_STARTS, 2), np.float32)  # a fixed batch: padding repeats the first
    starts[:] = [xs[cells[0][1]], ys[cells[0][0]]]
    for k, (i, j) in enumerate(cells):
        starts[k] = [xs[j], ys[i]]
    points, values, is_min = (np.asarray(a) for a in _refine(parsed.structure, numbers, starts, bounds))
    span = math.hypot(x1 - x0, y1 - y0)
    kept: list[tuple[float, np.ndarray]] = []
    for k in np.argsort(values, kind="stable"):
        if not is_min[k]:
            continue
        if all(np.linalg.norm(points[k] - q) > 1e-2 * span for _, q in kept):
            kept.append((float(values[k]), points[k]))
    kept = kept[:MAX_MINIMA]
    if not kept:
        return (), z
    lowest = kept[0][0]
    return tuple(
        Minimum((round(float(p[0]), 4), round(float(p[1]), 4)), v, glob=v <= lowest + 1e-4 * (1 + abs(lowest)), found=True)
        for v, p in kept
    ), z


class DomainError(ValueError):
    pass


def check_domain(domain) -> tuple[tuple[float, float], tuple[float, float]]:
    """((x0, x1), (y0, y1)) with finite x0 < x1, y0 < y1 within ±MAX_DOMAIN; DomainError otherwise."""
    try:
        (x0, x1), (y0, y1) = ((float(a), float(b)) for a, b in domain)
    except (TypeError, ValueError):
        raise DomainError("must be [[x0, x1], [y0, y1]] (numbers)") from None
    for name, lo, hi in (("x", x0, x1), ("y", y0, y1)):
        if not (-MAX_DOMAIN <= lo < hi <= MAX_DOMAIN):
            raise DomainError(f"the {name} range must be two numbers lo < hi within ±{MAX_DOMAIN:g}, got [{lo:g}, {hi:g}]")
    return (x0, x1), (y0, y1)


@functools.lru_cache(maxsize=64)
def resolve(text: str, domain: tuple[tuple[float, float], tuple[float, float]]) -> Landscape:
    """The landscape of a typed formula over a domain; FormulaError or DomainError otherwise.

    A formula with no finite value anywhere on the search grid is an error (reported, not drawn).
    """
    parsed = fm.parse(text)
    domain = check_domain(domain)
    minima, z = find_minima(parsed, domain)
    finite = np.isfinite(z)
    if not finite.any():
        raise fm.FormulaError(0, f"no finite value over the domain x in [{domain[0][0]:g}, {domain[0][1]:g}], y in [{domain[1][0]:g}, {domain[1][1]:g}]")
    (x0, x1), (y0, y1) = domain
    # Start at the upper left quarter of the domain, or the finite grid point nearest to it.
    want = np.asarray([x0 + 0.2 * (x1 - x0), y0 + 0.8 * (y1 - y0)])
    gx = np.linspace(x0, x1, GRID)
    gy = np.linspace(y0, y1, GRID)
    ii, jj = np.nonzero(finite)
    k = np.argmin((gx[jj] - want[0]) ** 2 + (gy[ii] - want[1]) ** 2)
    start = (round(float(gx[jj[k]]), 3), round(float(gy[ii[k]]), 3))
    values = z[finite]
    base = structural(parsed.key)
    return Landscape(
        id=parsed.key,
        title="Formula",
        formula=fm.latex(parsed),
        fn=base.fn,
        domain=domain,
        start=start,
        teaches="A function you typed; its minima were found numerically.",
        minima=minima,
        params=tuple(replace(p, default=v) for p, v in zip(base.params, parsed.numbers)),
        # Values that span decades above a non-negative floor are drawn on a log scale.
        log_scale=bool(values.min() >= 0 and values.max() > 100 * max(float(np.median(values)), 1e-6)),
        source=text,
        base=base,
    )
