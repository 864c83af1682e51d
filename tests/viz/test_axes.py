"""The map's and the 3D view's axis titles are the coordinates' names the caller gives."""

from __future__ import annotations

import numpy as np

from tests.viz.plain import plain_result, plain_run, spiral
from viz.surface3d import surface_3d
from viz.trajectory_map import trajectory_map_spec

XS = np.linspace(-2, 2, 9, dtype=np.float32)
SURFACE = (XS, XS, (XS[None, :] ** 2 + XS[:, None] ** 2).astype(np.float32))
RESULT = plain_result([plain_run("SGD", spiral(20))])


def test_the_map_titles_its_axes_with_the_given_names_x_and_y_by_default():
    layout = trajectory_map_spec(RESULT, SURFACE, frames=0)["layout"]
    assert (layout["xaxis"]["title"]["text"], layout["yaxis"]["title"]["text"]) == ("x", "y")
    layout = trajectory_map_spec(RESULT, SURFACE, frames=0, axes=("w", "b"))["layout"]
    assert (layout["xaxis"]["title"]["text"], layout["yaxis"]["title"]["text"]) == ("w", "b")


def test_the_3d_view_titles_its_axes_with_the_given_names():
    scene = surface_3d(RESULT, SURFACE, axes=("w", "b")).to_dict()["layout"]["scene"]
    assert (scene["xaxis"]["title"]["text"], scene["yaxis"]["title"]["text"]) == ("w", "b")
    scene = surface_3d(RESULT, SURFACE).to_dict()["layout"]["scene"]
    assert (scene["xaxis"]["title"]["text"], scene["yaxis"]["title"]["text"]) == ("x", "y")


def test_hover_texts_name_the_coordinates_as_the_axes_do():
    from viz.surface3d import surface_3d_spec

    for spec in (trajectory_map_spec(RESULT, SURFACE, frames=0, axes=("w", "b")), surface_3d_spec(RESULT, SURFACE, axes=("w", "b"))):
        hovers = [t["hovertemplate"] for t in spec["data"] if "hovertemplate" in t]
        assert hovers and not any("x = %{x" in h for h in hovers), hovers
        assert all("w = %{x" in h and "b = %{y" in h for h in hovers if "%{x" in h)
    plain = trajectory_map_spec(RESULT, SURFACE, frames=0)
    assert any("x = %{x" in t.get("hovertemplate", "") for t in plain["data"])
