"""The optimizer zoo's metadata: hyperparameters with per-flavour defaults, and equations.

Defaults are each framework's own (Keras 3.15, PyTorch 2.13, optax 0.2.8), read from their
source; docs/optimizers.md lists them with the update rules.
"""

from __future__ import annotations

from optimizers.spec import REQUIRED, HyperParam, OptimizerSpec, Rule

ALL = ("keras", "pytorch", "optax")


def _per(keras=None, pytorch=None, optax=None, *, absent=()) -> dict:
    values = {"keras": keras, "pytorch": pytorch, "optax": optax}
    return {f: v for f, v in values.items() if f not in absent}


def learning_rate(keras, pytorch) -> HyperParam:
    return HyperParam(
        "learning_rate",
        "step size η: how far each update moves",
        _per(keras, pytorch, REQUIRED),
        low=0.0,
        high=100.0,
        low_open=True,
        ui_low=1e-5,
        ui_high=10.0,
        scale="log",
        symbol=r"\eta",
    )


def epsilon(keras, pytorch, optax, meaning="added to the denominator so it is never zero") -> HyperParam:
    return HyperParam(
        "epsilon",
        meaning,
        _per(keras, pytorch, optax),
        low=0.0,
        high=1.0,
        ui_low=1e-12,
        ui_high=1.0,
        scale="log",
        symbol=r"\epsilon",
    )


def beta(n: int, keras, pytorch, optax, meaning: str) -> HyperParam:
    return HyperParam(
        f"beta{n}",
        meaning,
        _per(keras, pytorch, optax),
        high=1.0,
        high_open=True,
        ui_high=0.9999 if n == 2 else 0.999,
        ui_low=0.5 if n == 2 else 0.0,
        symbol=rf"\beta_{n}",
    )


def rho(keras, pytorch, optax, meaning: str) -> HyperParam:
    return HyperParam("rho", meaning, _per(keras, pytorch, optax), high=1.0, ui_high=0.999, symbol=r"\rho")


def momentum(keras, pytorch, optax, meaning="fraction of the previous update carried into this one") -> HyperParam:
    return HyperParam("momentum", meaning, _per(keras, pytorch, optax), high=1.0, ui_high=0.999, symbol=r"\mu")


def weight_decay(keras=0.0, pytorch=0.0, optax=None, *, absent=("optax",), meaning=None) -> HyperParam:
    return HyperParam(
        "weight_decay",
        meaning
        or "shrinks the parameters toward 0 each step (Keras: decoupled, p ← p − ηλp; PyTorch: "
        "L2 added to the gradient, g ← g + λp)",
        _per(keras, pytorch, optax, absent=absent),
        high=10.0,
        ui_high=0.5,
        symbol=r"\lambda",
    )


def adam_family(pytorch_lr: float, beta2_meaning="decay of the running mean of squared gradients") -> tuple:
    """learning_rate, beta1, beta2 and epsilon as Adam, AdamW, Adamax and Nadam share them."""
    return (
        learning_rate(0.001, pytorch_lr),
        beta(1, 0.9, 0.9, 0.9, "decay of the running mean of gradients"),
        beta(2, 0.999, 0.999, 0.999, beta2_meaning),
        epsilon(1e-7, 1e-8, 1e-8),
    )


def flag(name: str, meaning: str, *, absent=()) -> HyperParam:
    return HyperParam(name, meaning, _per(False, False, False, absent=absent), kind="bool", high=1.0)


