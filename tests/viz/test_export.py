"""viz exports: CSV that reads back, offline HTML, PNG through kaleido; the test artefacts."""

from __future__ import annotations

import csv
import io
import os
import re

import numpy as np

import viz
from viz.export import CSV_COLUMNS, browser_path

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CHROMIUM = "/usr/bin/chromium"


def test_csv_reads_back_to_the_same_numbers(race):
    text = viz.trajectories_csv(race.result)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    runs = race.result.runs
    assert len(rows) == sum(len(run.path) for run in runs)
    by_run: dict[str, list[dict]] = {}
    for row in rows:
        by_run.setdefault(row["run"], []).append(row)
    assert list(by_run) == [run.label for run in runs]
    for run in runs:
        table = by_run[run.label]
        assert [int(row["step"]) for row in table] == list(range(len(run.path)))
        for column, values in (("loss", run.loss), ("grad_norm", run.grad_norm)):
            assert np.array_equal(np.float32([row[column] for row in table]), values)
        assert np.array_equal(np.float32([[row["x"], row["y"]] for row in table]), run.path)
        rates = [row["learning_rate"] for row in table]
        assert rates[-1] == ""  # no update leaves the last point
        assert np.array_equal(np.float32(rates[:-1]), run.learning_rate)
    # Short decimals: a float32 0.05 is written 0.05, not 0.05000000074505806 (a float32 never
    # needs more than 9 significant digits).
    for row in rows[:: max(1, len(rows) // 500)]:
        for column in ("x", "y", "loss", "grad_norm", "learning_rate"):
            mantissa = row[column].lstrip("-").split("e")[0].replace(".", "").lstrip("0")
            assert len(mantissa) <= 9, row[column]


def test_html_is_standalone():
    from tests.viz.plain import bowl_surface, plain_race

    html = viz.standalone_html(viz.trajectory_map(plain_race(), bowl_surface()), title="A <race>")
    assert html.lstrip().lower().startswith("<html") or html.lstrip().lower().startswith("<!doctype")
    assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?https?:", html, flags=re.IGNORECASE)
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, flags=re.IGNORECASE)  # no external script at all
    assert len(html) > 3_000_000  # plotly.js itself is inlined
    assert "Plotly.addFrames" in html  # the animation travels with it
    assert "<title>A &lt;race&gt;</title>" in html


def test_png_is_none_without_a_browser(monkeypatch):
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", "")
    assert browser_path() is None
    assert viz.figure_png(_tiny_figure()) is None


def _tiny_figure():
    import plotly.graph_objects as go

    return go.Figure(go.Scatter(x=[0, 1], y=[0, 1]))


def test_map_artefacts_html_and_png(race, artefacts):
    """test-artefacts/viz/map.html (plays offline) and, with a Chromium, map.png: look at it."""
    fig = race.map(title="Rosenbrock: four optimizers, 1000 steps")
    (artefacts / "map.html").write_text(viz.standalone_html(fig, title="Descent: Rosenbrock"), encoding="utf-8")
    # The test command installs Debian's chromium: without it this fails rather than skips.
    assert os.path.exists(CHROMIUM) or browser_path(), f"{CHROMIUM} is missing: install Debian's chromium"
    png = viz.figure_png(fig, width=1000, height=860)
    assert png is not None and png[:8] == PNG_MAGIC, "kaleido returned no PNG although Chromium is installed"
    assert len(png) > 20_000
    (artefacts / "map.png").write_bytes(png)
