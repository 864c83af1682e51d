"""A decay rate that remembers its complement 1 − β to float64 accuracy.

The frameworks hold β1, β2 and ρ as Python floats and compute `1 - beta` in double precision
before it meets float32 tensors: 1 − 0.999 becomes exactly 0.001f. Passed into a jitted
function as a float32 array (so that a new value does not recompile), β = 0.999 is already
0.99900001, and 1 − β = 0.00099998713, off by 1.3e-5 relative: enough to move an Adam path by
1e-5 in 60 steps. `Decay` carries both numbers, computed on the host in double, and answers
`1 - decay` with the exact complement; every other operation sees the float32 value, as the
frameworks' `ops.cast(beta, float32)` or `decay ** count` do.

It works inside optax's own code because optax only ever writes `1 - decay`, `decay * x` and
`decay ** count` with these arguments (tests compare against optax given plain floats).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


@jax.tree_util.register_pytree_node_class
class Decay:
    __slots__ = ("value", "complement")

    def __init__(self, value, complement=None):
        self.value = jnp.asarray(value, jnp.float32)
        self.complement = (
            jnp.asarray(complement, jnp.float32) if complement is not None else 1.0 - self.value
        )

    @classmethod
    def of(cls, beta: float) -> "Decay":
        """From a Python float, the complement computed in double precision."""
        return cls(beta, 1.0 - float(beta))

    def __rsub__(self, other):
        if isinstance(other, (int, float)) and other == 1:
            return self.complement
        return other - self.value

    def __sub__(self, other):
        return self.value - other

    def __mul__(self, other):
        return self.value * other

    __rmul__ = __mul__

    def __truediv__(self, other):
        return self.value / other

    def __rtruediv__(self, other):
        return other / self.value

    def __add__(self, other):
        return self.value + other

    __radd__ = __add__

    def __neg__(self):
        return -self.value

    def __pow__(self, other):
        return self.value**other

    def __jax_array__(self):
        return self.value

    def bias_correction(self, t) -> jax.Array:
        """1 − β^t as double precision would give it (PyTorch's `1 - beta ** step`).

        −expm1(t·log1p(−(1 − β))) loses nothing when β is close to 1, unlike 1 − β^t in
        float32.
        """
        return -jnp.expm1(t * jnp.log1p(-self.complement))

    # A pytree, so that optax's own jitted helpers (`tree.bias_correction`) can receive it.
    def tree_flatten(self):
        return (self.value, self.complement), None

    @classmethod
    def tree_unflatten(cls, aux, children):
        obj = object.__new__(cls)
        obj.value, obj.complement = children
        return obj

    def __repr__(self) -> str:
        return f"Decay({self.value!r}, complement={self.complement!r})"


def value(x):
    """The float32 value of a Decay, or x itself: for frameworks that cast β before `1 - β`."""
    return x.value if isinstance(x, Decay) else x
