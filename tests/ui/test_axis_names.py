"""A data landscape's map and 3D view name their axes after the model's parameters, w and b;
the other landscapes keep x and y (the names come from the landscape's metadata)."""

from __future__ import annotations

import pytest

from tests.ui.test_app import app, clean
from ui.live_chart import sent_figures

DATA_LINK = {"landscape": "data", "data": "noisy_line", "model": "linear_regression", "r0.optimizer": "sgd"}
CLASSIC_LINK = {"landscape": "booth", "r0.optimizer": "sgd"}


def _figure(at) -> dict:
    charts = sent_figures(at.get("bidi_component"))
    assert charts, "no chart on the page"
    return charts[0]


def _titles(layout: dict) -> tuple[str, str]:
    return layout["xaxis"]["title"]["text"], layout["yaxis"]["title"]["text"]


@pytest.mark.parametrize("link, names", [(DATA_LINK, ("w", "b")), (CLASSIC_LINK, ("x", "y"))], ids=["data", "classic"])
def test_the_map_and_the_3d_view_name_the_landscapes_coordinates(link, names):
    at = app(link)
    clean(at)
    assert _titles(_figure(at)["layout"]) == names
    at = app({**link, "view": "3D"})
    clean(at)
    surface = next(f for f in sent_figures(at.get("bidi_component")) if "scene" in f["layout"])
    assert _titles(surface["layout"]["scene"]) == names
