"""A data landscape in the browser: the batch-size lesson drawn (loss over (w, b), its minimum,
the minibatch path) and a screenshot of it under test-artefacts/browser/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.driver import assert_landscape_image_shown, assert_paths_drawn

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def test_the_batch_size_lesson_in_the_browser(app, artefacts):
    page = app.open()
    page.click_lesson("Batch size: 1, 32 or the whole data set", "batch_size")
    state = page.map_state()
    assert [p["label"] for p in state["paths"]] == ["SGD lr=0.05"]
    assert_paths_drawn(state, 1)
    assert_landscape_image_shown(state)
    assert (page.query()["landscape"], page.query()["mb.batch"]) == ("data", "1")
    expect(page.page.get_by_text("200 steps per epoch", exact=False).first).to_be_visible()
    page.page.evaluate("() => document.fonts.ready.then(() => true)")
    page.page.screenshot(path=str(artefacts / "lesson-batch-size.png"))
    assert (artefacts / "lesson-batch-size.png").stat().st_size > 20_000


def test_the_feature_scaling_lesson_in_the_browser(app, artefacts):
    page = app.open()
    page.click_lesson("Feature scaling turns a ravine into a bowl", "feature_scaling")
    state = page.map_state()
    assert_paths_drawn(state, 3)
    assert_landscape_image_shown(state)
    page.page.evaluate("() => document.fonts.ready.then(() => true)")
    page.page.screenshot(path=str(artefacts / "lesson-feature-scaling.png"))
    assert (artefacts / "lesson-feature-scaling.png").stat().st_size > 20_000
