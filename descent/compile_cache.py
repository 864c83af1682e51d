"""A persistent compilation cache: a server that ran before starts without compiling.

JAX can write every compiled executable to a directory and read it back in a later process
instead of compiling again (its "persistent compilation cache"). A fresh app server compiles
each optimizer's runner at its first use, 0.1–0.3 s each; with the cache on a machine that has
run the app before, loading one takes a few milliseconds.

Where: `$DESCENT_CACHE_DIR` if set, else `$XDG_CACHE_HOME/descent/jax` (default
`~/.cache/descent/jax`). `DESCENT_CACHE_DIR=off` (or an empty value) turns it off. A directory
that cannot be created or written (a read-only home on a hosted platform) turns it off too,
silently apart from one log line: the cache only ever saves time.
"""

from __future__ import annotations

import logging
import os
import pathlib
import tempfile

ENV = "DESCENT_CACHE_DIR"
OFF = ("", "off", "none", "0", "false")

log = logging.getLogger("descent.compile_cache")
_enabled: pathlib.Path | None = None
_tried = False


def default_directory() -> pathlib.Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return pathlib.Path(base) / "descent" / "jax"


def configured_directory() -> pathlib.Path | None:
    """The directory the environment asks for; None when the cache is turned off."""
    value = os.environ.get(ENV)
    if value is None:
        return default_directory()
    if value.strip().lower() in OFF:
        return None
    return pathlib.Path(value).expanduser()


def writable(directory: pathlib.Path) -> bool:
    """Whether files can be created in `directory` (created if missing)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".probe-"):
            pass
        return True
    except OSError:
        return False


def enable(directory: str | os.PathLike | None = None) -> pathlib.Path | None:
    """Turn the cache on (once per process; later calls return the first answer).

    `directory` overrides the environment. Returns the directory in use, or None when the cache
    is off (asked to be, or the directory is not writable).
    """
    global _enabled, _tried
    if _tried:
        return _enabled
    _tried = True
    chosen = pathlib.Path(directory) if directory is not None else configured_directory()
    if chosen is None:
        return None
    if not writable(chosen):
        log.info("compilation cache off: %s is not writable", chosen)
        return None
    import jax

    jax.config.update("jax_compilation_cache_dir", str(chosen))
    # Our runners compile in 0.1-0.3 s, under JAX's default threshold of 1 s for caching.
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    _enabled = chosen
    return chosen


def directory() -> pathlib.Path | None:
    """The directory in use, None when the cache is off or was never enabled."""
    return _enabled
