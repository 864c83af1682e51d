"""One-click lessons for the Network page: a network scenario and a few sentences on what it shows.

As for the 2D page's lessons (ui/lessons.py), every claim is checked against the engine's
numbers by tests/ui/test_network_lessons.py; where the numbers did not bear out the folklore
("Adam is always better", "too high a learning rate blows up"), the text says what they show.
A lesson may offer a variant, one click away, that completes its comparison (a batch size is
the scenario's, so "small against full batch" takes two trainings).
"""

from __future__ import annotations

from dataclasses import dataclass

from descent import NetworkScenario


@dataclass(frozen=True)
class NetworkLesson:
    id: str
    title: str
    text: str
    scenario: dict  # the NetworkScenario's JSON form
    view: str = "Curves"  # the view to open first
    variant: tuple[str, dict] | None = None  # (button label, another scenario's JSON form)

    def build(self) -> NetworkScenario:
        return NetworkScenario.from_json(self.scenario)

    def build_variant(self) -> NetworkScenario | None:
        return NetworkScenario.from_json(self.variant[1]) if self.variant else None


def _scene(runs: list[dict], *, epochs: int, batch_size: int = 32, size: int = 300, noise: float = 0.3) -> dict:
    return {"dataset": {"name": "moons", "size": size, "noise": noise, "seed": 0, "validation": 0.3},
            "model": {"hidden": [16, 16], "activation": "tanh", "seed": 0},
            "epochs": epochs, "minibatch": {"batch_size": batch_size, "shuffle": True, "seed": 0},
            "runs": runs}


def _sgd(learning_rate: float, momentum: float = 0.0) -> dict:
    return {"optimizer": "sgd", "hparams": {"learning_rate": learning_rate, "momentum": momentum}}


def _adam(learning_rate: float) -> dict:
    return {"optimizer": "adam", "hparams": {"learning_rate": learning_rate}}


LESSONS: tuple[NetworkLesson, ...] = (
    NetworkLesson(
        "adam_vs_momentum",
        "Adam vs SGD with momentum on noisy moons",
        "\"Adam is always better\" is not what these numbers show. On 210 noisy training points SGD with "
        "momentum (learning rate 0.1, μ = 0.9) drives the training loss lower than Adam (0.01): about 0.07 "
        "against 0.10 after 300 epochs. On the validation set both are at their best early, near 0.22–0.24 "
        "within 40 epochs, and then get worse as they fit the noise; the closer fit of SGD with momentum ends "
        "with the higher validation loss (about 0.46 against 0.33), while both classify the same 91% of the "
        "validation points correctly. Which one wins depends on the learning rates, the data and when you stop.",
        _scene([_adam(0.01), _sgd(0.1, 0.9)], epochs=300),
    ),
    NetworkLesson(
        "batch_noise",
        "Small batches: more steps, more noise",
        "With a batch of 8, SGD (learning rate 0.1) makes 27 updates per epoch from noisy gradient estimates: "
        "its training loss reaches about 0.13 in 100 epochs, but it goes up in roughly four epochs out of ten. "
        "Click \"Full batch\" to train on all 210 examples at once: one exact gradient step per epoch, a curve "
        "that never goes up, and a training loss still near 0.35 after the same 100 epochs.",
        _scene([_sgd(0.1)], epochs=100, batch_size=8),
        variant=("Full batch", _scene([_sgd(0.1)], epochs=100, batch_size=5000)),
    ),
    NetworkLesson(
        "too_high",
        "A learning rate too high for the network",
        "SGD with momentum 0.9 learns the moons at learning rate 0.1 (training loss near 0.1). At 1.0 its "
        "training loss jumps between about 0.2 and 4 from epoch to epoch and ends above 1, worse than the 0.69 "
        "of always answering 50%. At 3.0 it jumps into the tens and the accuracy sits at chance, about 51%. "
        "None of them is reported as diverged: the tanh units saturate and the weights stay finite, so a "
        "learning rate too high shows here as a loss that bounces and stays high, not as a blow-up.",
        _scene([_sgd(0.1, 0.9), _sgd(1.0, 0.9), _sgd(3.0, 0.9)], epochs=100),
    ),
)

BY_ID = {lesson.id: lesson for lesson in LESSONS}