SGD = OptimizerSpec(
    id="sgd",
    title="SGD",
    summary="Gradient descent, with optional heavy-ball or Nesterov momentum.",
    hparams=(
        learning_rate(0.01, 1e-3),
        momentum(0.0, 0.0, 0.0),
        flag("nesterov", "evaluate the momentum step as a look-ahead (Nesterov)"),
        weight_decay(),
    ),
    equations={
        "keras": r"v \leftarrow \mu v - \eta g;\quad p \leftarrow p + v"
        r"\quad(\text{Nesterov: } p \leftarrow p + \mu v - \eta g)",
        "pytorch": r"b \leftarrow \mu b + g;\quad d = b\ (\text{Nesterov: } d = g + \mu b);"
        r"\quad p \leftarrow p - \eta d",
        "optax": r"b \leftarrow g + \mu b;\quad u = b\ (\text{Nesterov: } u = g + \mu b);"
        r"\quad p \leftarrow p - \eta u",
    },
    reference="Polyak (1964); Nesterov (1983); Sutskever et al. (2013)",
    flavour_notes={
        "keras": "The velocity holds learning-rate-scaled steps, so under a schedule it keeps old rates.",
        "pytorch": "Nesterov needs momentum > 0 (torch.optim.SGD raises otherwise).",
    },
    rules=(
        # torch.optim.SGD raises "Nesterov momentum requires a momentum and zero dampening";
        # dampening is not a hyperparameter here (always 0), so momentum is what can break it.
        Rule(
            "pytorch",
            "nesterov",
            lambda hp: not hp["nesterov"] or (hp["momentum"] > 0 and hp.get("dampening", 0.0) == 0),
            "PyTorch's SGD needs momentum > 0 for Nesterov",
        ),
    ),
)

ADAGRAD = OptimizerSpec(
    id="adagrad",
    title="Adagrad",
    summary="Per-parameter steps that shrink as squared gradients accumulate.",
    hparams=(
        learning_rate(0.001, 0.01),
        HyperParam(
            "initial_accumulator_value",
            "starting value of the sum of squared gradients",
            _per(0.1, 0.0, 0.1),
            high=10.0,
            ui_high=1.0,
            symbol=r"a_0",
        ),
        epsilon(1e-7, 1e-10, 1e-7),
        weight_decay(),
    ),
    equations={
        "keras": r"a \leftarrow a + g^2;\quad p \leftarrow p - \frac{\eta g}{\sqrt{a + \epsilon}}",
        "pytorch": r"a \leftarrow a + g^2;\quad p \leftarrow p - \frac{\eta g}{\sqrt{a} + \epsilon}",
        "optax": r"a \leftarrow a + g^2;\quad p \leftarrow p - \frac{\eta g}{\sqrt{a + \epsilon}}",
    },
    reference="Duchi, Hazan & Singer (2011), JMLR 12",
    flavour_notes={"pytorch": "Starts from a = 0 with ε outside the root: the first step is ≈ η·sign(g)."},
)

RMSPROP = OptimizerSpec(
    id="rmsprop",
    title="RMSprop",
    summary="Divides each step by a running root-mean-square of recent gradients.",
    hparams=(
        learning_rate(0.001, 0.01),
        rho(0.9, 0.99, 0.9, "decay of the running average of squared gradients (PyTorch: alpha; optax: decay)"),
        momentum(0.0, 0.0, 0.0),
        epsilon(1e-7, 1e-8, 1e-8),
        flag("centered", "divide by the variance instead of the raw second moment"),
        weight_decay(),
    ),
    equations={
        "keras": r"v \leftarrow \rho v + (1-\rho) g^2;\quad m \leftarrow \mu m + \frac{\eta g}{\sqrt{v + \epsilon}};"
        r"\quad p \leftarrow p - m",
        "pytorch": r"v \leftarrow \alpha v + (1-\alpha) g^2;\quad b \leftarrow \mu b + \frac{g}{\sqrt{v} + \epsilon};"
        r"\quad p \leftarrow p - \eta b",
        "optax": r"v \leftarrow \rho v + (1-\rho) g^2;\quad m \leftarrow \mu m + \frac{\eta g}{\sqrt{v + \epsilon}};"
        r"\quad p \leftarrow p - m",
    },
    reference="Tieleman & Hinton (2012), Coursera lecture 6.5; Graves (2013) for the centered form",
    flavour_notes={
        "pytorch": "Default decay 0.99 and ε outside the root: early steps are ≈ 10η·sign(g).",
    },
)

