"""The scene a plain link opens: four classic optimizers on Rosenbrock, 500 steps."""

from __future__ import annotations

from descent import Scenario

DEFAULT_SCENARIO = Scenario.from_json(
    {
        "landscape": "rosenbrock",
        "start": [-1.5, 2.0],
        "steps": 500,
        "runs": [
            {"optimizer": "sgd", "hparams": {"learning_rate": 0.001}},
            {"optimizer": "sgd", "hparams": {"learning_rate": 0.001, "momentum": 0.9}},
            {"optimizer": "rmsprop", "hparams": {"learning_rate": 0.01}},
            {"optimizer": "adam", "hparams": {"learning_rate": 0.05}},
        ],
    }
)

# A new run added with "+ Add run".
NEW_RUN = {"optimizer": "adam", "hparams": {"learning_rate": 0.01}}

# Run colours come from viz's colour-blind-safe palette; a run stores an index into it.
COLOUR_NAMES = ("orange", "sky blue", "bluish green", "blue", "vermillion", "reddish purple", "black")
PALETTE_SIZE = len(COLOUR_NAMES)
