"""`python -m descent export`: every format written to a file, bad options refused in one line."""

from __future__ import annotations

import csv
import io
import json

import pytest
from PIL import Image

from tests.descent.test_cli import cli

SCENE = {"landscape": "rosenbrock", "start": [-1.5, 2.0], "steps": 120,
         "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.05}},
                  {"optimizer": "sgd", "hparams": {"learning_rate": 0.01}}]}  # fmt: skip


@pytest.fixture(scope="module")
def scene_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "scene.json"
    path.write_text(json.dumps(SCENE))
    return path


def test_gif_at_1080p_with_the_chosen_frame_rate_and_duration(scene_file, tmp_path):
    target = tmp_path / "map.gif"
    out = cli("export", str(scene_file), "--format", "gif", "-o", str(target), "--size", "1920x1080", "--fps", "5", "--duration", "2")
    assert out.returncode == 0, out.stderr
    image = Image.open(target)
    assert image.size == (1920, 1080)
    durations = []
    for k in range(image.n_frames):
        image.seek(k)
        durations.append(image.info["duration"])
    assert sum(durations) == 2000 and len(durations) == 9  # 10 frames of 200 ms, the last 2 merged


def test_mp4_is_an_mp4(scene_file, tmp_path):
    target = tmp_path / "map.mp4"
    out = cli("export", str(scene_file), "--format", "mp4", "-o", str(target), "--duration", "1")
    assert out.returncode == 0, out.stderr
    assert target.read_bytes()[4:8] == b"ftyp"
    assert "fork" not in out.stderr


def test_csv_html_and_json(scene_file, tmp_path):
    for fmt in ("csv", "html", "json"):
        out = cli("export", str(scene_file), "--format", fmt, "-o", str(tmp_path / f"out.{fmt}"))
        assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text())))
    scene = json.loads((tmp_path / "out.json").read_text())
    sgd = scene["results"]["runs"][1]
    assert sgd["status"] == "diverged"  # SGD at 0.01 leaves Rosenbrock's valley: its rows stop early
    assert len(rows) == 121 + sgd["diverged_at"] and rows[0]["x"] == "-1.5"
    html = (tmp_path / "out.html").read_text()
    assert html.startswith("<!doctype html>") and "Plotly.newPlot" in html and "<title>Rosenbrock" in html
    assert scene["scenario"]["steps"] == 120 and len(scene["results"]["runs"][0]["path"]) == 121
    # The JSON scene file is read back as a scenario by every command.
    again = cli("run", str(tmp_path / "out.json"))
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["runs"][0]["path"] == scene["results"]["runs"][0]["path"]


@pytest.mark.parametrize(("options", "message"), [
    (["--format", "webm"], "argument --format: invalid choice: 'webm'"),
    (["--format", "gif", "--fps", "100"], "error: --fps: must be a whole number in [1, 60], got 100"),
    (["--format", "gif", "--duration", "0"], "error: --duration: must be a number of seconds in [0.5, 60], got 0"),
])  # fmt: skip
def test_bad_options_exit_2_with_one_line(scene_file, tmp_path, options, message):
    out = cli("export", str(scene_file), "-o", str(tmp_path / "x"), *options)
    assert out.returncode == 2
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()
