"""Shared fixtures: paths inside the repository, JAX on the CPU."""

from __future__ import annotations

import json
import os
import pathlib

os.environ.setdefault("JAX_PLATFORMS", "cpu")

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = pathlib.Path(__file__).resolve().parent / "data"


def load_parity(path: pathlib.Path) -> list[dict]:
    """The cases of a parity fixture file; a missing or empty file is an error, never zero cases."""
    if not path.is_file():
        raise FileNotFoundError(f"parity fixture {path} is missing")
    cases = json.loads(path.read_text())["cases"]
    if not cases:
        raise ValueError(f"parity fixture {path} holds no cases")
    return cases

# Tests never write into the user's cache directory; tests of the cache pass their own directory.
os.environ.setdefault("DESCENT_CACHE_DIR", "off")
