"""The PyTorch flavour: torch.optim's single-tensor update rules as optax transformations.

Read from torch/optim/*.py (PyTorch 2.13, `_single_tensor_*`, foreach=False, maximize=False,
dampening=0, lr_decay=0, momentum_decay=4e-3). Shared traits: the current learning rate (a
`LambdaLR` stepped once per update) multiplies an unscaled buffer, and `weight_decay` is an L2
term added to the gradient, g ← g + λp, except in AdamW, where it is decoupled,
p ← p(1 − ηλ). Lion is not in torch.optim, so this flavour has no Lion.

PyTorch computes `1 - beta` and the bias corrections `1 - beta ** step` on Python floats, in
double precision; β1, β2 and ρ arrive as `Decay`s, whose complement and `bias_correction`
reproduce those values in float32.

Parameters, gradients and buffers may be any pytree (a 2D point, an MLP's kernels and biases):
the arithmetic is mapped over the leaves with `jax.tree.map`, as optax does, each leaf's
operations in torch.optim's order. On a single array the map is the array's own arithmetic,
so the 2D paths are unchanged to the bit. The values given to `note` have the parameters'
structure.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax

from optimizers.decay import value
from optimizers.explain import note
from optimizers.states import (
    AccumulatorState,
    AdadeltaState,
    AdamaxState,
    AdamState,
    NadamState,
    RmsState,
    TraceState,
    count0,
    full_like,
    zeros,
)

tmap = jax.tree.map


def _lerp(start, end, weight):
    return start + weight * (end - start)


def _l2(grads, params, weight_decay):
    """g + λp on every leaf: torch.optim's L2 weight decay."""
    return tmap(lambda g, p: g + weight_decay * p, grads, params)


def _scaled(factor, tree):
    """factor·x on every leaf (the step −η·d)."""
    return tmap(lambda x: factor * x, tree)


def sgd(learning_rate, momentum, nesterov: bool, weight_decay) -> optax.GradientTransformation:
    """buf ← μ·buf + g (g on the first step); d = g + μ·buf (Nesterov) or buf; p ← p − ηd.

    The buffer starts at 0, so μ·0 + g is PyTorch's first-step copy of g, and μ = 0 gives the
    plain step p ← p − ηg.
    """

    def init(params):
        return TraceState(count0(), zeros(params))

    def update(grads, state, params):
        lr = learning_rate(state.count)
        g = _l2(grads, params, weight_decay)
        buf = tmap(lambda b, g: momentum * b + g, state.trace, g)
        direction = tmap(lambda g, b: g + momentum * b, g, buf) if nesterov else buf
        note(learning_rate=lr, t=state.count + 1, g=g, direction=direction)
        return _scaled(-lr, direction), TraceState(state.count + 1, buf)

    return optax.GradientTransformation(init, update)


def adagrad(learning_rate, initial_accumulator_value, epsilon, weight_decay):
    """a ← a + g²; p ← p − ηg/(√a + ε), ε outside the root: the first step is ≈ η·sign(g)."""

    def init(params):
        return AccumulatorState(count0(), full_like(params, initial_accumulator_value))

    def update(grads, state, params):
        lr = learning_rate(state.count)
        g = _l2(grads, params, weight_decay)
        acc = tmap(lambda a, g: a + g * g, state.sum_of_squares, g)
        note(learning_rate=lr, t=state.count + 1, g=g, effective_lr=tmap(lambda a: lr / (jnp.sqrt(a) + epsilon), acc))
        step = tmap(lambda g, a: -lr * (g / (jnp.sqrt(a) + epsilon)), g, acc)
        return step, AccumulatorState(state.count + 1, acc)

    return optax.GradientTransformation(init, update)


