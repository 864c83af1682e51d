"""The repository stands alone: tests, tools and docs use only what is inside it.

A clone has no reference folder beside it and no machine-specific paths, so nothing here may
point outside the repository; the docs that replaced the outside reference material must stay
complete as landscapes and optimizers are added; the public parity sample must be in place.
"""

from __future__ import annotations

import json
import os
import re

import pytest

import landscapes
import optimizers
from optimizers import schedules
from tests.conftest import DATA, ROOT

DOCS = ROOT / "docs"

# Walked from the root; skipped wherever they occur.
SKIP_DIRS = {".venv", ".git", "test-artefacts", "__pycache__", ".pytest_cache", ".hypothesis"}
# Files checked for outside references: these suffixes anywhere, and every file in these folders.
SUFFIXES = (".py", ".toml", ".cfg", ".yaml", ".yml")
FOLDERS = ("tools", ".ci", "scripts", "docs")

# Spelled in pieces so that this file does not match itself.
_WORK = "/" + "work" + "/"
OUTSIDE = re.compile(
    "|".join(
        (
            re.escape(".." + "/shared"),  # the reference folder beside the repository
            re.escape(_WORK + "shared"),  # the same, absolute
            r"(?<![\w.~-])" + re.escape(_WORK),  # any absolute path on the development machines
        )
    )
)


def checked_files() -> list:
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        rel_folder = os.path.relpath(folder, ROOT)
        top = rel_folder.split(os.sep)[0]
        for name in sorted(files):
            if top in FOLDERS or name.endswith(SUFFIXES):
                found.append(ROOT / rel_folder / name)
    return found


def test_the_scan_sees_the_files_that_matter():
    rel = {p.relative_to(ROOT).as_posix() for p in checked_files()}
    assert {"tests/conftest.py", "tools/record_parity.py", ".ci/run", "scripts/test", "docs/landscapes.md"} <= rel
    assert not any(part in SKIP_DIRS for r in rel for part in r.split("/"))


def test_nothing_points_outside_the_repository():
    offenders = []
    for path in checked_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for lineno, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert not offenders, "references outside the repository:\n" + "\n".join(offenders)


def test_the_pattern_catches_what_it_must():
    ref = "shared" + "/reference"
    assert OUTSIDE.search("see " + ".." + "/" + ref + "/landscapes.md")
    assert OUTSIDE.search('default="' + _WORK + ref + '/parity/public.json"')
    assert OUTSIDE.search("    " + _WORK + "venv-ref/bin/python tools/record_parity.py")
    assert not OUTSIDE.search("tests/data/parity_public.json, docs/optimizers.md, /usr/bin/chromium")


def _named(text: str, name: str) -> bool:
    """`name` written as code in the text, e.g. `adam` (so `adamw` does not count for it)."""
    return f"`{name}`" in text


@pytest.mark.parametrize(
    "doc, names",
    [
        ("landscapes.md", landscapes.ids),
        ("optimizers.md", optimizers.ids),
        ("optimizers.md", lambda: [s.name for s in schedules.SCHEDULES]),
    ],
    ids=["landscapes", "optimizers", "schedules"],
)
def test_the_docs_name_everything_in_the_catalogues(doc, names):
    text = (DOCS / doc).read_text(encoding="utf-8")
    missing = [n for n in names() if not _named(text, n)]
    assert not missing, f"docs/{doc} does not describe: {missing}"


def test_the_docs_index_lists_the_docs_and_the_parity_sample():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for doc in ("landscapes.md", "optimizers.md", "streamlit-notes.md"):
        assert (DOCS / doc).is_file()
        assert doc in index
    assert "tests/data/parity_public.json" in index


def test_the_public_parity_sample_is_in_the_repository():
    sample = json.loads((DATA / "parity_public.json").read_text())
    cases = sample["cases"]
    assert len(cases) == 38
    assert len({c["id"] for c in cases}) == 38
    for case in cases:
        assert len(case["path"]) == case["steps"] + 1
