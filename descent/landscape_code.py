"""A scene's landscape as source code for Keras 3, PyTorch or optax (for descent.reproduce).

Three kinds of landscape, three ways to write them:

* a catalogue landscape: its function's own source (plain array code on `xy` and `p`), with
  `jnp.` spelled `torch.` for PyTorch and the scene's parameters as float32;
* a typed formula: code GENERATED from our parsed postfix program (landscapes.formula), never
  copied from the text the user typed. Each number is written as the float32 the engine uses
  (the shortest decimal that reads back as it), wrapped so that it is a float32 array as in the
  engine: `jnp.float32(3.0)` (optax), `np.float32(3.0)` (Keras, whose ops convert it),
  `torch.tensor(3.0)` (PyTorch). `+ - * /` and negation are the array operators; `^` and the
  named functions are the framework's functions (`jnp.power`, `keras.ops.power`, `torch.pow`,
  `jnp.minimum`, ...), applied in the program's order, parenthesized where Python's precedence
  would change it (float addition is not associative, so `a + (b + c)` keeps its parentheses);
* a data landscape (landscapes.data): the data embedded as float32 lists, the per-example loss
  in the engine's form (squared error; softplus(z) − y·z for the cross-entropy of the logit z),
  a batch's loss Σ_i w_i·loss_i with w_i = 1/|batch| on its rows, and the minibatch rule of
  descent.minibatch (epoch e's order `numpy.random.default_rng([seed, e]).permutation(n)`,
  the last partial batch included), so each step descends the batch the engine's step did.

`source(scenario, framework)` returns the code, which defines `f(xy)` (the loss at a point) and,
for a data landscape, `batch_loss(xy, weights)` and `batch_weights(k)` (numpy, float32).
"""

from __future__ import annotations

import inspect
import textwrap

import numpy as np

from descent.errors import ScenarioError
from landscapes import formula as fm


def f32(value: float) -> str:
    """The shortest decimal that reads back as the same float32."""
    text = str(np.float32(value))
    return text if any(c in text for c in ".einf") else text + ".0"


def source(scenario, framework: str) -> str:
    """The landscape of `scenario` as code for `framework` ("keras", "pytorch" or "optax")."""
    ls = scenario.landscape_spec
    if scenario.dataset is not None:
        return _data_source(scenario, framework)
    if scenario.formula is not None:
        structure = scenario.landscape[len(fm.PREFIX):]
        params = scenario.resolved_landscape_params()
        numbers = [params[name] for name in fm.slot_names(fm.tokens(structure).count("#"))]
        return f"# A typed formula: {ls.formula}\n\n\n{formula_function(structure, numbers, framework)}"
    return _catalogue_source(ls, scenario.resolved_landscape_params(), framework)


def _catalogue_source(ls, params: dict, framework: str) -> str:
    try:
        text = textwrap.dedent(inspect.getsource(ls.fn))
    except (OSError, TypeError):  # a function made at run time has no source file to copy
        raise ScenarioError("landscape", f"{ls.title} cannot be written into a script (its function has no source)") from None
    name = ls.fn.__name__
    if framework == "pytorch":
        text = text.replace("jnp.", "torch.")
        values = ", ".join(f'"{k}": torch.tensor({f32(v)})' for k, v in params.items())
    else:
        values = ", ".join(f'"{k}": jnp.float32({f32(v)})' for k, v in params.items())
    return (f"# {ls.title}: {ls.formula}\nPI = math.pi\n\n\n{text.rstrip()}\n\n\n"
            f"PARAMS = {{{values}}}\n\n\ndef f(xy):\n    return {name}(xy, PARAMS)")  # fmt: skip


# -- typed formulas ---------------------------------------------------------------------------

# Each framework's spelling of a number, a constant, `^` and the named functions.
_NUMBER = {"optax": "jnp.float32({})", "keras": "np.float32({})", "pytorch": "torch.tensor({})"}
_PREFIX = {"optax": "jnp.", "keras": "keras.ops.", "pytorch": "torch."}
_NAMES = {
    "optax": {"^": "power", "min": "minimum", "max": "maximum"},
    "keras": {"^": "power", "min": "minimum", "max": "maximum", "abs": "absolute"},
    "pytorch": {"^": "pow", "min": "minimum", "max": "maximum"},
}
# Python precedence of what a piece of code is: an atom (a name, a call), unary minus, a product,
# a sum. An operand weaker than its place needs parentheses.
_ATOM, _NEG, _MUL, _ADD = 4, 3, 2, 1


def _function(name: str, framework: str) -> str:
    return _PREFIX[framework] + _NAMES[framework].get(name, name)


