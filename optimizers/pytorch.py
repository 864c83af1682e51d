"""The PyTorch flavour: torch.optim's single-tensor update rules as optax transformations.

Read from torch/optim/*.py (PyTorch 2.13, `_single_tensor_*`, foreach=False, maximize=False,
dampening=0, lr_decay=0, momentum_decay=4e-3). Shared traits: the current learning rate (a
`LambdaLR` stepped once per update) multiplies an unscaled buffer, and `weight_decay` is an L2
term added to the gradient, g ← g + λp, except in AdamW, where it is decoupled,
p ← p(1 − ηλ). Lion is not in torch.optim, so this flavour has no Lion.

PyTorch computes `1 - beta` and the bias corrections `1 - beta ** step` on Python floats, in
double precision; β1, β2 and ρ arrive as `Decay`s, whose complement and `bias_correction`
reproduce those values in float32.
"""

from __future__ import annotations

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
    zeros,
)


def _lerp(start, end, weight):
    return start + weight * (end - start)


def sgd(learning_rate, momentum, nesterov: bool, weight_decay) -> optax.GradientTransformation:
    """buf ← μ·buf + g (g on the first step); d = g + μ·buf (Nesterov) or buf; p ← p − ηd.

    The buffer starts at 0, so μ·0 + g is PyTorch's first-step copy of g, and μ = 0 gives the
    plain step p ← p − ηg.
    """

    def init(params):
        return TraceState(count0(), zeros(params))

    def update(grads, state, params):
        lr = learning_rate(state.count)
        g = grads + weight_decay * params
        buf = momentum * state.trace + g
        direction = g + momentum * buf if nesterov else buf
        note(learning_rate=lr, t=state.count + 1, g=g, direction=direction)
        return -lr * direction, TraceState(state.count + 1, buf)

    return optax.GradientTransformation(init, update)


def adagrad(learning_rate, initial_accumulator_value, epsilon, weight_decay):
    """a ← a + g²; p ← p − ηg/(√a + ε), ε outside the root: the first step is ≈ η·sign(g)."""

    def init(params):
        return AccumulatorState(count0(), zeros(params) + initial_accumulator_value)

    def update(grads, state, params):
        lr = learning_rate(state.count)
        g = grads + weight_decay * params
        acc = state.sum_of_squares + g * g
        note(learning_rate=lr, t=state.count + 1, g=g, effective_lr=lr / (jnp.sqrt(acc) + epsilon))
        return -lr * (g / (jnp.sqrt(acc) + epsilon)), AccumulatorState(state.count + 1, acc)

    return optax.GradientTransformation(init, update)


def rmsprop(learning_rate, rho, momentum, epsilon, centered: bool, weight_decay):
    """v ← αv + (1−α)g²; avg = √(v − ḡ²) + ε (centered) or √v + ε;
    b ← μb + g/avg; p ← p − ηb (η outside the buffer). `rho` is PyTorch's `alpha`.
    """

    def init(params):
        return RmsState(count0(), zeros(params), zeros(params), zeros(params))

    def update(grads, state, params):
        lr = learning_rate(state.count)
        g = grads + weight_decay * params
        nu = rho * state.nu + (1.0 - rho) * (g * g)
        if centered:
            mu = _lerp(state.mu, g, 1.0 - rho)
            avg = jnp.sqrt(nu - mu * mu) + epsilon
        else:
            mu = state.mu
            avg = jnp.sqrt(nu) + epsilon
        buf = momentum * state.trace + g / avg
        note(learning_rate=lr, t=state.count + 1, g=g, effective_lr=lr / avg)
        return -lr * buf, RmsState(state.count + 1, nu, mu, buf)

    return optax.GradientTransformation(init, update)


