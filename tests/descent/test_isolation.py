"""The engine packages (descent, landscapes, optimizers) never import the app's layers:
streamlit, plotly, viz or ui. The dependencies point one way: landscapes, optimizers ←
descent ← viz, ui ← app; a notebook or the CLI gets the engine without a web framework."""

from __future__ import annotations

import ast
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
ENGINE_PACKAGES = ("descent", "landscapes", "optimizers", "datasets", "params")
FORBIDDEN = ("streamlit", "plotly", "viz", "ui")
# The two front doors that hand a result to viz, each importing it inside the one function that
# needs a figure or a file (never at module level, which the test below checks too):
# `descent.show` / a Result's notebook display, and the CLI's `export`.
LAZY_FIGURES = {"descent/notebook.py": {"viz"}, "descent/cli.py": {"viz"}}

SCRIPT = r"""
import json, sys
import descent, landscapes, optimizers
from descent import cli
result = descent.run({"landscape": "himmelblau", "steps": 20, "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.1}}]})
descent.sweep({"landscape": "himmelblau", "steps": 20, "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.01}}]},
              starts=[[0, 0], [1, 1]])
descent.surface({"landscape": "himmelblau", "runs": [{"optimizer": "sgd"}]}, resolution=5)
landscapes.catalogue(), optimizers.catalogue(), optimizers.schedule_catalogue()
data = {"landscape": {"dataset": {"name": "breast_cancer"}, "model": "logistic_regression"}, "steps": 20,
        "minibatch": {"batch_size": 32}, "runs": [{"optimizer": "sgd"}]}
descent.run(data), descent.surface(data, resolution=5), descent.data(data)
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1:]))))
"""


def imported_modules(path: pathlib.Path) -> set[str]:
    """Top-level names of every module a source file imports, wherever the import statement is
    (also inside functions, where a lazy import would hide from a run-time check)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_no_engine_source_file_imports_the_app_layers():
    files = [f for package in ENGINE_PACKAGES for f in sorted((ROOT / package).rglob("*.py"))]
    assert len(files) >= 20  # the packages were found
    offending = {str(f.relative_to(ROOT)): sorted(imported_modules(f) & set(FORBIDDEN)) for f in files}
    allowed = {f: sorted(set(names) - LAZY_FIGURES.get(f, set())) for f, names in offending.items()}
    assert {f: names for f, names in allowed.items() if names} == {}
    at_module_level = {f: sorted(module_level_imports(ROOT / f) & set(FORBIDDEN)) for f in LAZY_FIGURES}
    assert {f: names for f, names in at_module_level.items() if names} == {}


def module_level_imports(path: pathlib.Path) -> set[str]:
    """Top-level names imported by the module's own statements (not inside a function)."""
    names = set()
    for node in ast.parse(path.read_text(), filename=str(path)).body:
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_running_the_engine_loads_none_of_them():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JAX_PLATFORMS": "cpu"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, *FORBIDDEN], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_guard_sees_an_import_hidden_in_a_function(tmp_path):
    source = tmp_path / "lazy.py"
    source.write_text("def f():\n    import plotly.io\n    from streamlit import session_state\n")
    assert imported_modules(source) >= {"plotly", "streamlit"}


def test_datasets_is_a_leaf_that_loads_no_scikit_learn():
    """datasets reads scikit-learn's bundled files without importing it (the app does not pay
    for scikit-learn's import) and imports nothing of the project."""
    files = sorted((ROOT / "datasets").rglob("*.py"))
    assert files
    imported = set().union(*(imported_modules(f) for f in files))
    assert imported & {"jax", "sklearn", "descent", "landscapes", "optimizers", *FORBIDDEN} == set()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JAX_PLATFORMS": "cpu"}
    script = "import sys, datasets; datasets.load('diabetes'); datasets.load('breast_cancer'); print('sklearn' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