_ADAM_EQ = {
    "keras": r"m \leftarrow m + (1-\beta_1)(g - m);\ v \leftarrow v + (1-\beta_2)(g^2 - v);\ "
    r"p \leftarrow p - \eta\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\frac{m}{\sqrt{v} + \epsilon}",
    "pytorch": r"m \leftarrow \beta_1 m + (1-\beta_1) g;\ v \leftarrow \beta_2 v + (1-\beta_2) g^2;\ "
    r"p \leftarrow p - \frac{\eta}{1-\beta_1^t}\frac{m}{\sqrt{v}/\sqrt{1-\beta_2^t} + \epsilon}",
    "optax": r"\hat m = \frac{m}{1-\beta_1^t},\ \hat v = \frac{v}{1-\beta_2^t};\ "
    r"p \leftarrow p - \eta\frac{\hat m}{\sqrt{\hat v} + \epsilon}",
}

ADAM = OptimizerSpec(
    id="adam",
    title="Adam",
    summary="Momentum plus RMSprop-style scaling, with bias correction of both averages.",
    hparams=(
        *adam_family(0.001),
        flag("amsgrad", "divide by the largest second moment seen so far (AMSGrad)"),
        weight_decay(),
    ),
    equations=_ADAM_EQ,
    reference="Kingma & Ba (2015), ICLR; Reddi, Kale & Kumar (2018) for AMSGrad",
    flavour_notes={
        "keras": "ε is added after folding the bias correction into η (\"epsilon hat\"): "
        "an effective ε/√(1−β2^t), ≈ 31.6ε at t = 1.",
        "optax": "AMSGrad is optax.amsgrad, which takes the max over the bias-corrected v̂.",
    },
)

ADAMW = OptimizerSpec(
    id="adamw",
    title="AdamW",
    summary="Adam with weight decay decoupled from the gradient.",
    hparams=(
        *adam_family(0.001),
        flag("amsgrad", "divide by the largest second moment seen so far (AMSGrad)", absent=("optax",)),
        weight_decay(0.004, 0.01, 1e-4, absent=(), meaning="decoupled decay: p ← p − ηλp each step"),
    ),
    equations={f: eq + r";\ p \leftarrow p - \eta\lambda p" for f, eq in _ADAM_EQ.items()},
    reference="Loshchilov & Hutter (2019), ICLR",
    flavour_notes={"optax": "optax.adamw has no AMSGrad variant."},
)

ADADELTA = OptimizerSpec(
    id="adadelta",
    title="Adadelta",
    summary="Scales steps by the ratio of running RMS of updates to running RMS of gradients.",
    hparams=(
        learning_rate(0.001, 1.0),
        rho(0.95, 0.9, 0.9, "decay of both running averages"),
        epsilon(1e-7, 1e-6, 1e-6),
        weight_decay(optax=0.0, absent=()),
    ),
    equations={
        f: r"E_g \leftarrow \rho E_g + (1-\rho) g^2;\ \Delta = \frac{\sqrt{E_\Delta + \epsilon}}{\sqrt{E_g + \epsilon}} g;"
        r"\ E_\Delta \leftarrow \rho E_\Delta + (1-\rho)\Delta^2;\ p \leftarrow p - \eta\Delta"
        for f in ALL
    },
    reference="Zeiler (2012), arXiv:1212.5701",
    flavour_notes={
        "keras": "Keras's default learning rate 0.001 makes Adadelta very slow; PyTorch uses 1.0.",
        "optax": "optax's learning_rate=None never flips the sign and climbs uphill: pass one.",
    },
)

