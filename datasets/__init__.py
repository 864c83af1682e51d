"""Data sets of one input x and one target y, for the two-parameter models of data landscapes.

    >>> import datasets
    >>> d = datasets.load("noisy_line", size=200, seed=3)
    >>> d.x.shape, d.y.dtype
    ((200,), dtype('float32'))

Generated sets are drawn from NumPy's PCG64 with the given seed (`noisy_line`: y = 1.5·x − 1 + N(0, 1)
with x ~ U(−2, 4); `two_blobs`: labels 0/1 alternating, x ~ N(1 + 2·label, 1), two overlapping
classes on a line). Real sets are scikit-learn's own files, read from its installed package without
importing it (so the app does not pay for scikit-learn's import): the diabetes study (body mass
index against disease progression a year later, 442 patients; Efron et al. 2004) and the Wisconsin
breast cancer set (mean radius against malignancy, 569 tumours; label 1 = malignant). A size
below a real set's count takes a seeded random subset.

This package is a leaf: it imports NumPy only (no JAX, Streamlit or Plotly).
"""

from __future__ import annotations

import gzip
import importlib.util
import pathlib
from dataclasses import dataclass

import numpy as np

MIN_SIZE = 8
MAX_SIZE = 1024
MAX_SEED = 2**31 - 1


class DataError(ValueError):
    """A bad data set request; `field` names the offending field (name, size, seed, standardize)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Spec:
    name: str
    title: str
    kind: str  # "regression" (y real) or "binary" (y in {0, 1})
    x_label: str
    y_label: str
    real: bool
    default_size: int
    count: int = MAX_SIZE  # rows available (a real set's size; generated sets up to MAX_SIZE)
    reference: str = ""


SPECS: dict[str, Spec] = {
    s.name: s
    for s in (
        Spec("noisy_line", "Noisy line", "regression", "x", "y", False, 200),
        Spec("two_blobs", "Two overlapping blobs", "binary", "x", "class", False, 200),
        Spec("diabetes", "Diabetes: BMI → progression", "regression", "body mass index (kg/m²)",
             "disease progression after one year", True, 442, 442,
             "Efron, Hastie, Johnstone, Tibshirani (2004), Least Angle Regression; via scikit-learn"),
        Spec("breast_cancer", "Breast cancer: radius → malignant", "binary", "mean radius",
             "malignant (1) or benign (0)", True, 569, 569,
             "Wolberg, Street, Mangasarian (1995), Wisconsin Diagnostic Breast Cancer; via scikit-learn"),
    )
}
NAMES = tuple(SPECS)


@dataclass(frozen=True)
class Data:
    """One data set, float32: inputs x (n,) and targets y (n,)."""

    name: str
    x: np.ndarray
    y: np.ndarray
    standardized: bool = False

    def to_json(self) -> dict:
        return {"x": [float(v) for v in self.x], "y": [float(v) for v in self.y]}


def _sklearn_file(name: str) -> pathlib.Path:
    spec = importlib.util.find_spec("sklearn")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise DataError("name", "the real data sets need scikit-learn (pip install -r requirements.txt)")
    return pathlib.Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / name


def _real(name: str) -> tuple[np.ndarray, np.ndarray]:
    if name == "diabetes":
        with gzip.open(_sklearn_file("diabetes_data_raw.csv.gz"), "rt") as f:
            features = np.loadtxt(f)
        with gzip.open(_sklearn_file("diabetes_target.csv.gz"), "rt") as f:
            target = np.loadtxt(f)
        return features[:, 2], target  # column 2: BMI
    # breast_cancer.csv: a header "569,30,malignant,benign", then 30 features and the target
    # (0 = malignant, 1 = benign, as scikit-learn codes it).
    table = np.loadtxt(_sklearn_file("breast_cancer.csv"), delimiter=",", skiprows=1)
    return table[:, 0], 1.0 - table[:, -1]  # column 0: mean radius; 1 = malignant


_REAL_CACHE: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def check(name, size=None, seed=0, standardize=False) -> tuple[str, int, int, bool]:
    """The validated request (name, size, seed, standardize); DataError naming the field."""
    if not isinstance(name, str) or name not in SPECS:
        raise DataError("name", f"one of {', '.join(NAMES)}, got {name!r}"[:200])
    spec = SPECS[name]
    if size is None:
        size = spec.default_size
    if isinstance(size, bool) or not isinstance(size, (int, float, str)):
        raise DataError("size", f"must be a whole number in [{MIN_SIZE}, {spec.count}], got {size!r}"[:200])
    try:
        number = float(size)
    except ValueError:
        number = float("nan")
    if not (number == int(number) if np.isfinite(number) else False) or not MIN_SIZE <= number <= spec.count:
        raise DataError("size", f"must be a whole number in [{MIN_SIZE}, {spec.count}], got {size!r}"[:200])
    if isinstance(seed, bool) or not isinstance(seed, (int, float, str)):
        raise DataError("seed", f"must be a whole number in [0, {MAX_SEED}], got {seed!r}"[:200])
    try:
        seed_number = float(seed)
    except ValueError:
        seed_number = float("nan")
    if not (np.isfinite(seed_number) and seed_number == int(seed_number) and 0 <= seed_number <= MAX_SEED):
        raise DataError("seed", f"must be a whole number in [0, {MAX_SEED}], got {seed!r}"[:200])
    if isinstance(standardize, str) and standardize in ("true", "false"):
        standardize = standardize == "true"
    if not isinstance(standardize, bool):
        raise DataError("standardize", f"must be true or false, got {standardize!r}"[:200])
    return name, int(number), int(seed_number), standardize


def load(name: str, size: int | None = None, seed: int = 0, standardize: bool = False) -> Data:
    """The data set `name` with `size` rows (seeded), x optionally standardized to mean 0, std 1."""
    name, size, seed, standardize = check(name, size, seed, standardize)
    rng = np.random.default_rng(seed)
    if name == "noisy_line":
        x = rng.uniform(-2.0, 4.0, size)
        y = 1.5 * x - 1.0 + rng.normal(0.0, 1.0, size)
    elif name == "two_blobs":
        y = (np.arange(size) % 2).astype(np.float64)
        x = rng.normal(1.0 + 2.0 * y, 1.0)
    else:
        if name not in _REAL_CACHE:
            _REAL_CACHE[name] = _real(name)
        x, y = _REAL_CACHE[name]
        if size < len(x):
            rows = np.sort(rng.choice(len(x), size, replace=False))
            x, y = x[rows], y[rows]
    if standardize:
        std = x.std()
        x = (x - x.mean()) / (std if std > 0 else 1.0)  # population std, as StandardScaler
    return Data(name, np.asarray(x, np.float32), np.asarray(y, np.float32), standardize)


__all__ = ["MAX_SIZE", "MIN_SIZE", "NAMES", "SPECS", "Data", "DataError", "Spec", "check", "load"]
