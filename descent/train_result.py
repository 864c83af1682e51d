"""What `descent.train` returns: per-run, per-epoch metrics, weights, and the data trained on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import network


def _numbers(a: np.ndarray) -> list:
    """JSON numbers, None where a value is missing (no validation set, after divergence)."""
    return [float(v) if np.isfinite(v) else None for v in np.asarray(a, np.float64)]


@dataclass(frozen=True, eq=False)
class TrainRun:
    label: str
    optimizer: str
    flavour: str
    status: str  # "ok" or "diverged"
    diverged_at: int | None  # the first epoch whose loss is non-finite or a weight beyond 1e6
    train_loss: np.ndarray  # (epochs + 1,), epoch 0 = before training; NaN from diverged_at on
    val_loss: np.ndarray
    train_accuracy: np.ndarray
    val_accuracy: np.ndarray
    final_weights: np.ndarray  # (P,) flat, as network.MLP.flatten
    snapshots: np.ndarray  # (S, P) weights at TrainResult.snapshot_epochs

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "optimizer": self.optimizer,
            "flavour": self.flavour,
            "status": self.status,
            "diverged_at": self.diverged_at,
            "train_loss": _numbers(self.train_loss),
            "val_loss": _numbers(self.val_loss),
            "train_accuracy": _numbers(self.train_accuracy),
            "val_accuracy": _numbers(self.val_accuracy),
        }


@dataclass(frozen=True, eq=False)
class TrainResult:
    scenario: object  # the NetworkScenario
    data: network.Dataset
    mlp: network.MLP
    initial_weights: np.ndarray  # (P,), shared by every run
    snapshot_epochs: np.ndarray  # (S,) epochs at which weights were kept
    runs: tuple[TrainRun, ...]

    @property
    def epochs(self) -> np.ndarray:
        return np.arange(self.scenario.epochs + 1)

    def weights_at(self, run_index: int, epoch: int) -> np.ndarray:
        """The weights of a run at the kept epoch nearest below `epoch` (the final ones at the end)."""
        run = self.runs[run_index]
        if epoch >= self.scenario.epochs:
            return run.final_weights
        k = int(np.searchsorted(self.snapshot_epochs, epoch, side="right")) - 1
        return run.snapshots[max(k, 0)]

    def to_json(self) -> dict:
        return {
            "scenario": self.scenario.to_json(),
            "parameters": int(self.mlp.size),
            "steps_per_epoch": self.scenario.steps_per_epoch,
            "runs": [run.to_json() for run in self.runs],
        }
