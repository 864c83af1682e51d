"""Gradient oracles: the gradient each step feeds the optimizer, one kind per landscape.

A step at point p with its inputs u_k (one row of a per-step sequence the runner streams in)
asks the landscape's oracle for the gradient g̃(p, u_k):

* a classic landscape (a formula of x and y): the Gaussian model of minibatch noise,

      g̃ = ∇f(p) + (σ/√B)·ξ_k,   u_k = ξ_k ~ N(0, I)   (Bottou, Curtis & Nocedal 2018, §4);

* a data landscape (landscapes.data): the true minibatch gradient,

      g̃ = ∇_p Σ_i w_{k,i}·loss_i(p),   u_k = w_k, 1/|batch| on the rows of step k's batch,

  with the data block a traced value (an argument of the compiled runner, not a constant), so
  that a new data set or batch size compiles nothing.

An oracle is `oracle(p, grad, inputs)`: `grad` is ∇f(p), which every step computes anyway for its
loss and gradient-norm columns; the Gaussian model adds its noise to it rather than
differentiating f a second time. `batched`: p is (2, N), N trajectories (a sweep) sharing the
step's inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import jax

from landscapes import Landscape

Oracle = Callable[[jax.Array, jax.Array, jax.Array], jax.Array]


def gaussian(noise_scale, batched: bool = False) -> Oracle:
    """∇f(p) + scale·ξ, scale = σ/√B (a traced scalar: σ = 0 is just another value)."""
    if batched:
        return lambda p, grad, xi: grad + noise_scale * xi[:, None]
    return lambda p, grad, xi: grad + noise_scale * xi


def minibatch(batch_loss: Callable, data, batched: bool = False) -> Oracle:
    """∇_p batch_loss(p, data, w): the gradient of the weighted (mean) loss of one batch."""
    grad_of = jax.grad(lambda p, w: batch_loss(p, data, w))
    if batched:
        grad_of = jax.vmap(grad_of, in_axes=(1, None), out_axes=1)
    return lambda p, grad, weights: grad_of(p, weights)


def of(landscape: Landscape, params: Mapping, noise_scale, batched: bool = False) -> Oracle:
    """The landscape's oracle, for its traced parameters (a data landscape's: {"data": block})."""
    if landscape.data_size:
        return minibatch(landscape.batch_loss, params["data"], batched)
    return gaussian(noise_scale, batched)
