"""The Network page's "Share & export": the decision boundary rendered as a GIF, then downloaded."""

from __future__ import annotations

import io

from PIL import Image

from tests.ui.test_network_page import QUERY, page


def _button(at, key):
    return next(b for b in at.button if b.key == key)


def test_render_the_boundary_gif_of_one_run_then_download_it():
    at = page(QUERY)
    assert not at.exception
    assert {"net.export.gif.render", "net.export.mp4.render"} <= {b.key for b in at.button}
    at.selectbox(key="net.export.run").set_value(1).run()
    _button(at, "net.export.gif.render").click().run()
    assert not at.exception
    (scene, run), gif = at.session_state["net.export.gif"]
    assert run == 1 and scene.runs[1].optimizer == "sgd"
    image = Image.open(io.BytesIO(gif))
    assert image.format == "GIF" and image.size == (1280, 720) and image.n_frames > 10
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Decision boundary (GIF, 720p, 10 s)" in labels
    assert "net.export.gif.render" not in {b.key for b in at.button}
    # Another choice of panels makes the button render anew.
    at.selectbox(key="net.export.run").set_value(-1).run()
    assert "net.export.gif.render" in {b.key for b in at.button}