ADAMAX = OptimizerSpec(
    id="adamax",
    title="Adamax",
    summary="Adam with the infinity norm in place of the root mean square.",
    hparams=(
        *adam_family(0.002, "decay of the running infinity norm"),
        weight_decay(),
    ),
    equations={
        "keras": r"u \leftarrow \max(\beta_2 u, |g|);\ p \leftarrow p - \frac{\eta m}{(1-\beta_1^t)(u + \epsilon)}",
        "pytorch": r"u \leftarrow \max(\beta_2 u, |g| + \epsilon);\ p \leftarrow p - \frac{\eta m}{(1-\beta_1^t)\,u}",
        "optax": r"u \leftarrow \max(\beta_2 u, |g| + \epsilon);\ p \leftarrow p - \frac{\eta m}{(1-\beta_1^t)\,u}",
    },
    reference="Kingma & Ba (2015), section 7.1",
)

NADAM = OptimizerSpec(
    id="nadam",
    title="Nadam",
    summary="Adam with Nesterov momentum.",
    hparams=(
        *adam_family(0.002),
        weight_decay(),
    ),
    equations={
        "keras": r"\mu_t = \beta_1(1 - \tfrac12 0.96^{t});\ \hat m = \frac{\mu_{t+1} m}{1 - \prod_{i\le t+1}\mu_i}"
        r" + \frac{(1-\mu_t) g}{1 - \prod_{i \le t}\mu_i};\ p \leftarrow p - \eta\frac{\hat m}{\sqrt{v/(1-\beta_2^t)} + \epsilon}",
        "pytorch": r"\mu_t = \beta_1(1 - \tfrac12 0.96^{0.004t});\ \hat m = \frac{\mu_{t+1} m}{1 - \prod_{i\le t+1}\mu_i}"
        r" + \frac{(1-\mu_t) g}{1 - \prod_{i \le t}\mu_i};\ p \leftarrow p - \eta\frac{\hat m}{\sqrt{v/(1-\beta_2^t)} + \epsilon}",
        "optax": r"\hat m = \frac{\beta_1 m}{1-\beta_1^{t+1}} + \frac{(1-\beta_1) g}{1-\beta_1^t};\ "
        r"p \leftarrow p - \eta\frac{\hat m}{\sqrt{\hat v} + \epsilon}",
    },
    reference="Dozat (2016), ICLR workshop",
)

LION = OptimizerSpec(
    id="lion",
    title="Lion",
    summary="Steps of fixed size along the sign of an interpolated momentum.",
    hparams=(
        HyperParam(
            "learning_rate",
            "step size η: every coordinate moves by exactly η per update",
            {"keras": 0.001, "optax": REQUIRED},
            low=0.0,
            high=100.0,
            low_open=True,
            ui_low=1e-5,
            ui_high=10.0,
            scale="log",
            symbol=r"\eta",
        ),
        HyperParam("beta1", "interpolation between momentum and gradient for the step", {"keras": 0.9, "optax": 0.9}, high=1.0, high_open=True, ui_high=0.999, symbol=r"\beta_1"),
        HyperParam("beta2", "decay of the momentum", {"keras": 0.99, "optax": 0.99}, high=1.0, high_open=True, ui_high=0.999, symbol=r"\beta_2"),
        HyperParam(
            "weight_decay",
            "decoupled decay: p ← p − ηλp each step",
            {"keras": 0.0, "optax": 1e-3},
            high=10.0,
            ui_high=0.5,
            symbol=r"\lambda",
        ),
    ),
    equations={
        f: r"p \leftarrow p - \eta\,\mathrm{sign}(\beta_1 m + (1-\beta_1) g);\ m \leftarrow \beta_2 m + (1-\beta_2) g"
        for f in ("keras", "optax")
    },
    reference="Chen et al. (2023), Symbolic Discovery of Optimization Algorithms",
    flavour_notes={
        "pytorch": "torch.optim has no Lion.",
        "optax": "optax.lion decays weights by default (weight_decay=1e-3).",
    },
)

OPTIMIZERS: tuple[OptimizerSpec, ...] = (SGD, ADAGRAD, RMSPROP, ADAM, ADAMW, ADADELTA, ADAMAX, NADAM, LION)
