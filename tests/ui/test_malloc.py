"""ui.malloc: the server gives back what compiling freed."""

from __future__ import annotations

import descent
from ui import malloc


def test_a_trim_follows_a_compilation_and_only_then(monkeypatch):
    compiled = [100]
    monkeypatch.setattr(descent, "trace_count", lambda: compiled[0])
    monkeypatch.setattr(malloc, "_compiled_at_last_trim", -1)
    assert malloc.trim_after_compiling() is True  # the first call: everything so far was compiled
    assert malloc.trim_after_compiling() is False  # nothing compiled since
    compiled[0] += 1  # a new optimizer × landscape compiled
    assert malloc.trim_after_compiling() is True
    assert malloc.trim_after_compiling() is False


def test_arenas_can_be_limited_on_glibc():
    assert malloc.limit_arenas() is True  # Debian's Python runs on glibc
