"""viz.click_point: Streamlit's selection points → the clicked grid point, or None."""

from __future__ import annotations

import numpy as np

import viz
from tests.viz.plain import bowl_surface, plain_race
from viz.click import CLICK_TAG


def streamlit_point(fig, curve: int, index: int) -> dict:
    """A point as st.plotly_chart reports it in event.selection.points (JSON round trip: plain floats)."""
    trace = fig.data[curve]
    point = {"curve_number": curve, "point_number": index, "point_index": index,
             "x": float(trace.x[index]), "y": float(trace.y[index])}
    if trace.customdata is not None:
        point["customdata"] = list(trace.customdata[index])
    return point


def grid_map():
    return viz.trajectory_map(plain_race(), bowl_surface(), click_grid=41)


def test_a_click_on_the_grid_gives_its_point():
    fig = grid_map()
    grid = fig.data[0]
    index = int(np.flatnonzero((np.round(grid.x, 4) == -1.5) & (np.round(grid.y, 4) == 0.7))[0])
    assert viz.click_point([streamlit_point(fig, 0, index)]) == (-1.5, 0.7)  # not -1.5000000596


def test_every_grid_point_reads_back_as_itself():
    fig = grid_map()
    grid = fig.data[0]
    for index in range(0, len(grid.x), 97):
        x, y = viz.click_point([streamlit_point(fig, 0, index)])
        assert np.float32(x) == grid.x[index] and np.float32(y) == grid.y[index]


def test_clicks_on_other_traces_are_ignored():
    fig = grid_map()
    path = next(i for i, t in enumerate(fig.data) if t.meta == "Spiral")
    assert viz.click_point([streamlit_point(fig, path, 5)]) is None
    minimum_like = {"curve_number": 3, "point_index": 0, "x": 0.0, "y": 0.0, "customdata": ["something else", 1.0]}
    assert viz.click_point([minimum_like]) is None
    # A path point and a grid point selected together: the grid point wins.
    assert viz.click_point([streamlit_point(fig, path, 5), streamlit_point(fig, 0, 0)]) == (-2.0, -2.0)


def test_nothing_selected():
    assert viz.click_point(None) is None
    assert viz.click_point([]) is None
    assert viz.click_point([{"curve_number": 0, "point_index": 3}]) is None  # no customdata, no x, y


def test_customdata_as_the_bare_tag_and_bad_coordinates():
    assert viz.click_point([{"curve_number": 0, "x": 1.25, "y": -0.5, "customdata": CLICK_TAG}]) == (1.25, -0.5)
    assert viz.click_point([{"curve_number": 0, "x": None, "y": 1.0, "customdata": [CLICK_TAG, 2.0]}]) is None
    assert viz.click_point([{"curve_number": 0, "x": float("nan"), "y": 1.0, "customdata": [CLICK_TAG]}]) is None