def formula_expression(structure: str, numbers, framework: str) -> str:
    """The expression of x and y that the postfix program `structure` (numbers in its # slots)
    computes, in `framework`'s array code. Only tokens of the fixed vocabulary are read
    (fm.tokens), and the numbers are written from floats, so nothing typed reaches the code."""
    numbers = iter(numbers)
    stack: list[tuple[str, int]] = []

    def wrap(item, weakest: int) -> str:
        text, prec = item
        return f"({text})" if prec < weakest else text

    for t in fm.tokens(structure):
        if t == "#":
            stack.append((_NUMBER[framework].format(f32(float(next(numbers)))), _ATOM))
        elif t in fm.VARIABLES:
            stack.append((t, _ATOM))
        elif t in fm.CONSTANTS:  # the engine's π and e are float32 too
            stack.append((_NUMBER[framework].format(f"math.{t}"), _ATOM))
        elif t == "neg":
            stack.append((f"-{wrap(stack.pop(), _ATOM)}", _NEG))
        elif t in ("+", "-"):
            b, a = stack.pop(), stack.pop()
            stack.append((f"{wrap(a, _ADD)} {t} {wrap(b, _MUL)}", _ADD))
        elif t in ("*", "/"):
            b, a = stack.pop(), stack.pop()
            stack.append((f"{wrap(a, _NEG)} {t} {wrap(b, _ATOM)}", _MUL))
        elif t == "^" or t in fm.FUNCTIONS_2:
            b, a = stack.pop(), stack.pop()
            stack.append((f"{_function(t, framework)}({a[0]}, {b[0]})", _ATOM))
        else:
            stack.append((f"{_function(t, framework)}({stack.pop()[0]})", _ATOM))
    (item,) = stack
    return item[0]


def formula_function(structure: str, numbers, framework: str) -> str:
    """`def f(xy)` for a typed formula. `+ 0.0 * x` as in the engine: a formula without x
    still has a gradient of x's shape (and NaN where x is)."""
    expression = formula_expression(structure, numbers, framework)
    return f"def f(xy):\n    x, y = xy[0], xy[1]\n    return {expression} + 0.0 * x"


# -- data landscapes --------------------------------------------------------------------------


def _floats(name: str, values: np.ndarray) -> str:
    items = [f32(v) for v in values]
    lines = [", ".join(items[i : i + 8]) for i in range(0, len(items), 8)]
    body = ",\n    ".join(lines)
    return f"{name} = np.array([\n    {body},\n], np.float32)"


_LOSS = {
    "linear_regression": {
        "optax": "(z - Y) ** 2",
        "keras": "(z - Y) ** 2",
        "pytorch": "(z - Y) ** 2",
    },
    # −y·log σ(z) − (1 − y)·log σ(−z), written stably from the logit as the engine does.
    "logistic_regression": {
        "optax": "jax.nn.softplus(z) - Y * z",
        "keras": "keras.ops.softplus(z) - Y * z",
        "pytorch": "torch.nn.functional.softplus(z) - Y * z",
    },
}
_SUM = {"optax": "jnp.sum", "keras": "keras.ops.sum", "pytorch": "torch.sum"}


def _data_source(scenario, framework: str) -> str:
    ls = scenario.landscape_spec
    n = scenario.data_size
    block = np.asarray(ls.data, np.float32)
    if np.count_nonzero(block[2]) != n:  # the block's real rows carry weight 1/n, padding 0
        raise ScenarioError("landscape.dataset", "the data block does not hold the data set's rows")
    rule = scenario.minibatch
    if rule is None:
        batch, shuffle, seed = n, False, 0
        rule_note = "No minibatches: every step descends the whole data's loss."
    else:
        batch, shuffle, seed = min(rule.batch_size, n), rule.shuffle, rule.seed
        rule_note = f"Minibatches of {rule.batch_size}, {'shuffled' if rule.shuffle else 'in order'}, seed {rule.seed}."
    data_x, data_y = _floats("X", block[0, :n]), _floats("Y", block[1, :n])
    if framework == "pytorch":
        data_y += "\nX, Y = torch.from_numpy(X), torch.from_numpy(Y)"
    weights = "torch.from_numpy(weights)" if framework == "pytorch" else "weights"
    loss = _LOSS[scenario.model][framework]
    return f'''# {ls.title}: {ls.formula}
# The point (x, y) is the model's (w, b); z = w·x_i + b. The data set, float32:
{data_x}
{data_y}
N = {n}
FULL = np.full(N, np.float32(1.0 / N))  # the whole data's weights: f is the mean loss


def batch_loss(xy, weights):
    """Σ_i weights_i · loss_i: the mean loss of a batch when its rows weigh 1/|batch|."""
    z = xy[0] * X + xy[1]
    return {_SUM[framework]}({weights} * ({loss}))


def f(xy):
    return batch_loss(xy, FULL)


# {rule_note}
# Step k (from 0) is batch j = k mod m of epoch e = k // m, m = ceil(N / B) batches an epoch;
# epoch e visits the rows in the order numpy.random.default_rng([SEED, e]).permutation(N)
# (or 0, 1, ..., N - 1 unshuffled), and the last batch of an epoch is partial when B does not
# divide N (as Keras's fit and PyTorch's DataLoader(drop_last=False)).
BATCH_SIZE, SHUFFLE, SEED = {batch}, {shuffle}, {seed}


def batch_weights(k):
    """Step k's batch as weights over the rows: 1/|batch| on its rows, 0 elsewhere."""
    m = -(-N // BATCH_SIZE)
    epoch, j = divmod(k, m)
    order = np.random.default_rng([SEED, epoch]).permutation(N) if SHUFFLE else np.arange(N)
    rows = order[j * BATCH_SIZE : (j + 1) * BATCH_SIZE]
    weights = np.zeros(N, np.float32)
    weights[rows] = np.float32(1.0) / np.float32(len(rows))
    return weights'''


__all__ = ["f32", "formula_expression", "formula_function", "source"]
