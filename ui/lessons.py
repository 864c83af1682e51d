"""One-click lessons: a scene and two or three sentences on what it shows.

Each lesson's claim is checked by tests/ui/test_lessons.py against the engine's results, so a
change that breaks the point of a lesson fails there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from descent import Scenario


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    text: str
    scenario: dict  # the Scenario's JSON form
    view: str = "Map"  # the tab to open first
    colours: tuple[int, ...] = field(default_factory=tuple)  # palette indices, () = automatic
    maps: dict = field(default_factory=dict)  # the Maps view's choices, in their URL form (ui.map_choices)
    selected: int = 0  # the run the inspector and the map's state overlays show
    step: int = 0  # the inspector's step
    overlays: tuple[str, ...] = ()  # state overlays on the map (viz.overlays.KINDS)

    def build(self) -> Scenario:
        return Scenario.from_json(self.scenario)


def _run(optimizer: str, label: str = "", flavour: str = "keras", schedule: dict | None = None, start=None, **hparams) -> dict:
    run = {"optimizer": optimizer, "flavour": flavour, "hparams": hparams, "label": label}
    if schedule:
        run["schedule"] = schedule
    if start is not None:
        run["start"] = list(start)
    return run


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "ravine",
        "SGD vs Momentum in a ravine",
        "In a ravine with condition number κ = 50, plain SGD must keep its learning rate below 2/κ = 0.04 "
        "or it diverges: at 0.035 it bounces across the steep walls and then crawls along the flat floor, "
        "still well short of the minimum after 60 steps. Momentum with the same learning rate swings wider "
        "at first, but it builds up speed along the floor, where the gradient keeps pointing the same way, "
        "and reaches the minimum in under 50 steps.",
        {
            "landscape": {"name": "quadratic", "params": {"kappa": 50.0, "angle": 0.0}},
            "start": [-1.8, 1.0],
            "steps": 60,
            "runs": [_run("sgd", learning_rate=0.035), _run("sgd", learning_rate=0.035, momentum=0.7)],
        },
    ),
    Lesson(
        "rosenbrock",
        "Adam vs SGD on Rosenbrock",
        "Rosenbrock's valley is easy to find and hard to follow: it curves, and its floor is almost flat. "
        "SGD with a learning rate small enough to survive the steep walls barely moves along the floor "
        "in 1000 steps; Adam rescales each coordinate by its recent gradient size and follows the valley "
        "to (1, 1).",
        {
            "landscape": "rosenbrock",
            "start": [-1.5, 2.0],
            "steps": 1000,
            "runs": [_run("sgd", learning_rate=0.001), _run("adam", learning_rate=0.05)],
        },
    ),
    Lesson(
        "too_high",
        "A learning rate that is too high",
        "On this quadratic (κ = 10) SGD is stable only below 2/κ = 0.2: at 0.15 it converges, at 0.21 "
        "every step overshoots a little more and the run diverges, which the table reports as "
        "\"diverged at step k\". Adam's steps are bounded by its learning rate, so Adam with "
        "learning_rate 1.0 does not blow up here; it bounces around the minimum in steps of about 1.0 "
        "and settles only as its moment estimates shrink.",
        {
            "landscape": {"name": "quadratic", "params": {"kappa": 10.0, "angle": 30.0}},
            "start": [-1.5, 1.5],
            "steps": 200,
            "runs": [
                _run("sgd", learning_rate=0.15),
                _run("sgd", learning_rate=0.21),
                _run("adam", learning_rate=0.05),
                _run("adam", learning_rate=1.0),
            ],
        },
    ),
    Lesson(
        "saddle",
        "Escaping a saddle",
        "Started almost exactly on the ridge of f = x² − y², plain SGD slides down to the saddle point "
        "and lingers there, because the gradient that would push it off is tiny. Adaptive methods divide "
        "by the size of recent gradients, so that tiny push becomes a full step and they escape in a few "
        "dozen steps.",
        {
            "landscape": "saddle",
            "start": [-1.5, 0.001],
            "steps": 300,
            "runs": [_run("sgd", learning_rate=0.01), _run("rmsprop", learning_rate=0.01), _run("adam", learning_rate=0.01)],
        },
    ),
    Lesson(
        "noisy_bowl",
        "A noisy bowl: batch size sets the noise floor",
        "With noisy gradients (σ = 2, batch size 1) SGD never settles: it jitters around the minimum with "
        "a variance proportional to learning rate × σ² / batch size, so the smaller learning rate sits "
        "lower. Raise the batch size in the sidebar from 1 to 16 and watch both loss curves drop by about "
        "sixteen times.",
        {
            "landscape": {"name": "quadratic", "params": {"kappa": 1.0, "angle": 0.0}},
            "start": [-1.5, 1.5],
            "steps": 600,
            "noise": {"sigma": 2.0, "batch_size": 1, "seed": 0},
            "runs": [_run("sgd", learning_rate=0.1), _run("sgd", learning_rate=0.02)],
        },
        view="Curves",
    ),
    Lesson(
        "rmsprop",
        "RMSprop's per-parameter step sizes",
        "SGD steps along the gradient, which in this ravine points mostly across it: it crosses the steep "
        "y direction fast and creeps along x. RMSprop divides each coordinate by its own running gradient "
        "size, so both coordinates move at about the same speed and its path runs diagonally. Rotate the "
        "ravine (angle 45°) and the per-coordinate trick no longer lines up with it.",
        {
            "landscape": {"name": "quadratic", "params": {"kappa": 50.0, "angle": 0.0}},
            "start": [-1.8, 1.0],
            "steps": 80,
            "runs": [_run("sgd", learning_rate=0.035), _run("rmsprop", learning_rate=0.05)],
        },
    ),
    Lesson(
        "adagrad",
        "Adagrad's shrinking steps against RMSprop",
        "Adagrad divides by the square root of the sum of all squared gradients so far, so its steps only "
        "ever shrink: after the steep descent into Rosenbrock's valley it has almost stopped. RMSprop "
        "keeps a decaying average instead, forgets the steep start and keeps walking along the valley.",
        {
            "landscape": "rosenbrock",
            "start": [-1.5, 2.0],
            "steps": 1000,
            "runs": [_run("adagrad", learning_rate=0.5), _run("rmsprop", learning_rate=0.01)],
        },
    ),
    Lesson(
        "schedules",
        "Constant vs cosine vs step schedules",
        "With noisy gradients a constant learning rate leaves SGD jittering at a noise floor set by that "
        "rate. Decaying the rate, smoothly (cosine) or in drops (step), shrinks the jitter as training "
        "goes on: the loss curves end an order of magnitude lower. The learning-rate chart shows the three "
        "schedules.",
        {
            "landscape": {"name": "quadratic", "params": {"kappa": 1.0, "angle": 0.0}},
            "start": [-1.5, 1.5],
            "steps": 600,
            "noise": {"sigma": 2.0, "batch_size": 1, "seed": 0},
            "runs": [
                _run("sgd", "constant", learning_rate=0.1),
                _run("sgd", "cosine", learning_rate=0.1, schedule={"name": "cosine", "decay_steps": 600, "alpha": 0.0}),
                _run("sgd", "step", learning_rate=0.1, schedule={"name": "step", "step_size": 200, "gamma": 0.2}),
            ],
        },
        view="Curves",
    ),
    Lesson(
        "flavours",
        "The same Adam in Keras, PyTorch and optax",
        "On Easom's plateau the gradient is about 1e-11, far below epsilon, so where epsilon goes "
        "decides the step. PyTorch and optax add their default 1e-8 after the bias-corrected root; Keras "
        "adds its default 1e-7 in the \"epsilon-hat\" form, which acts like 1e-7/√(1−β2^t): up to 3e-6 "
        "in the first steps, hundreds of times larger. With the same learning rate PyTorch and optax "
        "work their way off the plateau to the minimum at (π, π) while Keras stays where it started.",
        {
            "landscape": "easom",
            "start": [-0.5, -0.5],
            "steps": 500,
            "runs": [
                _run("adam", "Adam (Keras)", "keras", learning_rate=0.2),
                _run("adam", "Adam (PyTorch)", "pytorch", learning_rate=0.2),
                _run("adam", "Adam (optax)", "optax", learning_rate=0.2),
            ],
        },
    ),
    Lesson(
        "himmelblau",
        "Himmelblau's four basins",
        "Himmelblau's function has four minima of equal depth. The same optimizer with the same settings, "
        "started a short distance apart around the central hill, rolls into four different basins: where "
        "you start decides which minimum you find.",
        {
            "landscape": "himmelblau",
            "start": [0.5, 0.5],
            "steps": 400,
            "runs": [
                _run("sgd", "from (0.5, 0.5)", learning_rate=0.01, start=(0.5, 0.5)),
                _run("sgd", "from (-0.5, 0.5)", learning_rate=0.01, start=(-0.5, 0.5)),
                _run("sgd", "from (-0.5, -1.5)", learning_rate=0.01, start=(-0.5, -1.5)),
                _run("sgd", "from (0.5, -1.5)", learning_rate=0.01, start=(0.5, -1.5)),
            ],
        },
    ),
    Lesson(
        "momentum_map",
        "Momentum's rate map on the ravine",
        "The map shows the steps heavy-ball SGD needs on a κ = 50 ravine for every learning rate and momentum. "
        "Plain SGD (μ = 0, the bottom row) needs about 200 steps at best; the fastest cells, near μ ≈ 0.6 and "
        "a learning rate of about 0.05, need about 25, close to the theory's μ = ((√κ−1)/(√κ+1))² ≈ 0.57. "
        "Raise κ to 200 and the best momentum rises to about 0.75 to 0.8: the worse the conditioning, the more momentum pays.",
        {
            "landscape": {"name": "quadratic", "params": {"kappa": 50.0, "angle": 0.0}},
            "start": [-1.8, 1.0],
            "steps": 1000,
            "runs": [_run("sgd", learning_rate=0.044, momentum=0.66)],
        },
        view="Maps",
        maps={"map.kind": "hyper", "map.x": "learning_rate", "map.y": "momentum", "map.xr": "0.001,0.2",
              "map.yr": "0,0.99", "map.colour": "steps"},  # fmt: skip
    ),
    Lesson(
        "himmelblau_basins",
        "Himmelblau's basins: SGD against Adam",
        "Every start of a 128 × 128 grid over Himmelblau's function, run for 400 steps: SGD (learning rate 0.01) "
        "and Adam (0.1) each split the plane into four basins of about a quarter each, but not the same ones. "
        "About 7% of the starts end at a different minimum under Adam than under SGD, along the borders, where "
        "Adam's sign-like steps carry it over a ridge. Pick the run above the map to compare them.",
        {
            "landscape": "himmelblau",
            "start": [0.5, 0.5],
            "steps": 400,
            "runs": [_run("sgd", learning_rate=0.01), _run("adam", learning_rate=0.1)],
        },
        view="Maps",
        maps={"map.kind": "basin", "map.res": "128"},
    ),
)

# Lessons on data landscapes: a model's training loss over (w, b), with true minibatches.
LESSONS += (
    Lesson(
        "batch_size",
        "Batch size: 1, 32 or the whole data set",
        "SGD on a linear regression of 200 points with batch size 1: each step follows one point's gradient, "
        "so the path never settles and keeps wandering in a noise ball around the minimum (about 0.3 away on "
        "average). Set the batch size to 32 and the ball shrinks to about 0.04; set it to 200, the whole data "
        "set, and it is full-batch gradient descent, which lands on the minimum and stays. But count epochs, not "
        "steps: after one pass over the data, batch size 1 has taken 200 small steps and is close, while the "
        "full batch has taken one.",
        {
            "landscape": {"dataset": {"name": "noisy_line", "size": 200, "seed": 0, "standardize": True},
                          "model": "linear_regression"},
            "start": [0.0, 0.0],
            "steps": 600,
            "minibatch": {"batch_size": 1, "shuffle": True, "seed": 0},
            "runs": [_run("sgd", learning_rate=0.05)],
        },
    ),
    Lesson(
        "feature_scaling",
        "Feature scaling turns a ravine into a bowl",
        "With body mass index in kg/m² (mean 26) the weight w and the bias b pull against each other: the "
        "loss over (w, b) is a ravine with condition number about 26,000. SGD is stable only below a learning "
        "rate of 0.0014, where it is still far from the minimum after 500 steps, and at 0.25 it diverges. "
        "Switch on \"Standardize x\" (mean 0, std 1) and the ravine becomes a round bowl: the same SGD at 0.25 "
        "reaches the minimum in under 20 steps.",
        {
            "landscape": {"dataset": {"name": "diabetes", "standardize": False}, "model": "linear_regression"},
            "start": [0.0, 0.0],
            "steps": 500,
            "runs": [_run("sgd", learning_rate=0.001), _run("sgd", learning_rate=0.25),
                     _run("sgd", learning_rate=0.001, momentum=0.9)],
        },
    ),
)

# Lessons inside the optimizer: the step inspector, the state overlays and the quadratic view.
LESSONS += (
    Lesson(
        "bias_correction",
        "Adam's first step and its bias correction",
        "Adam's averages start at zero, so after one step m = 0.1·g and v = 0.001·g². Divided by the bias "
        "corrections 1 − 0.9 and 1 − 0.999, they become g and g² again, and Adam's first step is exactly η "
        "along each coordinate. Without the correction it would be 0.1/√0.001 ≈ 3.16 times longer: that is "
        "RMSprop's first step, which has no correction (step 0 in the inspector, then → to watch 1 − β^t grow).",
        {
            "landscape": {"name": "quadratic", "params": {"kappa": 10.0, "angle": 0.0}},
            "start": [-1.8, 1.0],
            "steps": 200,
            "runs": [_run("adam", learning_rate=0.05), _run("rmsprop", learning_rate=0.05)],
        },
        view="Inspector",
    ),
    Lesson(
        "accumulator",
        "Adagrad's accumulator against RMSprop's average",
        "Adagrad adds every squared gradient to its accumulator, which can only grow, so each coordinate's "
        "effective learning rate only falls. RMSprop's running average forgets: after the steep descent into "
        "Rosenbrock's valley its v shrinks again and its steps grow back. The chart under the inspector shows "
        "both coordinates' effective learning rates over the run.",
        {
            "landscape": "rosenbrock",
            "start": [-1.5, 2.0],
            "steps": 1000,
            "runs": [_run("adagrad", learning_rate=0.5), _run("rmsprop", learning_rate=0.01)],
        },
        view="Inspector",
        step=500,
    ),
    Lesson(
        "over_the_ridge",
        "Momentum carries a run over a ridge",
        "From the middle of Himmelblau's function SGD rolls into the basin of (3, 2). SGD with momentum 0.9 "
        "takes the same first steps, but its velocity keeps it going past that basin: for a while it climbs, "
        "against the gradient, over the ridge into the basin of (3.58, −1.85). The arrows show the velocity "
        "and −gradient at each step.",
        {
            "landscape": "himmelblau",
            "start": [0.0, 0.0],
            "steps": 400,
            "runs": [_run("sgd", learning_rate=0.005), _run("sgd", learning_rate=0.005, momentum=0.9)],
        },
        selected=1,
        overlays=("gradient", "momentum", "step"),
    ),
    Lesson(
        "critical_damping",
        "Heavy ball at critical damping",
        "On a ravine with κ = 100 the best gradient descent can do is shrink the error by (κ−1)/(κ+1) = 0.980 "
        "per step. Heavy-ball momentum with η = (2/(1+√κ))² and β = ((√κ−1)/(√κ+1))² shrinks it by √β = 0.818 "
        "along both eigenvectors at once. The quadratic view plots each run's error against these rates and "
        "marks both on the map of rates over (η, β).",
        {
            "landscape": {"name": "quadratic", "params": {"kappa": 100.0, "angle": 0.0}},
            "start": [-1.8, 1.0],
            "steps": 150,
            "runs": [
                _run("sgd", "GD, best η", learning_rate=2 / 101),
                _run("sgd", "heavy ball, critical", learning_rate=(2 / 11) ** 2, momentum=(9 / 11) ** 2),
            ],
        },
        view="Quadratic",
    ),
)

BY_ID = {lesson.id: lesson for lesson in LESSONS}
