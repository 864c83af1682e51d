"""Descent in Jupyter: the animated map of a result, a result that displays itself, and a
notebook file that reproduces a scene.

The engine does not depend on plotly: viz (and with it plotly) is imported here, inside the
functions, only when a figure is asked for, so `import descent` stays as light as it was.

    import descent
    result = descent.run(descent.Scenario.from_url("https://…/?landscape=rosenbrock&r0.optimizer=adam&…"))
    result                      # the animated map (and the runs' table where plotly cannot show)
    descent.show(result)        # the animated map as a plotly Figure
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping

from descent.result import Result
from descent.scenario import Scenario

# The map's grid in the app (ui.page.MAP_RESOLUTION).
MAP_RESOLUTION = 300
PLOTLY_MIME = "application/vnd.plotly.v1+json"


def show(result: Result | Scenario | Mapping, *, resolution: int = MAP_RESOLUTION, height: int = 600, **options):
    """The animated map of `result` (a `descent.Result`, or a scenario, which is run first) as a
    plotly `go.Figure`: the landscape, known minima, every run's path and moving marker, Play,
    Pause and a step slider. `options` are `viz.trajectory_map`'s (colours, visible, frames,
    lecture, title, legend, colour_bar)."""
    from descent.runner import as_scenario, run, surface

    if not isinstance(result, Result):
        result = run(as_scenario(result))
    import viz  # plotly, only now

    scenario = result.scenario
    spec = scenario.landscape_spec
    options.setdefault("title", spec.title)
    grid = surface(scenario, resolution=resolution)
    return viz.trajectory_map(result, grid, minima=spec.minima, log_scale=spec.log_scale, axes=spec.axes, height=height,
                              **options)  # fmt: skip


def table_html(result: Result) -> str:
    """The runs as an HTML table: label, optimizer, flavour, status, final point and loss."""
    rows = []
    for run in result.runs:
        status = f"diverged at step {run.diverged_at}" if run.status == "diverged" else run.status
        x, y = (float(v) for v in run.final_point) if len(run.path) else (float("nan"),) * 2
        rows.append(
            "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in (
                run.label, run.optimizer, run.flavour, status, f"{x:.6g}", f"{y:.6g}", f"{run.final_loss:.4g}")) + "</tr>"
        )  # fmt: skip
    head = "".join(f"<th>{h}</th>" for h in ("run", "optimizer", "flavour", "status", "final x", "final y", "final loss"))
    title = html.escape(f"{result.scenario.landscape_spec.title}, {result.scenario.steps} steps")
    return f"<table><caption>{title}</caption><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def mimebundle(result: Result) -> dict:
    """What a notebook shows for a Result: the animated map as plotly's own MIME type (which
    JupyterLab, Notebook 7 and VS Code draw), the runs' table as HTML for frontends without
    plotly, and a line of text."""
    figure = show(result)
    return {
        PLOTLY_MIME: json.loads(figure.to_json()),
        "text/html": table_html(result),
        "text/plain": text(result),
    }


def text(result: Result) -> str:
    runs = ", ".join(f"{run.label}: {run.status}" for run in result.runs)
    return f"<descent.Result: {result.scenario.landscape}, {result.scenario.steps} steps; {runs}>"


def notebook(scenario: Scenario, *, link: str | None = None) -> str:
    """An .ipynb (nbformat 4, as JSON text) that reproduces the scene: it builds the scenario,
    runs it, shows the animated map and prints each run's final point and loss."""
    spec = scenario.landscape_spec
    scene = json.dumps(scenario.to_json(), indent=1)
    intro = [f"# Descent: {spec.title}\n", "\n",
             f"{len(scenario.runs)} optimizer run(s), {scenario.steps} steps. Run this notebook from the Descent repository "
             "(or with it on `sys.path`): `import descent` needs its packages.\n"]  # fmt: skip
    if link:
        intro += ["\n", f"Opened from [this link]({link}); `descent.Scenario.from_url(link)` reads such links too.\n"]
    cells = [
        _markdown(intro),
        _code(["import descent\n", "\n", f"scenario = descent.Scenario.from_json({scene})\n", "result = descent.run(scenario)"]),
        _markdown(["The animated map: Play, Pause and the step slider are under it.\n"]),
        _code(["descent.show(result)"]),
        _code(["for run in result.runs:\n", "    print(run.label, run.status, run.final_point, run.final_loss)"]),
    ]
    document = {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},  # fmt: skip
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    for i, cell in enumerate(document["cells"]):
        cell["id"] = f"descent-{i}"
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _markdown(lines: list[str]) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": lines}


def _code(lines: list[str]) -> dict:
    return {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": lines}


__all__ = ["mimebundle", "notebook", "show", "table_html"]
