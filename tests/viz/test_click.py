"""viz.click_point: a click on the map ({x, y} and the size of a pixel) → a round start point."""

from __future__ import annotations

import math

import pytest

import viz
from viz.click import nice_step, snap


def test_a_click_becomes_a_round_point_about_two_pixels_fine():
    # A 500 px wide map of [-2, 2]: a pixel is 0.008, two are 0.016, so the spacing is 0.02.
    assert viz.click_point({"x": -1.4987013, "y": 0.70312, "dx": 0.008, "dy": 0.008}) == (-1.5, 0.7)
    assert viz.click_point({"x": 0.123456, "y": -0.0099, "dx": 0.008, "dy": 0.008}) == (0.12, 0.0)
    # A wide domain (Rastrigin, Himmelblau): coarser round values.
    assert viz.click_point({"x": 3.58, "y": -2.21, "dx": 0.1, "dy": 0.1}) == (3.6, -2.2)
    # x and y each at their own scale (a stretched domain).
    assert viz.click_point({"x": 12.34, "y": 0.1234, "dx": 0.1, "dy": 0.001}) == (12.4, 0.124)


def test_round_spacings():
    assert [nice_step(s) for s in (0.016, 0.02, 0.021, 0.2, 0.3, 0.6, 3.0, 1e-5)] == [0.02, 0.02, 0.025, 0.2, 0.5, 1.0, 5.0, 1e-5]
    assert snap(-0.004, 0.02) == 0.0 and math.copysign(1, snap(-0.004, 0.02)) == 1  # no "-0"
    assert snap(1.2345, 0.25) == 1.25 and str(snap(0.30000000000000004, 0.1)) == "0.3"


@pytest.mark.parametrize("click", [None, "1,2", {}, {"x": 1.0}, {"x": "a", "y": 1}, {"x": math.nan, "y": 1.0},
                                   {"x": 1.0, "y": math.inf, "dx": 0.1, "dy": 0.1}, [1, 2]])  # fmt: skip
def test_anything_else_is_no_click(click):
    assert viz.click_point(click) is None


def test_without_the_pixel_size_it_rounds_to_whole_numbers():
    assert viz.click_point({"x": 1.4, "y": -2.6}) == (1.0, -3.0)