def rmsprop(learning_rate, rho, momentum, epsilon, centered: bool, weight_decay):
    """v ← αv + (1−α)g²; avg = √(v − ḡ²) + ε (centered) or √v + ε;
    b ← μb + g/avg; p ← p − ηb (η outside the buffer). `rho` is PyTorch's `alpha`.
    """

    def init(params):
        return RmsState(count0(), zeros(params), zeros(params), zeros(params))

    def update(grads, state, params):
        lr = learning_rate(state.count)
        g = _l2(grads, params, weight_decay)
        nu = tmap(lambda v, g: rho * v + (1.0 - rho) * (g * g), state.nu, g)
        if centered:
            mu = tmap(lambda m, g: _lerp(m, g, 1.0 - rho), state.mu, g)
            avg = tmap(lambda v, m: jnp.sqrt(v - m * m) + epsilon, nu, mu)
        else:
            mu = state.mu
            avg = tmap(lambda v: jnp.sqrt(v) + epsilon, nu)
        buf = tmap(lambda b, g, a: momentum * b + g / a, state.trace, g, avg)
        note(learning_rate=lr, t=state.count + 1, g=g, effective_lr=tmap(lambda a: lr / a, avg))
        return _scaled(-lr, buf), RmsState(state.count + 1, nu, mu, buf)

    return optax.GradientTransformation(init, update)


def adam(learning_rate, beta1, beta2, epsilon, amsgrad: bool, weight_decay, decoupled: bool = False):
    """p ← p − (η/(1−β1^t))·m/(√v/√(1−β2^t) + ε); AMSGrad takes the max over the raw v.

    `decoupled` is AdamW: p ← p(1 − ηλ) before the step instead of g ← g + λp.
    """

    def init(params):
        return AdamState(count0(), zeros(params), zeros(params), zeros(params) if amsgrad else None)

    def update(grads, state, params):
        lr = learning_rate(state.count)
        g = grads if decoupled else _l2(grads, params, weight_decay)
        t = (state.count + 1).astype(jnp.float32)
        mu = tmap(lambda m, g: _lerp(m, g, 1.0 - beta1), state.mu, g)
        nu = tmap(lambda v, g: beta2 * v + (1.0 - beta2) * (g * g), state.nu, g)
        step_size = lr / beta1.bias_correction(t)
        bias_correction2_sqrt = jnp.sqrt(beta2.bias_correction(t))
        nu_max = tmap(jnp.maximum, state.nu_max, nu) if amsgrad else None
        denom = tmap(lambda v: jnp.sqrt(v) / bias_correction2_sqrt + epsilon, nu_max if amsgrad else nu)
        step = tmap(lambda m, d: -step_size * (m / d), mu, denom)
        if decoupled:  # AdamW: p ← p(1 − ηλ) before the step
            step = tmap(lambda s, p: s + -(lr * weight_decay) * p, step, params)
        bc1 = beta1.bias_correction(t)
        note(learning_rate=lr, t=state.count + 1, g=g, bias_correction1=bc1, bias_correction2=beta2.bias_correction(t),
             m_hat=tmap(lambda m: m / bc1, mu), effective_lr=tmap(lambda d: lr / d, denom))
        return step, AdamState(state.count + 1, mu, nu, nu_max)

    return optax.GradientTransformation(init, update)


def adamw(learning_rate, beta1, beta2, epsilon, amsgrad: bool, weight_decay):
    return adam(learning_rate, beta1, beta2, epsilon, amsgrad, weight_decay, decoupled=True)


def adamax(learning_rate, beta1, beta2, epsilon, weight_decay):
    """u ← max(β2u, |g| + ε) (ε inside the max); p ← p − (η/(1−β1^t))·m/u."""

    def init(params):
        return AdamaxState(count0(), zeros(params), zeros(params))

    def update(grads, state, params):
        lr = learning_rate(state.count)
        g = _l2(grads, params, weight_decay)
        t = (state.count + 1).astype(jnp.float32)
        mu = tmap(lambda m, g: _lerp(m, g, 1.0 - beta1), state.mu, g)
        nu = tmap(lambda u, g: jnp.maximum(u * beta2, jnp.abs(g) + epsilon), state.nu, g)
        clr = lr / beta1.bias_correction(t)
        bc1 = beta1.bias_correction(t)
        note(learning_rate=lr, t=state.count + 1, g=g, bias_correction1=bc1, m_hat=tmap(lambda m: m / bc1, mu),
             effective_lr=tmap(lambda u: lr / u, nu))
        return tmap(lambda m, u: -clr * (m / u), mu, nu), AdamaxState(state.count + 1, mu, nu)

    return optax.GradientTransformation(init, update)


