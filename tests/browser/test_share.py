"""Links and files in a real browser: a shared link reopens the scene, a tampered one still
opens, a scene file loads through the uploader, and the CSV download works."""

from __future__ import annotations

import csv
import io
import json
import pathlib

import pytest
from playwright.sync_api import expect

from tests.browser.driver import (
    DEFAULT_LABELS,
    DEFAULT_QUERY,
    assert_landscape_image_shown,
    assert_paths_drawn,
)

# A hung browser or server fails its test (the suite itself takes well under a minute per test).
pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def test_a_shared_link_reopens_the_same_scene(app):
    first = app.open()
    first.click_lesson("A learning rate that is too high", "too_high")
    first.set_steps(150)
    link, shown = first.query(), first.map_state()
    assert link["landscape"] == "quadratic" and link["lesson"] == "too_high" and link["steps"] == "150"
    assert len(shown["paths"]) == 4

    second = app.new_page()  # a new browser context: a new Streamlit session
    second.goto_url(first.url)
    again = second.map_state()
    assert second.query() == link  # the app found nothing to rewrite
    assert second.alerts()["all"] == []
    assert again["legend"] == shown["legend"]
    assert again["paths"] == shown["paths"]
    assert again["heads"] == shown["heads"] and again["start"] == shown["start"]
    assert again["annotations"] == shown["annotations"] and any("diverged" in a for a in again["annotations"])
    assert again["background"]["hash"] == shown["background"]["hash"]
    expect(second.page.get_by_label("Steps", exact=True)).to_have_value("150")
    expect(second.page.get_by_text("A learning rate that is too high.", exact=True)).to_be_visible()  # the lesson's note


def test_a_tampered_link_shows_one_warning_and_still_draws_the_map(app):
    page = app.open("?landscape=atlantis&r0.optimizer=sgd&r0.learning_rate=abc")
    alerts = page.alerts()
    assert alerts["exception"] == [] and alerts["error"] == [], alerts
    assert len(alerts["all"]) == 1 and len(alerts["warning"]) == 1, alerts
    assert "landscape='atlantis'" in alerts["warning"][0] and "r0.learning_rate='abc'" in alerts["warning"][0]

    state = page.map_state()
    assert_landscape_image_shown(state)
    assert_paths_drawn(state, 1)
    assert [p["label"] for p in state["paths"]] == ["SGD lr=0.01"]  # SGD with its default rate
    query = page.query()
    assert query["landscape"] == "rosenbrock" and query["r0.optimizer"] == "sgd" and "r0.learning_rate" not in query

    page.page.get_by_role("button", name="Dismiss").click()
    page.page.locator("[data-testid='stAlert']").wait_for(state="detached")
    page.wait_ready()
    assert page.alerts()["all"] == []
    assert_landscape_image_shown(page.map_state())


UPLOADED = {
    "landscape": "himmelblau",
    "start": [0.5, -3.0],
    "steps": 120,
    "runs": [{"optimizer": "adam", "label": "uploaded Adam", "hparams": {"learning_rate": 0.1}}],
}


def test_loading_a_scene_file_replaces_the_scene(app, tmp_path):
    page = app.open()
    before = page.map_state()
    share = page.open_expander("Share & export")
    uploader = share.locator("[data-testid='stFileUploaderDropzoneInput']")

    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    uploader.set_input_files(broken)
    page.page.locator("[data-testid='stAlertContentInfo']", has_text="broken.json is not a JSON scene file").wait_for()
    page.wait_ready()
    assert page.query() == DEFAULT_QUERY  # a bad file changes nothing

    good = tmp_path / "himmelblau.json"
    good.write_text(json.dumps({"scenario": UPLOADED, "results": {}}), encoding="utf-8")  # as "Scene and results" writes it
    key = page.paths_key()
    uploader.set_input_files(good)
    page.settle_query("landscape", "himmelblau")
    page.settle_map_change(key)
    assert page.query() == {"landscape": "himmelblau", "start": "0.5,-3.0", "steps": "120", "r0.optimizer": "adam",
                            "r0.label": "uploaded Adam", "r0.learning_rate": "0.1"}  # fmt: skip
    state = page.map_state()
    assert_paths_drawn(state, 1)
    assert [p["label"] for p in state["paths"]] == ["uploaded Adam"]
    assert "uploaded Adam" in state["legend"]
    path = state["paths"][0]
    assert (path["x"][0], path["y"][0]) == (0.5, -3.0) and len(path["x"]) == 121
    assert state["background"]["hash"] != before["background"]["hash"]  # Himmelblau's landscape
    assert_landscape_image_shown(state)
    assert any("Loaded himmelblau.json." in text for text in page.alerts()["info"])
    expect(page.sidebar_expander("uploaded Adam")).to_have_count(1)


def test_trajectories_csv_download(app):
    page = app.open()
    state = page.map_state()
    share = page.open_expander("Share & export")
    button = share.get_by_role("button", name="Trajectories (CSV)")
    expect(button).to_be_enabled()
    with page.page.expect_download() as download_info:
        button.click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == "descent-rosenbrock.csv"

    rows = list(csv.reader(io.StringIO(pathlib.Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["run", "step", "x", "y", "loss", "grad_norm", "learning_rate"]
    by_run: dict[str, list[list[str]]] = {}
    for row in rows[1:]:
        assert len(row) == 7, row
        by_run.setdefault(row[0], []).append(row)
    assert list(by_run) == DEFAULT_LABELS
    rates = {"SGD lr=0.001": 0.001, "Momentum lr=0.001 μ=0.9": 0.001, "RMSprop lr=0.01": 0.01, "Adam lr=0.05": 0.05}
    for path, (label, run_rows) in zip(state["paths"], by_run.items()):
        assert [int(r[1]) for r in run_rows] == list(range(501))
        assert (float(run_rows[0][2]), float(run_rows[0][3])) == (-1.5, 2.0)
        # The same trajectory the map draws (both float32, written as the shortest decimals).
        assert [float(r[2]) for r in run_rows] == pytest.approx(path["x"], rel=1e-6, abs=1e-12)
        assert [float(r[3]) for r in run_rows] == pytest.approx(path["y"], rel=1e-6, abs=1e-12)
        assert float(run_rows[0][6]) == pytest.approx(rates[label]) and run_rows[-1][6] == ""
        assert all(float(r[4]) >= 0 for r in run_rows)  # Rosenbrock's loss
