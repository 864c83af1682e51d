"""Fewer malloc arenas for the server's threads.

glibc's malloc gives a thread that allocates while another holds the main heap an arena of its
own, up to eight per core, and memory freed in an arena mostly stays with it. A Streamlit server
runs every session's script in a thread of its own, so a few sessions spread the server's heap
over many arenas that each keep their high-water mark. Capping them (M_ARENA_MAX, the same as
the MALLOC_ARENA_MAX environment variable, which the Docker image also sets) keeps the resident
memory near what is in use.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_ARENA_MAX = -8  # from glibc's malloc.h
ARENAS = 2


def limit_arenas(count: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas at `count` for the rest of the process; False where the C
    library is not glibc (nothing changes there)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, count))
    except (OSError, AttributeError):
        return False


_compiled_at_last_trim = -1


def trim_after_compiling() -> bool:
    """Give freed heap memory back to the system if anything was compiled since the last call.

    Compiling (XLA) allocates and frees a lot; glibc keeps what was freed, so each first use of
    an optimizer raised the server's resident memory for good. malloc_trim returns it. Only after a
    compilation: a trim walks the heap, which is wasted on an ordinary rerun.
    """
    global _compiled_at_last_trim
    import descent

    compiled = descent.trace_count()
    if compiled == _compiled_at_last_trim:
        return False
    _compiled_at_last_trim = compiled
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        return False
    return True
