"""Seeded 2D binary classification data sets: two moons, circles, XOR and a double spiral.

Each is generated on the host with NumPy's PCG64 generator from its seed, so the same
(name, size, noise, seed) gives the same points on every machine; the points are shuffled
and the last `validation` share held out. Labels are 0.0 / 1.0 (float32).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DatasetSpec:
    id: str
    title: str
    teaches: str
    domain: tuple[tuple[float, float], tuple[float, float]]  # a box holding the points, for plots


@dataclass(frozen=True)
class Dataset:
    x_train: np.ndarray  # (n_train, 2) float32
    y_train: np.ndarray  # (n_train,) float32, 0 or 1
    x_val: np.ndarray
    y_val: np.ndarray
    domain: tuple[tuple[float, float], tuple[float, float]]


def _moons(rng, n, noise):
    """Two interleaving half circles (as scikit-learn's make_moons, with random angles)."""
    n_out = n // 2
    t = rng.uniform(0.0, math.pi, n)
    outer = np.stack([np.cos(t), np.sin(t)], 1)
    inner = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], 1)
    label = (np.arange(n) >= n_out).astype(np.float64)
    x = np.where(label[:, None] > 0, inner, outer)
    return x + noise * rng.standard_normal((n, 2)), label


def _circles(rng, n, noise):
    """A disc of radius 0.5 inside a ring of radius 1."""
    label = (np.arange(n) >= n // 2).astype(np.float64)
    t = rng.uniform(0.0, 2.0 * math.pi, n)
    r = np.where(label > 0, 0.5, 1.0)
    x = np.stack([r * np.cos(t), r * np.sin(t)], 1)
    return x + noise * rng.standard_normal((n, 2)), label


def _xor(rng, n, noise):
    """Uniform points in [-1, 1]², class 1 where x·y > 0 (the quadrants a linear model cannot
    split), half of each class."""
    label = (np.arange(n) >= n // 2).astype(np.float64)
    magnitude = rng.uniform(0.0, 1.0, (n, 2))
    sx = rng.choice([-1.0, 1.0], n)
    sy = np.where(label > 0, sx, -sx)
    x = magnitude * np.stack([sx, sy], 1)
    return x + noise * rng.standard_normal((n, 2)), label


def _spiral(rng, n, noise):
    """Two interleaved arms r = t, angle = 2πt (+π for class 1), t in [0.1, 1]."""
    label = (np.arange(n) >= n // 2).astype(np.float64)
    t = rng.uniform(0.1, 1.0, n)
    angle = 2.0 * math.pi * 1.25 * t + math.pi * label
    x = np.stack([t * np.cos(angle), t * np.sin(angle)], 1)
    return x + noise * rng.standard_normal((n, 2)), label


_GENERATORS = {"moons": _moons, "circles": _circles, "xor": _xor, "spiral": _spiral}

DATASETS: tuple[DatasetSpec, ...] = (
    DatasetSpec("moons", "Two moons", "Two curved classes: a few hidden units bend the boundary around them.", ((-1.5, 2.5), (-1.0, 1.5))),
    DatasetSpec("circles", "Circles", "One class inside the other: the boundary must close on itself.", ((-1.5, 1.5), (-1.5, 1.5))),
    DatasetSpec("xor", "XOR", "Opposite quadrants share a class: no single line separates them.", ((-1.5, 1.5), (-1.5, 1.5))),
    DatasetSpec("spiral", "Spiral", "Two interleaved arms: the hardest here, it needs width and epochs.", ((-1.5, 1.5), (-1.5, 1.5))),
)
BY_ID = {d.id: d for d in DATASETS}


def make_dataset(name: str, size: int, noise: float, seed: int, validation: float) -> Dataset:
    """`size` points of data set `name` with Gaussian noise of standard deviation `noise`,
    shuffled, of which round(size × validation) are held out for validation."""
    rng = np.random.default_rng(seed)
    x, y = _GENERATORS[name](rng, size, noise)
    order = rng.permutation(size)
    x, y = x[order].astype(np.float32), y[order].astype(np.float32)
    n_val = int(round(size * validation))
    n_train = size - n_val
    for a in (x, y):
        a.setflags(write=False)
    return Dataset(x[:n_train], y[:n_train], x[n_train:], y[n_train:], BY_ID[name].domain)
