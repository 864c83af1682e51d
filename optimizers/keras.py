"""The Keras 3 flavour: each optimizer's `update_step` rewritten as an optax transformation.

Read from keras/src/optimizers/*.py (Keras 3.15). Two things every Keras optimizer shares:
the learning rate is the schedule evaluated at `iterations` (updates already applied), and a
`weight_decay` set on any optimizer is decoupled, applied before the step as
p ← p − p·λ·η (`BaseOptimizer._apply_weight_decay`). Operations keep Keras's order so that
float32 results agree with the real library to rounding.

Every function returns an `optax.GradientTransformation` whose updates are added to the
parameters; `learning_rate` is a schedule, a callable of the update count. β1, β2 and ρ may be
`Decay`s: where Keras writes `1 - self.beta_1` on a Python float, `1.0 - beta1` gives the
double-precision complement; where it first casts (`ops.cast(self.beta_1, dtype)`, as in
Nadam and Lion), `value(beta1)` is used.

Parameters, gradients and buffers may be any pytree (a 2D point, an MLP's kernels and biases):
the arithmetic is mapped over the leaves with `jax.tree.map`, as optax does, each leaf's
operations in Keras's order. On a single array the map is the array's own arithmetic, so the
2D paths are unchanged to the bit. The values given to `note` have the parameters' structure.
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
    LionState,
    NadamState,
    RmsState,
    TraceState,
    count0,
    full_like,
    zeros,
)

tmap = jax.tree.map


def _with_decay(step, params, weight_decay, lr):
    """step − p·λ·η: the decoupled weight decay added to each leaf's step."""
    return tmap(lambda s, p: s + -(p * weight_decay) * lr, step, params)


def sgd(learning_rate, momentum, nesterov: bool, weight_decay) -> optax.GradientTransformation:
    """v ← μv − ηg; p ← p + v, or p ← p + μv − ηg with Nesterov (the velocity holds ηg).

    With μ = 0 the same arithmetic gives Keras's plain p ← p − ηg exactly.
    """

    def init(params):
        return TraceState(count0(), zeros(params))

    def update(grads, state, params):
        lr = learning_rate(state.count)
        v = tmap(lambda v, g: v * momentum - g * lr, state.trace, grads)
        step = tmap(lambda v, g: v * momentum - g * lr, v, grads) if nesterov else v
        note(learning_rate=lr, t=state.count + 1)
        return _with_decay(step, params, weight_decay, lr), TraceState(state.count + 1, v)

    return optax.GradientTransformation(init, update)


def adagrad(learning_rate, initial_accumulator_value, epsilon, weight_decay):
    """a ← a + g²; p ← p − ηg/√(a + ε), the accumulator starting at its initial value."""

    def init(params):
        return AccumulatorState(count0(), full_like(params, initial_accumulator_value))

    def update(grads, state, params):
        lr = learning_rate(state.count)
        acc = tmap(lambda a, g: a + jnp.square(g), state.sum_of_squares, grads)
        step = tmap(lambda g, a: -(lr * g) / jnp.sqrt(a + epsilon), grads, acc)
        note(learning_rate=lr, t=state.count + 1, effective_lr=tmap(lambda a: lr / jnp.sqrt(a + epsilon), acc))
        return _with_decay(step, params, weight_decay, lr), AccumulatorState(state.count + 1, acc)

    return optax.GradientTransformation(init, update)


def rmsprop(learning_rate, rho, momentum, epsilon, centered: bool, weight_decay):
    """v ← ρv + (1−ρ)g²; inc = ηg/√(v − ḡ² + ε) (centered) or ηg/√(v + ε); m ← μm + inc; p ← p − m.

    The momentum buffer holds lr-scaled increments; with μ = 0 it equals the increment.
    """

    def init(params):
        return RmsState(count0(), zeros(params), zeros(params), zeros(params))

    def update(grads, state, params):
        lr = learning_rate(state.count)
        nu = tmap(lambda v, g: rho * v + (1.0 - rho) * jnp.square(g), state.nu, grads)
        if centered:
            mu = tmap(lambda m, g: rho * m + (1.0 - rho) * g, state.mu, grads)
            denominator = tmap(lambda v, m: v - jnp.square(m) + epsilon, nu, mu)
        else:
            mu = state.mu
            denominator = tmap(lambda v: v + epsilon, nu)
        increment = tmap(lambda g, d: (lr * g) / jnp.sqrt(d), grads, denominator)
        note(learning_rate=lr, t=state.count + 1, effective_lr=tmap(lambda d: lr / jnp.sqrt(d), denominator),
             increment=increment)
        trace = tmap(lambda b, i: momentum * b + i, state.trace, increment)
        new_state = RmsState(state.count + 1, nu, mu, trace)
        return _with_decay(tmap(lambda b: -b, trace), params, weight_decay, lr), new_state

    return optax.GradientTransformation(init, update)


