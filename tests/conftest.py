"""Shared fixtures: the reference material beside the repository, JAX on the CPU."""

from __future__ import annotations

import json
import os
import pathlib

import pytest

os.environ.setdefault("JAX_PLATFORMS", "cpu")

ROOT = pathlib.Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference"
DATA = pathlib.Path(__file__).resolve().parent / "data"


def load_parity(path: pathlib.Path) -> list[dict]:
    return json.loads(path.read_text())["cases"]


@pytest.fixture(scope="session")
def reference_dir() -> pathlib.Path:
    if not REFERENCE.is_dir():
        pytest.fail(f"reference material not found at {REFERENCE} (CI puts ../shared beside the repo)")
    return REFERENCE
