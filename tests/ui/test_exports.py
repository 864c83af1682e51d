"""Exports in the app: the animated map as GIF and MP4 ("Share & export"), reproduction scripts (Code view)."""

from __future__ import annotations

import io

from PIL import Image

from tests.ui.test_app import app, clean, open_expander
from ui import state


def _button(at, key):
    return next(b for b in at.button if b.key == key)


def test_render_gif_then_download_it():
    at = open_expander(app(), state.SHARE_OPEN)
    clean(at)
    assert "Open as notebook (.ipynb)" in [b.proto.label for b in at.get("download_button")]
    labels = [b.label for b in at.button]
    assert "Render the animated map as GIF" in labels and "Render the animated map as MP4" in labels
    _button(at, "g0:video_gif_render").click()
    at.run()
    clean(at)
    stored_scene, gif = at.session_state["g0:video_gif"][0], at.session_state["g0:video_gif"][1]
    image = Image.open(io.BytesIO(gif))
    assert image.format == "GIF" and image.size == (1280, 720) and image.n_frames > 50
    # The render button has given way to the download (and stays so on the next rerun).
    assert "Render the animated map as GIF" not in [b.label for b in at.button]
    assert "Animated map (GIF, 720p, 10 s)" in [b.proto.label for b in at.get("download_button")]
    at.run()
    assert "Render the animated map as GIF" not in [b.label for b in at.button]
    assert "Render the animated map as MP4" in [b.label for b in at.button]
    assert stored_scene == (at.session_state[state.SCENE], frozenset(), ())


def test_code_view_offers_a_script_per_framework_the_optimizer_has():
    at = app()
    at.session_state[state.VIEW] = "Code"
    at.run()
    clean(at)
    assert [b.proto.label for b in at.get("download_button")] == ["Keras script", "PyTorch script", "optax script"]
    # Lion has no PyTorch implementation: no PyTorch script for it.
    at = app({"landscape": "rosenbrock", "r0.optimizer": "lion", "r0.learning_rate": "0.001", "view": "Code"})
    clean(at)
    assert [b.proto.label for b in at.get("download_button")] == ["Keras script", "optax script"]


def test_download_file_names_of_formula_and_data_scenes_are_plain():
    from descent import Scenario
    from ui.views import file_stem

    runs = [{"optimizer": "adam"}]
    assert file_stem(Scenario.from_json({"landscape": {"formula": "x^2 + 3*y^2"}, "runs": runs})) == "formula"
    data = {"landscape": {"dataset": {"name": "noisy_line", "size": 50}, "model": "linear_regression"}, "runs": runs}
    assert file_stem(Scenario.from_json(data)) == "noisy_line"
    assert file_stem(Scenario.from_json({"landscape": "rosenbrock", "runs": runs})) == "rosenbrock"