def adam(learning_rate, beta1, beta2, epsilon, amsgrad: bool, weight_decay):
    """Keras's "epsilon-hat" Adam: α_t = η√(1−β2^t)/(1−β1^t); p ← p − α_t·m/(√v + ε).

    AMSGrad keeps v̂ ← max(v̂, v) over the raw v. AdamW is this with a weight decay.
    """

    def init(params):
        return AdamState(count0(), zeros(params), zeros(params), zeros(params) if amsgrad else None)

    def update(grads, state, params):
        lr = learning_rate(state.count)
        t = (state.count + 1).astype(jnp.float32)
        alpha = lr * jnp.sqrt(1.0 - beta2**t) / (1.0 - beta1**t)
        mu = tmap(lambda m, g: m + (g - m) * (1.0 - beta1), state.mu, grads)
        nu = tmap(lambda v, g: v + (jnp.square(g) - v) * (1.0 - beta2), state.nu, grads)
        nu_max = tmap(jnp.maximum, state.nu_max, nu) if amsgrad else None
        denom_v = nu_max if amsgrad else nu
        step = tmap(lambda m, v: -(m * alpha) / (jnp.sqrt(v) + epsilon), mu, denom_v)
        bc1, bc2 = 1.0 - beta1**t, 1.0 - beta2**t
        # update = −η_eff·m̂ with m̂ = m/(1 − β1^t): η_eff = α_t(1 − β1^t)/(√v + ε)
        note(learning_rate=lr, t=state.count + 1, alpha=alpha, bias_correction1=bc1, bias_correction2=bc2,
             m_hat=tmap(lambda m: m / bc1, mu), effective_lr=tmap(lambda v: alpha * bc1 / (jnp.sqrt(v) + epsilon), denom_v))
        new_state = AdamState(state.count + 1, mu, nu, nu_max)
        return _with_decay(step, params, weight_decay, lr), new_state

    return optax.GradientTransformation(init, update)


def adamax(learning_rate, beta1, beta2, epsilon, weight_decay):
    """u ← max(β2u, |g|); p ← p − ηm/((1 − β1^t)(u + ε))."""

    def init(params):
        return AdamaxState(count0(), zeros(params), zeros(params))

    def update(grads, state, params):
        lr = learning_rate(state.count)
        t = (state.count + 1).astype(jnp.float32)
        mu = tmap(lambda m, g: m + (g - m) * (1.0 - beta1), state.mu, grads)
        nu = tmap(lambda u, g: jnp.maximum(beta2 * u, jnp.abs(g)), state.nu, grads)
        step = tmap(lambda m, u: -(lr * m) / ((1.0 - beta1**t) * (u + epsilon)), mu, nu)
        bc1 = 1.0 - beta1**t
        note(learning_rate=lr, t=state.count + 1, bias_correction1=bc1, m_hat=tmap(lambda m: m / bc1, mu),
             effective_lr=tmap(lambda u: lr / (u + epsilon), nu))
        return _with_decay(step, params, weight_decay, lr), AdamaxState(state.count + 1, mu, nu)

    return optax.GradientTransformation(init, update)


