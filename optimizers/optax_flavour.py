"""The optax flavour: optax's own optimizers, called directly with canonical names mapped.

Hyperparameters arrive as traced arrays, so one compiled function serves every value; the
boolean ones (nesterov, centered, amsgrad) choose which optax function or structure is built.
`amsgrad` is a separate optimizer in optax (`optax.amsgrad`), which takes the max over the
bias-corrected v̂, so its steps differ from Keras's and PyTorch's.
"""

from __future__ import annotations

import optax


def sgd(learning_rate, momentum, nesterov: bool):
    return optax.sgd(learning_rate, momentum=momentum, nesterov=nesterov)


def adagrad(learning_rate, initial_accumulator_value, epsilon):
    return optax.adagrad(learning_rate, initial_accumulator_value=initial_accumulator_value, eps=epsilon)


def rmsprop(learning_rate, rho, momentum, epsilon, centered: bool):
    return optax.rmsprop(learning_rate, decay=rho, eps=epsilon, centered=centered, momentum=momentum)


def adam(learning_rate, beta1, beta2, epsilon, amsgrad: bool):
    make = optax.amsgrad if amsgrad else optax.adam
    return make(learning_rate, b1=beta1, b2=beta2, eps=epsilon)


def adamw(learning_rate, beta1, beta2, epsilon, weight_decay):
    return optax.adamw(learning_rate, b1=beta1, b2=beta2, eps=epsilon, weight_decay=weight_decay)


def adadelta(learning_rate, rho, epsilon, weight_decay):
    return optax.adadelta(learning_rate, rho=rho, eps=epsilon, weight_decay=weight_decay)


def adamax(learning_rate, beta1, beta2, epsilon):
    return optax.adamax(learning_rate, b1=beta1, b2=beta2, eps=epsilon)


def nadam(learning_rate, beta1, beta2, epsilon):
    return optax.nadam(learning_rate, b1=beta1, b2=beta2, eps=epsilon)


def lion(learning_rate, beta1, beta2, weight_decay):
    return optax.lion(learning_rate, b1=beta1, b2=beta2, weight_decay=weight_decay)