def adam(learning_rate, beta1, beta2, epsilon, amsgrad: bool, weight_decay, decoupled: bool = False):
    """p ← p − (η/(1−β1^t))·m/(√v/√(1−β2^t) + ε); AMSGrad takes the max over the raw v.

    `decoupled` is AdamW: p ← p(1 − ηλ) before the step instead of g ← g + λp.
    """

    def init(params):
        return AdamState(count0(), zeros(params), zeros(params), zeros(params) if amsgrad else None)

    def update(grads, state, params):
        lr = learning_rate(state.count)
        if decoupled:
            g = grads
            decay = -(lr * weight_decay) * params
        else:
            g = grads + weight_decay * params
            decay = 0.0
        t = (state.count + 1).astype(jnp.float32)
        mu = _lerp(state.mu, g, 1.0 - beta1)
        nu = beta2 * state.nu + (1.0 - beta2) * (g * g)
        step_size = lr / beta1.bias_correction(t)
        bias_correction2_sqrt = jnp.sqrt(beta2.bias_correction(t))
        nu_max = jnp.maximum(state.nu_max, nu) if amsgrad else None
        denom = jnp.sqrt(nu_max if amsgrad else nu) / bias_correction2_sqrt + epsilon
        step = -step_size * (mu / denom)
        bc1 = beta1.bias_correction(t)
        note(learning_rate=lr, t=state.count + 1, g=g, bias_correction1=bc1, bias_correction2=beta2.bias_correction(t),
             m_hat=mu / bc1, effective_lr=lr / denom)
        return step + decay, AdamState(state.count + 1, mu, nu, nu_max)

    return optax.GradientTransformation(init, update)


def adamw(learning_rate, beta1, beta2, epsilon, amsgrad: bool, weight_decay):
    return adam(learning_rate, beta1, beta2, epsilon, amsgrad, weight_decay, decoupled=True)


def adamax(learning_rate, beta1, beta2, epsilon, weight_decay):
    """u ← max(β2u, |g| + ε) (ε inside the max); p ← p − (η/(1−β1^t))·m/u."""

    def init(params):
        return AdamaxState(count0(), zeros(params), zeros(params))

    def update(grads, state, params):
        lr = learning_rate(state.count)
        g = grads + weight_decay * params
        t = (state.count + 1).astype(jnp.float32)
        mu = _lerp(state.mu, g, 1.0 - beta1)
        nu = jnp.maximum(state.nu * beta2, jnp.abs(g) + epsilon)
        clr = lr / beta1.bias_correction(t)
        bc1 = beta1.bias_correction(t)
        note(learning_rate=lr, t=state.count + 1, g=g, bias_correction1=bc1, m_hat=mu / bc1, effective_lr=lr / nu)
        return -clr * (mu / nu), AdamaxState(state.count + 1, mu, nu)

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
        g = grads + weight_decay * params
        t = (state.count + 1).astype(jnp.float32)
        mu_t = beta1 * (1.0 - 0.5 * 0.96 ** (t * MOMENTUM_DECAY))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1.0) * MOMENTUM_DECAY))
        product = state.mu_product * mu_t
        mu = _lerp(state.mu, g, 1.0 - beta1)
        nu = beta2 * state.nu + (1.0 - beta2) * (g * g)
        denom = jnp.sqrt(nu / beta2.bias_correction(t)) + epsilon
        note(learning_rate=lr, t=state.count + 1, g=g, mu_t=mu_t, mu_next=mu_next,
             bias_correction2=beta2.bias_correction(t), v_hat=nu / beta2.bias_correction(t),
             m_hat=mu_next * mu / (1.0 - product * mu_next) + (1.0 - mu_t) * g / (1.0 - product),
             effective_lr=lr / denom)
        step = (-lr * (1.0 - mu_t) / (1.0 - product)) * (g / denom)
        step = step + (-lr * mu_next / (1.0 - product * mu_next)) * (mu / denom)
        return step, NadamState(state.count + 1, mu, nu, product)

    return optax.GradientTransformation(init, update)


def adadelta(learning_rate, rho, epsilon, weight_decay):
    """v ← ρv + (1−ρ)g²; Δ = √(u + ε)/√(v + ε)·g; u ← ρu + (1−ρ)Δ²; p ← p − ηΔ."""

    def init(params):
        return AdadeltaState(count0(), zeros(params), zeros(params))

    def update(grads, state, params):
        lr = learning_rate(state.count)
        g = grads + weight_decay * params
        e_g = rho * state.e_g + (1.0 - rho) * (g * g)
        std = jnp.sqrt(e_g + epsilon)
        delta = jnp.sqrt(state.e_x + epsilon) / std * g
        e_x = rho * state.e_x + (1.0 - rho) * (delta * delta)
        note(learning_rate=lr, t=state.count + 1, g=g, delta=delta, effective_lr=lr * jnp.sqrt(state.e_x + epsilon) / std)
        return -lr * delta, AdadeltaState(state.count + 1, e_g, e_x)

    return optax.GradientTransformation(init, update)