def nadam(learning_rate, beta1, beta2, epsilon, weight_decay):
    """Keras 3 Nadam: μ_t = β1(1 − ½·0.96^t), Π_t = Π_{t−1}μ_t;
    m̂ = μ_{t+1}m/(1 − Π_tμ_{t+1}) + (1 − μ_t)g/(1 − Π_t); p ← p − η·m̂/(√(v/(1−β2^t)) + ε).
    """

    def init(params):
        # Shaped like β1, which a sweep may give per trajectory.
        return NadamState(count0(), zeros(params), zeros(params), jnp.ones(jnp.shape(value(beta1)), jnp.float32))

    def update(grads, state, params):
        lr = learning_rate(state.count)
        b1, b2 = value(beta1), value(beta2)  # Keras's Nadam casts before `1 - beta`
        t = (state.count + 1).astype(jnp.float32)
        u_t = b1 * (1.0 - 0.5 * 0.96**t)
        u_next = b1 * (1.0 - 0.5 * 0.96 ** (t + 1.0))
        product = state.mu_product * b1 * (1.0 - 0.5 * 0.96**t)
        product_next = product * u_next
        mu = tmap(lambda m, g: m + (g - m) * (1.0 - b1), state.mu, grads)
        nu = tmap(lambda v, g: v + (jnp.square(g) - v) * (1.0 - b2), state.nu, grads)
        m_hat = tmap(lambda m, g: (u_next * m) / (1.0 - product_next) + ((1.0 - u_t) * g) / (1.0 - product), mu, grads)
        v_hat = tmap(lambda v: v / (1.0 - b2**t), nu)
        step = tmap(lambda m, v: -(m * lr) / (jnp.sqrt(v) + epsilon), m_hat, v_hat)
        note(learning_rate=lr, t=state.count + 1, mu_t=u_t, mu_next=u_next, bias_correction2=1.0 - b2**t,
             m_hat=m_hat, v_hat=v_hat, effective_lr=tmap(lambda v: lr / (jnp.sqrt(v) + epsilon), v_hat))
        new_state = NadamState(state.count + 1, mu, nu, product)
        return _with_decay(step, params, weight_decay, lr), new_state

    return optax.GradientTransformation(init, update)


def adadelta(learning_rate, rho, epsilon, weight_decay):
    """E[g²] ← ρE[g²] + (1−ρ)g²; Δ = √(E[Δ²] + ε)/√(E[g²] + ε)·g; E[Δ²] ← ρE[Δ²] + (1−ρ)Δ²; p ← p − ηΔ."""

    def init(params):
        return AdadeltaState(count0(), zeros(params), zeros(params))

    def update(grads, state, params):
        lr = learning_rate(state.count)
        e_g = tmap(lambda e, g: rho * e + (1.0 - rho) * jnp.square(g), state.e_g, grads)
        delta = tmap(lambda x, g, e: -(jnp.sqrt(x + epsilon) * g) / jnp.sqrt(e + epsilon), state.e_x, grads, e_g)
        e_x = tmap(lambda x, d: rho * x + (1.0 - rho) * jnp.square(d), state.e_x, delta)
        step = tmap(lambda d: lr * d, delta)
        note(learning_rate=lr, t=state.count + 1, delta=tmap(lambda d: -d, delta),
             effective_lr=tmap(lambda x, e: lr * jnp.sqrt(x + epsilon) / jnp.sqrt(e + epsilon), state.e_x, e_g))
        return _with_decay(step, params, weight_decay, lr), AdadeltaState(state.count + 1, e_g, e_x)

    return optax.GradientTransformation(init, update)


def lion(learning_rate, beta1, beta2, weight_decay):
    """p ← p − η·sign(β1m + (1−β1)g); then m ← β2m + (1−β2)g."""

    def init(params):
        return LionState(count0(), zeros(params))

    def update(grads, state, params):
        lr = learning_rate(state.count)
        b1, b2 = value(beta1), value(beta2)  # Keras's Lion casts before `1.0 - beta`
        direction = tmap(lambda m, g: jnp.sign(m * b1 + g * (1.0 - b1)), state.mu, grads)
        step = tmap(lambda d: -lr * d, direction)
        note(learning_rate=lr, t=state.count + 1, direction=direction)
        mu = tmap(lambda m, g: m * b2 + g * (1.0 - b2), state.mu, grads)
        return _with_decay(step, params, weight_decay, lr), LionState(state.count + 1, mu)

    return optax.GradientTransformation(init, update)


def adamw(learning_rate, beta1, beta2, epsilon, amsgrad: bool, weight_decay):
    """Keras's AdamW is Adam with the base optimizer's decoupled weight decay (default 0.004)."""
    return adam(learning_rate, beta1, beta2, epsilon, amsgrad, weight_decay)