MOMENTUM_DECAY = 4e-3  # torch.optim.NAdam's default ψ


def nadam(learning_rate, beta1, beta2, epsilon, weight_decay):
    """NAdam: μ_t = β1(1 − ½·0.96^(tψ)), ψ = 0.004, Π_t = Π_{t−1}μ_t;
    p ← p − η(1−μ_t)/(1−Π_t)·g/d − ημ_{t+1}/(1−Π_tμ_{t+1})·m/d, d = √(v/(1−β2^t)) + ε.
    """

    def init(params):
        # Shaped like β1, which a sweep may give per trajectory.
        return NadamState(count0(), zeros(params), zeros(params), jnp.ones(jnp.shape(value(beta1)), jnp.float32))

    def update(grads, state, params):
        lr = learning_rate(state.count)
        g = _l2(grads, params, weight_decay)
        t = (state.count + 1).astype(jnp.float32)
        mu_t = beta1 * (1.0 - 0.5 * 0.96 ** (t * MOMENTUM_DECAY))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1.0) * MOMENTUM_DECAY))
        product = state.mu_product * mu_t
        mu = tmap(lambda m, g: _lerp(m, g, 1.0 - beta1), state.mu, g)
        nu = tmap(lambda v, g: beta2 * v + (1.0 - beta2) * (g * g), state.nu, g)
        denom = tmap(lambda v: jnp.sqrt(v / beta2.bias_correction(t)) + epsilon, nu)
        note(learning_rate=lr, t=state.count + 1, g=g, mu_t=mu_t, mu_next=mu_next,
             bias_correction2=beta2.bias_correction(t), v_hat=tmap(lambda v: v / beta2.bias_correction(t), nu),
             m_hat=tmap(lambda m, g: mu_next * m / (1.0 - product * mu_next) + (1.0 - mu_t) * g / (1.0 - product), mu, g),
             effective_lr=tmap(lambda d: lr / d, denom))
        gradient_part, momentum_part = -lr * (1.0 - mu_t) / (1.0 - product), -lr * mu_next / (1.0 - product * mu_next)
        step = tmap(lambda g, m, d: gradient_part * (g / d) + momentum_part * (m / d), g, mu, denom)
        return step, NadamState(state.count + 1, mu, nu, product)

    return optax.GradientTransformation(init, update)


def adadelta(learning_rate, rho, epsilon, weight_decay):
    """v ← ρv + (1−ρ)g²; Δ = √(u + ε)/√(v + ε)·g; u ← ρu + (1−ρ)Δ²; p ← p − ηΔ."""

    def init(params):
        return AdadeltaState(count0(), zeros(params), zeros(params))

    def update(grads, state, params):
        lr = learning_rate(state.count)
        g = _l2(grads, params, weight_decay)
        e_g = tmap(lambda e, g: rho * e + (1.0 - rho) * (g * g), state.e_g, g)
        std = tmap(lambda e: jnp.sqrt(e + epsilon), e_g)
        delta = tmap(lambda x, s, g: jnp.sqrt(x + epsilon) / s * g, state.e_x, std, g)
        e_x = tmap(lambda x, d: rho * x + (1.0 - rho) * (d * d), state.e_x, delta)
        note(learning_rate=lr, t=state.count + 1, g=g, delta=delta,
             effective_lr=tmap(lambda x, s: lr * jnp.sqrt(x + epsilon) / s, state.e_x, std))
        return _scaled(-lr, delta), AdadeltaState(state.count + 1, e_g, e_x)

    return optax.GradientTransformation(init, update)
