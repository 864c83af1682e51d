"""The Landscape record: a pure JAX function of a 2-vector plus what the UI and the engine need."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import jax
import jax.numpy as jnp

from params import (
    Param,  # a landscape's parameters (e.g. the quadratic's κ) are plain records
)

Array = jax.Array


@dataclass(frozen=True)
class Minimum:
    """A known minimum: where it is, its value, and whether it is the global one."""

    point: tuple[float, float]
    value: float
    glob: bool = True
    # Found numerically (a typed formula's minima) rather than known in closed form.
    found: bool = False


@dataclass(frozen=True)
class Landscape:
    """A 2D test function f(xy, params) -> scalar, with its metadata.

    `fn` takes a float32 array of shape (2,) and a mapping from parameter name to scalar and
    returns a float32 scalar; it is pure and traceable, so `jax.grad`, `jit` and `vmap` apply.
    """

    id: str
    title: str
    formula: str  # LaTeX
    fn: Callable[[Array, Mapping[str, Array]], Array]
    domain: tuple[tuple[float, float], tuple[float, float]]
    start: tuple[float, float]
    teaches: str
    minima: tuple[Minimum, ...] = ()
    params: tuple[Param, ...] = ()
    # Values that span decades are drawn on a log colour scale.
    log_scale: bool = False
    # The names of the two coordinates, for axis titles: a data landscape's are its model's
    # parameters (w, b).
    axes: tuple[str, str] = ("x", "y")
    # Points where the gradient does not exist (the minimum of Ackley); tests skip the
    # zero-gradient check there.
    nondifferentiable_minima: bool = False
    reference: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    # A typed formula's text as the user wrote it ("" for the catalogue's landscapes); `id` is
    # then the formula's structure, shared by every formula that differs only in its numbers.
    source: str = ""
    # A data landscape (landscapes.data): the padded data size the engine compiles for (0: not a
    # data landscape), the loss of a batch (p, data, weights) -> scalar whose gradient is the
    # minibatch gradient, and the (3, data_size) data block (x, y, weights) travelling as a value.
    data_size: int = 0
    batch_loss: Callable | None = field(default=None, compare=False)
    data: object = field(default=None, compare=False, repr=False)
    # A resolved typed formula or data landscape: the structural landscape it specialises (its
    # numbers and data as values), which is what the engine compiles. None: its own structure.
    base: Landscape | None = field(default=None, compare=False, repr=False)

    # The engine's compile key (descent.engine.RunKey) holds a structural Landscape, hashed at
    # every dispatch: the id alone is enough (equal landscapes have equal ids) and costs nothing,
    # while the generated hash would walk every field (and a data block is never hashed).
    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def structural(self) -> Landscape:
        """The landscape the engine compiles for this one: a typed formula's structure (numbers
        lifted out as parameters c0, c1, ...), a data landscape's model and data bucket, or
        the landscape itself."""
        return self if self.base is None else self.base

    def default_params(self) -> dict[str, float]:
        return {p.name: p.default for p in self.params}

    def __call__(self, xy, **params) -> Array:
        """f(xy) with the given parameters (defaults for the rest); eager convenience."""
        unknown = set(params) - {p.name for p in self.params}
        if unknown:
            raise KeyError(f"{self.id} has no parameter {sorted(unknown)[0]!r}")
        values = {k: jnp.float32(v) for k, v in (self.default_params() | params).items()}
        return self.fn(jnp.asarray(xy, jnp.float32), values)

    def global_minima(self) -> tuple[Minimum, ...]:
        return tuple(m for m in self.minima if m.glob)
