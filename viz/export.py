"""Exports: a standalone HTML page, a PNG, and the trajectories as CSV."""

from __future__ import annotations

import csv
import io
import os
import shutil
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

if TYPE_CHECKING:
    from viz._types import ResultLike

# Where kaleido (through choreographer) looks for a browser: BROWSER_PATH, then these on PATH.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
CSV_COLUMNS = ("run", "step", "x", "y", "loss", "grad_norm", "learning_rate")


def standalone_html(fig: go.Figure, *, title: str = "Descent") -> str:
    """A complete HTML page with plotly.js inlined (≈ 4.7 MB; no CDN), so the figure and its
    animation work offline, e.g. from an e-mail attachment."""
    html = fig.to_html(
        full_html=True,
        include_plotlyjs=True,
        include_mathjax=False,
        auto_play=False,  # start still, showing where the runs ended; Play replays them
        default_width="100%",
        default_height="95vh",
        config={"displaylogo": False, "responsive": True},
    )
    return html.replace("<head>", f"<head><title>{_html_text(title)}</title>", 1)


def browser_path() -> str | None:
    """The Chrome/Chromium kaleido would use, or None when the machine has none."""
    configured = os.environ.get("BROWSER_PATH")
    if configured and os.path.isfile(configured):
        return configured
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def figure_png(fig: go.Figure, *, width: int = 1000, height: int = 800, scale: float = 1.0) -> bytes | None:
    """The figure as PNG bytes through kaleido, or None when no Chrome/Chromium is installed
    (kaleido 1.x cannot draw without one). An animated figure is drawn as a still: its current
    data (the map shows where every run ended), without the play buttons and the slider.
    Errors from kaleido itself are raised, not hidden."""
    if browser_path() is None:
        return None
    still = go.Figure(fig)
    still.frames = ()
    still.layout.updatemenus = ()
    still.layout.sliders = ()
    if still.layout.margin.b is not None:
        still.layout.margin.b = 60
    return still.to_image(format="png", width=width, height=height, scale=scale)


def trajectories_csv(result: ResultLike) -> str:
    """Every run's trajectory, one row per (run, step): run label, step, x, y, loss, grad_norm,
    learning_rate (the rate of the update from this point; empty on the last point). Numbers
    are the shortest decimals that read back as the same float32."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for run in result.runs:
        n = len(run.path)
        if n == 0:
            continue
        path = _decimals(np.asarray(run.path).reshape(-1, 2))
        loss = _decimals(run.loss)
        grad = _decimals(run.grad_norm)
        rate = list(_decimals(run.learning_rate)[: n - 1]) + [""] * (n - len(run.learning_rate[: n - 1]))
        for step in range(n):
            writer.writerow((run.label, step, path[step, 0], path[step, 1], loss[step], grad[step], rate[step]))
    return out.getvalue()


def _decimals(values) -> np.ndarray:
    # numpy prints a float32 as the shortest decimal that rounds back to it (1.49, not 1.4900000095...).
    return np.asarray(values, dtype=np.float32).astype(str)


def _html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


EXPORT_FORMATS = ("gif", "mp4", "html", "csv", "json")


def scene_json(result) -> str:
    """The scenario and its results in one JSON document ("Load a scene" and the CLI read the
    scenario back); `result` is a `descent.Result` (duck-typed: `.scenario.to_json()`)."""
    import json

    return json.dumps({"scenario": result.scenario.to_json(), "results": result.to_json()}, allow_nan=False)


def export_bytes(format: str, result, surface, *, minima=(), log_scale: bool = False, title: str | None = None,
                 progress=None, **video_options) -> bytes:
    """One export file's bytes: the animated map as GIF, MP4 (viz.video) or a standalone HTML
    page, the trajectories as CSV, or the scene with its results as JSON. The CLI's `export`
    and the app's "Share & export" both write through this."""
    if format in ("gif", "mp4"):
        from viz import video

        return video.video_bytes(result, surface, format=format, minima=minima, log_scale=log_scale, title=title,
                                 progress=progress, **video_options)  # fmt: skip
    if format == "html":
        from viz.trajectory_map import trajectory_map

        figure = trajectory_map(result, surface, minima=minima, log_scale=log_scale, title=title)
        return standalone_html(figure, title=title or "Descent").encode("utf-8")
    if format == "csv":
        return trajectories_csv(result).encode("utf-8")
    if format == "json":
        return scene_json(result).encode("utf-8")
    raise ValueError(f"format must be one of {', '.join(EXPORT_FORMATS)}, got {format!r}")
