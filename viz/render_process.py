"""GIF and MP4 rendering in a child process, so that the other sessions of a server keep running.

Drawing a video's frames with Pillow holds the interpreter's lock for most of a few seconds; in
the app's process that stalls every other session's script. So the app hands the frames' inputs,
as plain NumPy data, to a fresh `python -m viz.render_process` and waits on its pipe (waiting
releases the lock). The child imports viz (NumPy, Pillow, plotly; imageio for an MP4), never JAX
or the engine: about 100 MB while it draws, gone when it is done. It reports each frame on its
stdout, which the parent passes to `progress(done, total)` (the page's progress bar), and writes
the file where the parent tells it; the bytes are those the same call would write in-process.

    data = map_video(result, surface, format="gif", minima=..., progress=...)   # viz.video's
    data = boundary_video(movie, format="mp4", progress=...)                     # viz.network_video's

At most MAX_RENDERS children run at once per server (a class rendering together queues instead
of multiplying the memory).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

MAX_RENDERS = 2
_SLOTS = threading.BoundedSemaphore(MAX_RENDERS)
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # where the viz package is


class RenderError(RuntimeError):
    """The child process failed (its last lines of error output are in the message)."""


@dataclass(frozen=True)
class PlainRun:
    """What viz.video reads of a run, as plain data (a RunResult pickled would make the child
    import the engine, and with it JAX)."""

    label: str
    status: str
    diverged_at: int | None
    path: np.ndarray


@dataclass(frozen=True)
class PlainResult:
    runs: tuple[PlainRun, ...]


@dataclass(frozen=True)
class Rendered:
    """A finished render: the file's bytes, and what the child was (for the tests)."""

    data: bytes
    pid: int
    jax_imported: bool
    peak_rss_mb: float


def plain_result(result) -> PlainResult:
    return PlainResult(tuple(PlainRun(str(r.label), str(r.status), r.diverged_at, np.asarray(r.path)) for r in result.runs))


def plain_minima(minima) -> list[dict]:
    from viz._types import plain_minima as plain

    return [{"point": (m.x, m.y), "value": m.value, "global": m.is_global, "found": m.found} for m in plain(minima)]


def map_video(result, surface: Sequence[np.ndarray], *, format: str = "gif", progress: Callable[[int, int], None] | None = None,
              **options) -> bytes:
    """viz.video.video_bytes(result, surface, format=format, **options), drawn in a child process."""
    options = dict(options)
    if "minima" in options:
        options["minima"] = plain_minima(options["minima"])
    job = {"kind": "map", "args": (plain_result(result), tuple(np.asarray(a) for a in surface)), "format": format, "options": options}
    return render(job, progress).data


def boundary_video(movie, *, format: str = "gif", progress: Callable[[int, int], None] | None = None, **options) -> bytes:
    """viz.network_video.video_bytes(movie, format=format, **options), drawn in a child process."""
    return render({"kind": "boundary", "args": (movie,), "format": format, "options": options}, progress).data


def render(job: dict, progress: Callable[[int, int], None] | None = None) -> Rendered:
    """Run one job in a child process; ValueError for options it refuses, RenderError if it fails."""
    with _SLOTS, tempfile.TemporaryDirectory(prefix="descent-render-") as folder, \
            open(os.path.join(folder, "errors.txt"), "w+b") as errors:  # fmt: skip
        output = os.path.join(folder, f"video.{job['format']}")
        env = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p)}
        child = subprocess.Popen([sys.executable, "-m", "viz.render_process"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=errors, env=env, cwd=_ROOT)  # fmt: skip
        report: list[str] = []
        try:
            try:
                child.stdin.write(pickle.dumps({**job, "output": output}))
                child.stdin.close()
            except BrokenPipeError:  # the child failed before reading its job: its errors say why
                pass
            for line in child.stdout:  # blocks without the interpreter's lock: other threads run
                words = line.decode().split()
                if words[:1] == ["frame"] and progress is not None:
                    progress(int(words[1]), int(words[2]))
                elif words[:1] in (["done"], ["refused"]):
                    report = words
            code = child.wait()
        finally:
            if child.poll() is None:  # the caller was interrupted (e.g. the page reran): stop the child
                child.kill()
                child.wait()
            child.stdout.close()
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
        if report[:1] == ["refused"]:
            raise ValueError(" ".join(report[1:]))
        if code != 0 or report[:1] != ["done"]:
            raise RenderError(f"the render process failed (exit {code}): {stderr[-2000:]}")
        with open(output, "rb") as f:
            return Rendered(f.read(), int(report[1]), report[2] == "True", float(report[3]))


def _peak_rss_mb() -> float:
    """This process's peak resident memory since it started Python. (ru_maxrss would count the
    parent's memory too: Linux carries it over the fork and exec that start the child.)"""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _serve() -> int:
    """The child: read one job from stdin, write the file, report on stdout."""
    job = pickle.loads(sys.stdin.buffer.read())  # from the parent process, through its pipe

    def progress(done: int, total: int) -> None:
        print(f"frame {done} {total}", flush=True)

    try:
        if job["kind"] == "map":
            from viz import video

            video.write_video(*job["args"], job["output"], format=job["format"], progress=progress, **job["options"])
        else:
            from viz import network_video

            network_video.write_video(*job["args"], job["output"], format=job["format"], progress=progress, **job["options"])
    except ValueError as e:  # options out of range: the message is the caller's
        print(f"refused {e}", flush=True)
        return 0
    peak = _peak_rss_mb()
    print(f"done {os.getpid()} {'jax' in sys.modules} {peak:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_serve())
