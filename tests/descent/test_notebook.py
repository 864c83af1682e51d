"""Descent in Jupyter: show(), a Result's own display, Scenario.from_url, and notebooks that
really execute in a kernel (nbclient)."""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import urlencode

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import descent
from descent import notebook
from tests.conftest import ROOT
from ui import links
from ui.lessons import LESSONS

EXAMPLE = ROOT / "examples" / "descent_in_jupyter.ipynb"


def _execute(path_or_text, cwd) -> nbformat.NotebookNode:
    nb = nbformat.reads(path_or_text, as_version=4) if isinstance(path_or_text, str) else nbformat.read(path_or_text, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def _outputs(cell, kind: str) -> list:
    return [o for o in cell.outputs if o.output_type == kind]


def _shown(cell) -> dict:
    """Everything a cell displayed, by MIME type (plotly displays a Figure as display_data)."""
    data: dict = {}
    for output in cell.outputs:
        if output.output_type in ("execute_result", "display_data"):
            data |= output.data
    return data


def test_the_example_notebook_executes_and_shows_the_map(tmp_path):
    nb = _execute(EXAMPLE, EXAMPLE.parent)
    code = [c for c in nb.cells if c.cell_type == "code"]
    # `result` alone in a cell: the animated map (plotly's MIME type) and the runs' table.
    shown = _shown(code[1])
    figure = shown[notebook.PLOTLY_MIME]
    assert len(figure["frames"]) == 61 and figure["layout"]["images"][0]["name"] == "landscape"
    assert "<table>" in shown["text/html"] and "Momentum lr=0.035" in shown["text/html"]
    # descent.show(...) with a title: a plotly Figure, displayed by plotly.
    assert _shown(code[2])[notebook.PLOTLY_MIME]["layout"]["title"]["text"] == "SGD vs Momentum, κ = 50"
    # The printed numbers are the engine's for the linked scene.
    printed = "".join(o.text for o in _outputs(code[3], "stream"))
    lesson = next(lesson for lesson in LESSONS if lesson.id == "ravine")
    expected = descent.run(lesson.build())
    for run in expected.runs:
        assert f"{run.label}: {run.status}, final point {run.final_point}" in printed
    assert "converged after" in "".join(o.text for o in _outputs(code[4], "stream"))


def test_open_as_notebook_reproduces_the_scene(tmp_path):
    scenario = descent.Scenario.from_json({"landscape": "himmelblau", "steps": 80, "noise": {"sigma": 0.5, "seed": 2},
                                           "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.1}}]})  # fmt: skip
    text = notebook.notebook(scenario, link="http://localhost:8501/?landscape=himmelblau")
    nbformat.validate(nbformat.reads(text, as_version=4))
    # The kernel imports descent from the repository, as a user's notebook next to it would.
    nb = _execute(text.replace("import descent\\n", "import sys\\nsys.path.insert(0, %r)\\nimport descent\\n" % str(ROOT), 1), tmp_path)
    printed = "".join(o.text for c in nb.cells if c.cell_type == "code" for o in _outputs(c, "stream"))
    run = descent.run(scenario).runs[0]
    assert f"{run.final_point} {run.final_loss}" in printed
    assert len(_shown(nb.cells[3])[notebook.PLOTLY_MIME]["frames"]) == 81


def test_show_returns_the_animated_map_and_import_descent_stays_without_plotly():
    code = ("import sys, descent\n"
            "r = descent.run({'landscape': 'rosenbrock', 'steps': 50, 'runs': [{'optimizer': 'adam', 'hparams': {'learning_rate': 0.05}}]})\n"
            "before = 'plotly' in sys.modules\n"
            "fig = descent.show(r)\n"
            "print(before, type(fig).__name__, len(fig.frames), fig.layout.title.text)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={"PYTHONPATH": str(ROOT), "JAX_PLATFORMS": "cpu", "PATH": "/usr/bin:/bin"})  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "Figure", "51", "Rosenbrock"]


def test_show_runs_a_scenario_given_instead_of_a_result():
    fig = descent.show({"landscape": "booth", "steps": 20, "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.01}}]})
    head = fig.data[-2]  # the last run's moving marker (before the step counter)
    expected = descent.run({"landscape": "booth", "steps": 20, "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.01}}]})
    assert np.allclose([head.x[0], head.y[0]], expected.runs[0].final_point)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_from_url_reads_every_lessons_link_from_the_app(lesson):
    scene = lesson.build()
    link = "https://descent.example/?" + urlencode(links.encode(scene, links.Options(lesson=lesson.id, lecture=True, view="Code")))
    assert descent.Scenario.from_url(link) == scene
    assert descent.Scenario.from_url(link.split("?", 1)[1]) == scene  # the query part alone


@pytest.mark.parametrize(("link", "field"), [
    ("https://descent.example/", "link"),
    ("https://descent.example/?landscape=nowhere&r0.optimizer=adam", "landscape.name"),
    ("https://descent.example/?landscape=rosenbrock&r0.optimizer=adam&r0.learning_rate=fast", "r0.learning_rate"),
])  # fmt: skip
def test_from_url_names_the_bad_parameter(link, field):
    with pytest.raises(descent.ScenarioError) as error:
        descent.Scenario.from_url(link)
    assert error.value.field == field


def test_a_result_displays_its_table_as_html():
    result = descent.run({"landscape": "rosenbrock", "steps": 30, "runs": [{"optimizer": "sgd", "label": "<b>", "hparams": {"learning_rate": 0.01}}]})
    html = result._repr_html_()
    assert "&lt;b&gt;" in html and "diverged at step" in html
    bundle = result._repr_mimebundle_()
    assert json.dumps(bundle[notebook.PLOTLY_MIME])  # plain JSON, as the kernel sends it
