"""ui.malloc: the server gives back what compiling freed."""

from __future__ import annotations

import numpy as np

import descent
from ui import malloc


def test_a_trim_follows_a_compilation_and_only_then():
    malloc.trim_after_compiling()  # whatever happened before this test
    assert malloc.trim_after_compiling() is False  # nothing compiled since
    before = descent.trace_count()
    # An optimizer and landscape no other test of this process is likely to have compiled yet.
    descent.run({"landscape": "beale", "steps": 3, "runs": [{"optimizer": "adadelta", "flavour": "pytorch",
                                                             "hparams": {"learning_rate": float(np.float32(0.7))}}]})  # fmt: skip
    assert descent.trace_count() > before
    assert malloc.trim_after_compiling() is True
    assert malloc.trim_after_compiling() is False


def test_arenas_can_be_limited_on_glibc():
    assert malloc.limit_arenas() is True  # Debian's Python runs on glibc
